package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport"
)

// clock is a settable time for the hub's PIN spacing.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func connEvent(status transport.ConnStatus, err error) transport.Event {
	return transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: status, Err: err}}
}

var refusedEv = connEvent(transport.ConnReconnecting, fmt.Errorf("subscribe: %w", transport.ErrAuth))

// drainConn reads each console's next event, which must be the connection
// state want: the hub has published it to all of them.
func drainConn(t *testing.T, want transport.ConnStatus, cs ...*Client) {
	t.Helper()
	for _, c := range cs {
		if ev := next(t, c); ev.Kind != transport.EventConn || ev.Conn.Status != want {
			t.Fatalf("event %+v, want conn %v", ev, want)
		}
	}
}

// A console may set its account's PIN only while the phone service
// refuses it, one console at a time, and no sooner than the spacing after
// the last one, which doubles until a PIN is accepted. The PIN reaches the
// shared upstream, and the log says who typed one, never the PIN.
func TestSetPINWhileRefusedAndSpaced(t *testing.T) {
	o := &opener{}
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var logBuf syncbuffer.Buffer
	h := New(o.open, time.Hour, log.New(&logBuf), WithClock(clk.now), WithPINSpacing(30*time.Second, 90*time.Second))
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	a, err := h.Attach(ctx, acct, WithConsoleLog(log.New(&logBuf).With("fingerprint", "SHA256:alice")))
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	up := o.last()

	if err := a.SetPIN("1111"); !errors.Is(err, ErrNotRefused) {
		t.Fatalf("SetPIN before any state: %v, want ErrNotRefused", err)
	}
	up.events <- live()
	drainConn(t, transport.ConnLive, a, b)
	if err := a.SetPIN("1111"); !errors.Is(err, ErrNotRefused) {
		t.Fatalf("SetPIN while live: %v, want ErrNotRefused", err)
	}

	up.events <- refusedEv
	drainConn(t, transport.ConnReconnecting, a, b)
	if err := a.SetPIN("1111"); err != nil {
		t.Fatalf("first PIN while refused: %v", err)
	}
	if got := up.lastPIN(); got != "1111" {
		t.Fatalf("upstream PIN %q, want the typed one", string(got))
	}
	// The other console of the account waits for this one's outcome.
	if err := b.SetPIN("2222"); !errors.Is(err, ErrPINTrying) {
		t.Fatalf("second console while trying: %v, want ErrPINTrying", err)
	}
	if err := b.PINWait(); !errors.Is(err, ErrPINTrying) {
		t.Fatalf("PINWait while trying: %v, want ErrPINTrying", err)
	}

	// Refused again: the next PIN waits the first spacing.
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- refusedEv
	drainConn(t, transport.ConnConnecting, a, b)
	drainConn(t, transport.ConnReconnecting, a, b)
	clk.add(10 * time.Second)
	var wait *PINWaitError
	if err := b.PINWait(); !errors.As(err, &wait) || wait.Wait != 20*time.Second {
		t.Fatalf("PINWait 10s after a refused PIN: %v, want a 20s wait", err)
	}
	if err := b.SetPIN("2222"); !errors.As(err, &wait) || wait.Wait != 20*time.Second {
		t.Fatalf("PIN 10s after a refused one: %v, want a 20s wait", err)
	}
	if got := up.lastPIN(); got != "1111" {
		t.Fatalf("a PIN that was not tried reached the upstream")
	}
	clk.add(20 * time.Second)
	if err := b.PINWait(); err != nil {
		t.Fatalf("PINWait after the spacing: %v", err)
	}
	if err := b.SetPIN("2222"); err != nil {
		t.Fatalf("PIN after the spacing: %v", err)
	}
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- refusedEv
	drainConn(t, transport.ConnConnecting, a, b)
	drainConn(t, transport.ConnReconnecting, a, b)
	// The spacing doubles (60s), then stops at the most (90s).
	clk.add(59 * time.Second)
	if err := a.SetPIN("3333"); !errors.As(err, &wait) || wait.Wait != time.Second {
		t.Fatalf("PIN 59s after the second: %v, want a 1s wait", err)
	}
	clk.add(time.Second)
	if err := a.SetPIN("3333"); err != nil {
		t.Fatalf("third PIN: %v", err)
	}
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- refusedEv
	drainConn(t, transport.ConnConnecting, a, b)
	drainConn(t, transport.ConnReconnecting, a, b)
	clk.add(89 * time.Second)
	if err := a.SetPIN("4444"); !errors.As(err, &wait) || wait.Wait != time.Second {
		t.Fatalf("PIN 89s after the third: %v, want a 1s wait (90s at most)", err)
	}
	clk.add(time.Second)
	if err := a.SetPIN("4444"); err != nil {
		t.Fatalf("fourth PIN: %v", err)
	}

	// Accepted: the account is live, and the spacing starts over.
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- live()
	drainConn(t, transport.ConnConnecting, a, b)
	drainConn(t, transport.ConnLive, a, b)
	up.events <- refusedEv
	drainConn(t, transport.ConnReconnecting, a, b)
	if err := b.SetPIN("5555"); err != nil {
		t.Fatalf("first PIN after the account was live again: %v", err)
	}
	if n := strings.Count(strings.Join(up.cmds(), "\n"), "setpin"); n != 5 {
		t.Fatalf("upstream got %d PINs, want 5: %v", n, up.cmds())
	}

	logged := logBuf.String()
	for _, pin := range []string{"1111", "2222", "3333", "4444", "5555"} {
		if strings.Contains(logged, pin) {
			t.Fatalf("the log holds a typed PIN:\n%s", logged)
		}
	}
	for _, want := range []string{"fingerprint=SHA256:alice", "PIN typed at a console; trying it", "PIN typed at a console refused",
		"PIN typed at a console accepted", "PIN typed at a console not tried", "did=" + acct.User} {
		if !strings.Contains(logged, want) {
			t.Fatalf("the log lacks %q:\n%s", want, logged)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.SetPIN("6666"); !errors.Is(err, ErrClosed) {
		t.Fatalf("SetPIN after Close: %v, want ErrClosed", err)
	}
}

// A console reaches its own account's upstream only: while one account is
// refused, a console of another cannot set a PIN, and the refused one's
// upstream gets none from it.
func TestSetPINStaysWithItsAccount(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Hour, nil)
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	front, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	frontUp := o.last()
	other := acct
	other.User = "6465552000"
	back, err := h.Attach(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	backUp := o.last()
	frontUp.events <- refusedEv
	backUp.events <- live()
	drainConn(t, transport.ConnReconnecting, front)
	drainConn(t, transport.ConnLive, back)

	if err := back.SetPIN("1111"); !errors.Is(err, ErrNotRefused) {
		t.Fatalf("the live account's console: %v, want ErrNotRefused", err)
	}
	if cmds := frontUp.cmds(); len(cmds) != 0 {
		t.Fatalf("the refused account's upstream got %v from another account's console", cmds)
	}
	noEvent(t, back)
}

// A typed PIN that was accepted stands in for the settings' PIN in the
// account's later upstreams, in memory, until the settings give another
// PIN (the administrator fixed the pin file).
func TestAcceptedPINOutlivesTheUpstream(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Millisecond, nil)
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	a, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	up := o.last()
	up.events <- refusedEv
	drainConn(t, transport.ConnReconnecting, a)
	if err := a.SetPIN("2468"); err != nil {
		t.Fatal(err)
	}
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- live()
	drainConn(t, transport.ConnConnecting, a)
	drainConn(t, transport.ConnLive, a)

	reopen := func(acct transport.Account) *Client {
		t.Helper()
		waitFor(t, "the idle upstream to close", func() bool { return h.Upstreams() == 0 })
		c, err := h.Attach(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a.Close()
	b := reopen(acct)
	if got := o.lastPIN(); got != "2468" {
		t.Fatalf("reopened with PIN %q, want the accepted typed one", string(got))
	}
	b.Close()
	fixed := acct
	fixed.PIN = "1357"
	c := reopen(fixed)
	if got := o.lastPIN(); got != "1357" {
		t.Fatalf("reopened with PIN %q after the settings changed, want the settings' one", string(got))
	}
	c.Close()
	d := reopen(acct)
	if got := o.lastPIN(); got != acct.PIN {
		t.Fatalf("the typed PIN came back after the settings changed: %q", string(got))
	}
	d.Close()
}

// The settings read again with a corrected PIN: a refused upstream tries it
// at once, whatever the console spacing, and it replaces a typed PIN that
// was accepted; a live upstream keeps going and an unchanged PIN does
// nothing.
func TestSettingsPIN(t *testing.T) {
	o := &opener{}
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h := New(o.open, time.Millisecond, nil, WithClock(clk.now))
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	a, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	up := o.last()
	up.events <- refusedEv
	drainConn(t, transport.ConnReconnecting, a)
	a.SettingsPIN(acct.PIN)
	if cmds := up.cmds(); len(cmds) != 0 {
		t.Fatalf("an unchanged PIN reached the upstream: %v", cmds)
	}
	// A console's wrong PIN, then the administrator's fix, tried at once.
	if err := a.SetPIN("1111"); err != nil {
		t.Fatal(err)
	}
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- refusedEv
	drainConn(t, transport.ConnConnecting, a)
	drainConn(t, transport.ConnReconnecting, a)
	a.SettingsPIN("2222")
	if got := up.lastPIN(); got != "2222" {
		t.Fatalf("upstream PIN %q, want the settings' new one", string(got))
	}
	up.events <- connEvent(transport.ConnConnecting, nil)
	up.events <- live()
	drainConn(t, transport.ConnConnecting, a)
	drainConn(t, transport.ConnLive, a)
	// Live: a PIN changed in the settings waits for the next upstream.
	a.SettingsPIN("3333")
	if got := up.lastPIN(); got != "2222" {
		t.Fatalf("a live upstream was given PIN %q", string(got))
	}
	a.Close()
	waitFor(t, "the idle upstream to close", func() bool { return h.Upstreams() == 0 })
	fixed := acct
	fixed.PIN = "3333"
	b, err := h.Attach(ctx, fixed)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := o.lastPIN(); got != "3333" {
		t.Fatalf("reopened with PIN %q, want the settings' one", string(got))
	}
}
