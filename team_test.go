package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/internal/pgtest"
	"github.com/frontdesk/frontdesk/tui"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// box is one front-desk box of a team: frontdesk run as a console with
// its own home and its own history handle, its console driven as Bubble
// Tea would.
type box struct {
	name string
	*consoletest.Driver
}

// startBoxes runs n consoles of the simulator's account, each as its own
// frontdesk (its own settings, writer and database connections) with the
// environment env. stop quits them all as SIGTERM does (each saves its
// queued history first) and waits; the test's end calls it too.
func startBoxes(t *testing.T, env map[string]string, n int) (boxes []*box, stop func()) {
	t.Helper()
	started := make(chan *consoletest.Driver, n)
	orig := runConsole
	runConsole = func(ctx context.Context, opts tui.Options) error {
		opts.NoColor = true
		d := consoletest.New(tui.New(opts), 110, 30, consoletest.Options{})
		started <- d
		<-ctx.Done()
		d.Close()
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stop = sync.OnceFunc(func() {
		cancel()
		wg.Wait()
	})
	t.Cleanup(stop)
	defer func() { runConsole = orig }() // every console has started
	boxes = make([]*box, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := runWith(t, ctx, env); r.code != exitOK {
				t.Errorf("box: exit %d, stderr %q", r.code, r.stderr)
			}
		}()
		select {
		case d := <-started:
			boxes[i] = &box{name: string(rune('A' + i)), Driver: d}
		case <-time.After(30 * time.Second):
			t.Fatal("a box's console never started")
		}
	}
	return boxes, stop
}

func (b *box) key(k tea.KeyPressMsg) { b.Send(k) }

func (b *box) typeText(s string) {
	for _, r := range s {
		b.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (b *box) text() string { return ansi.Strip(b.View().Content) }

// waitView waits until the box's screen shows every one of want, with no
// key pressed meanwhile.
func (b *box) waitView(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := b.text()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("box %s never showed %q:\n%s", b.name, missing, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var (
	keyTab   = tea.KeyPressMsg{Code: tea.KeyTab}
	keyCtrlS = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
)

// TestTeamOnOnePostgreSQL: two boxes with the same phone account and one
// PostgreSQL history. A call both see is one row; a message taken on one
// box shows on the other's Messages view without a key pressed there, and
// marking it done on the other shows back on the first.
func TestTeamOnOnePostgreSQL(t *testing.T) {
	db := pgtest.NewDatabase(t)
	srv, env := startSim(t)
	env[config.EnvHistory] = db.URL
	boxes, stop := startBoxes(t, env, 2)
	a, b := boxes[0], boxes[1]
	a.waitView(t, "● live")
	b.waitView(t, "● live")

	// A call rings on the phone both boxes show, and nobody answers.
	id := srv.Ring(testDID, "2125550142", nil)
	a.waitView(t, "(212) 555-0142")
	b.waitView(t, "(212) 555-0142")
	srv.SetState(testDID, id, "DELETED")
	a.waitView(t, "1 missed")
	b.waitView(t, "1 missed")

	// Both boxes move to Messages.
	for _, x := range boxes {
		x.key(keyTab)
		x.key(keyTab)
		x.waitView(t, "MESSAGES · 0 open")
	}

	// A takes a message; B shows it with no key pressed.
	a.key(tea.KeyPressMsg{Code: 'm', Text: "m"})
	a.waitView(t, "For:")
	a.typeText("Dana Whitfield")
	a.key(keyTab)
	a.typeText("Hannah Brooks")
	a.key(keyTab)
	a.key(keyTab)
	a.typeText("Lunch order 42 is late")
	a.key(keyCtrlS)
	a.waitView(t, "MESSAGES · 1 open", "Lunch order 42 is late")
	b.waitView(t, "MESSAGES · 1 open", "Lunch order 42 is late", "Hannah Brooks")

	// B marks it done; A shows it done.
	b.key(tea.KeyPressMsg{Code: 'x', Text: "x"})
	b.waitView(t, "MESSAGES · 0 open, 1 done")
	a.waitView(t, "MESSAGES · 0 open, 1 done")

	// One row for the call both boxes recorded, and one message, once
	// both have saved everything and quit.
	stop()
	conn, err := pgx.Connect(context.Background(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var calls, msgs int
	if err := conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM messages)`).Scan(&calls, &msgs); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || msgs != 1 {
		t.Errorf("%d call rows and %d messages, want 1 and 1", calls, msgs)
	}

	// frontdesk messages reads the same database.
	r := runWith(t, context.Background(), env, "messages", "--all")
	if r.code != exitOK || !strings.Contains(r.stdout, "Lunch order 42 is late") || !strings.Contains(r.stdout, "[done]") {
		t.Errorf("frontdesk messages --all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestTeamBoxLosesTheDatabase: box A loses its network to the database
// while box B keeps it. A's console goes on working and says history is
// not saving; what A recorded meanwhile is saved once the network is back,
// into the row B made for the same call, and A shows what B did meanwhile
// without a key pressed. The URL's password is never on A's screen.
func TestTeamBoxLosesTheDatabase(t *testing.T) {
	db := pgtest.NewDatabase(t)
	network := db.Proxy(t)
	srv, env := startSim(t)
	envA := map[string]string{}
	for k, v := range env {
		envA[k] = v
	}
	envA[config.EnvHistory] = network.URL()
	env[config.EnvHistory] = db.URL
	boxesA, stopA := startBoxes(t, envA, 1)
	boxesB, stopB := startBoxes(t, env, 1)
	a, b := boxesA[0], boxesB[0]
	b.name = "B"
	a.waitView(t, "● live")
	b.waitView(t, "● live")

	network.Cut()
	id := srv.Ring(testDID, "2125550142", nil)
	a.waitView(t, "(212) 555-0142")
	srv.SetState(testDID, id, "DELETED")
	b.waitView(t, "1 missed")
	a.waitView(t, "history not saving")
	if strings.Contains(a.text(), pgtest.ProxyPassword) {
		t.Fatalf("the password is on screen:\n%s", a.text())
	}
	// A's console still works the phone.
	id2 := srv.Ring(testDID, "3125550111", nil)
	a.waitView(t, "(312) 555-0111")
	srv.SetState(testDID, id2, "DELETED")

	// B takes a message meanwhile.
	b.key(keyTab)
	b.key(keyTab)
	b.waitView(t, "MESSAGES · 0 open")
	b.key(tea.KeyPressMsg{Code: 'm', Text: "m"})
	b.waitView(t, "For:")
	b.typeText("Rachel Kim")
	b.key(keyTab)
	b.key(keyTab)
	b.key(keyTab)
	b.typeText("Parcel at the front door")
	b.key(keyCtrlS)
	b.waitView(t, "MESSAGES · 1 open")

	network.Mend(t)
	a.key(keyTab)
	a.key(keyTab)
	a.waitView(t, "MESSAGES · 1 open", "Parcel at the front door")
	deadline := time.Now().Add(30 * time.Second)
	for strings.Contains(a.text(), "history not saving") {
		if time.Now().After(deadline) {
			t.Fatalf("box A still not saving after the network came back:\n%s", a.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(a.text(), pgtest.ProxyPassword) {
		t.Fatalf("the password is on screen:\n%s", a.text())
	}

	stopA()
	stopB()
	conn, err := pgx.Connect(context.Background(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var calls int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM calls`).Scan(&calls); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("%d call rows for the 2 calls both boxes saw", calls)
	}
}
