package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/smtptest"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/outbox"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
)

// A message taken over SSH for a directory person with an e-mail address
// is mailed to them; taken while the mail server is down, it waits in the
// outbox, shown as queued, and arrives once the server is back.
func TestServeMailsAMessageToItsPerson(t *testing.T) {
	old := deliveryBackoff
	deliveryBackoff = outbox.Backoff{First: 100 * time.Millisecond, Max: 200 * time.Millisecond}
	t.Cleanup(func() { deliveryBackoff = old })

	srv, env := startSim(t)
	dir := t.TempDir()
	signers, pubs := sshKeys(t, "alice")
	signer, pub := signers["alice"], pubs["alice"]
	write := fileWriter(t, dir)
	mailAddr := smtptest.FreeAddr(t) // down until started below
	write("front.pin", testPIN+"\n")
	write("contacts.csv", "Name,Number,Email\nGrace Hopper,6465550104,grace@example.com\n")
	history := filepath.Join(dir, "history.db")
	cfg := write("config.toml", "server = \""+env[config.EnvServer]+"\"\ndirectory = \"contacts.csv\"\nhistory = \"history.db\"\n\n"+
		"[[account]]\nname = \"front\"\nuser = \""+testDID+"\"\npin_file = \"front.pin\"\nkeys = [\""+pub+"\"]\n\n"+
		"[smtp]\nserver = \""+mailAddr+"\"\nfrom = \"desk@example.com\"\ntls = \"none\"\n")
	ak := write("authorized_keys", pub+"\n")

	served := startServe(t, dir, cfg, ak)

	client, err := gossh.Dial("tcp", served.addr, &gossh.ClientConfig{User: "alice",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, served.log.String())
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var screen syncbuffer.Buffer
	sess.Stdout = &screen
	keys, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	subCtx, subCancel := context.WithTimeout(context.Background(), stepTimeout)
	defer subCancel()
	if err := srv.WaitSubscribed(subCtx, testDID, 1); err != nil {
		t.Fatalf("no upstream subscribed: %v\n%s", err, served.log.String())
	}
	waitStep(t, func() bool { return strings.Contains(screen.String(), testDID) }, screen.String)

	// To Messages, a new message for Grace Hopper, saved.
	typeKeys := func(s string) {
		t.Helper()
		if _, err := io.WriteString(keys, s); err != nil {
			t.Fatal(err)
		}
	}
	typeKeys("\t\t")
	waitStep(t, func() bool { return strings.Contains(screen.String(), "MESSAGES") }, screen.String)
	typeKeys("m")
	waitStep(t, func() bool { return strings.Contains(screen.String(), "For:") }, screen.String)
	// Keys are read in order: the text is in the form before ctrl+s.
	typeKeys("Grace Hopper\t\t\tPlease call Ada back about the engine\x13")

	// Stored with its delivery queued, and the failed attempt recorded.
	db, err := sqlite.Open(history, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	delivery := func() model.Delivery {
		msgs, err := db.Messages(context.Background(), store.Scope{Accounts: []string{testDID}}, store.MessageQuery{})
		if err != nil || len(msgs) != 1 || len(msgs[0].Deliveries) != 1 {
			return model.Delivery{}
		}
		return msgs[0].Deliveries[0]
	}
	waitStep(t, func() bool { d := delivery(); return d.Attempts >= 1 && d.State == model.DeliveryQueued }, served.log.String)
	if d := delivery(); d.Channel != model.ChannelMail || d.To != "grace@example.com" || !strings.Contains(d.LastError, "refused") {
		t.Fatalf("delivery while the server is down: %+v", d)
	}
	waitStep(t, func() bool { return strings.Contains(screen.String(), "mail queued") }, screen.String)

	// The server comes back: the mail arrives.
	mail := smtptest.Start(t, mailAddr)
	select {
	case <-mail.Arrived():
	case <-time.After(stepTimeout):
		t.Fatalf("no mail arrived:\n%s", served.log.String())
	}
	got := mail.Received()
	if len(got) != 1 || got[0].To != "grace@example.com" || got[0].From != "desk@example.com" {
		t.Fatalf("received %+v", got)
	}
	for _, want := range []string{"For:      Grace Hopper", "Please call Ada back about the engine", "Taken by: alice"} {
		if !strings.Contains(got[0].Data, want) {
			t.Errorf("mail lacks %q:\n%s", want, got[0].Data)
		}
	}
	waitStep(t, func() bool { return delivery().State == model.DeliverySent }, served.log.String)

	served.stop(t)
	if n := len(mail.Received()); n != 1 {
		t.Errorf("%d mails for one message", n)
	}
}
