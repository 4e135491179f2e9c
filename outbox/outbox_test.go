package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/smtptest"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/outbox"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
)

// rig is an outbox over a real SQLite store, with every attempt's outcome
// reported on a channel.
type rig struct {
	db       *sqlite.Store
	outcomes chan model.Delivery
}

func newRig(t *testing.T, senders map[model.Channel]outbox.Sender, b outbox.Backoff) *rig {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{db: db, outcomes: make(chan model.Delivery, 100)}
	o := outbox.New(db, senders, b)
	o.OnResult(func(d model.Delivery, _ model.Message) { r.outcomes <- d })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

// take stores a message with the given deliveries, as the console does.
func (r *rig) take(t *testing.T, ds ...model.Delivery) int64 {
	t.Helper()
	m := message
	m.Deliveries = ds
	id, err := r.db.AddMessage(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// next waits for the next attempt's outcome.
func (r *rig) next(t *testing.T) model.Delivery {
	t.Helper()
	select {
	case d := <-r.outcomes:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery attempt within 10 s")
		return model.Delivery{}
	}
}

// stored is message id's deliveries as the store has them.
func (r *rig) stored(t *testing.T, id int64) []model.Delivery {
	t.Helper()
	ms, err := r.db.Messages(context.Background(), store.Scope{Accounts: []string{message.Account}}, store.MessageQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m.Deliveries
		}
	}
	t.Fatalf("message %d not stored", id)
	return nil
}

var message = model.Message{
	Account: "6465551000", For: "Grace Hopper", CallerName: "Ada Lovelace", CallerNumber: "+1 646-555-0101",
	Text: "Please call back about the \x1b[31mengine\x1b[0m", TakenBy: "front desk",
	Created: time.Date(2026, 12, 1, 14, 3, 0, 0, time.UTC),
}

func TestMailArrivesWithWhoWhenAndWhat(t *testing.T) {
	ms := smtptest.Start(t, "")
	sender, err := outbox.NewSMTP(outbox.SMTPConfig{Server: ms.Addr, From: "desk@example.com", TLS: outbox.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, map[model.Channel]outbox.Sender{model.ChannelMail: sender}, outbox.Backoff{First: 10 * time.Millisecond, Max: 50 * time.Millisecond})
	id := r.take(t, model.Delivery{Channel: model.ChannelMail, To: "grace@example.com"})
	if d := r.next(t); d.State != model.DeliverySent || d.Attempts != 1 {
		t.Fatalf("attempt: %+v", d)
	}
	if ds := r.stored(t, id); len(ds) != 1 || ds[0].State != model.DeliverySent {
		t.Fatalf("stored deliveries %+v", ds)
	}
	got := ms.Received()
	if len(got) != 1 {
		t.Fatalf("server received %d mails, want 1", len(got))
	}
	m := got[0]
	if m.From != "desk@example.com" || m.To != "grace@example.com" {
		t.Errorf("envelope from %q to %q", m.From, m.To)
	}
	for _, want := range []string{"Subject: Message from Ada Lovelace", "+1 646-555-0101", "Tue 1 Dec 2026 14:03", "Taken by: front desk", "Please call back about the engine"} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.Data)
		}
	}
	if strings.Contains(m.Data, "\x1b") {
		t.Errorf("mail carries an escape byte:\n%q", m.Data)
	}
}

func TestMailWaitsForTheServerToComeBack(t *testing.T) {
	addr := smtptest.FreeAddr(t) // the server is down

	sender, err := outbox.NewSMTP(outbox.SMTPConfig{Server: addr, From: "desk@example.com", TLS: outbox.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, map[model.Channel]outbox.Sender{model.ChannelMail: sender}, outbox.Backoff{First: 20 * time.Millisecond, Max: 100 * time.Millisecond})
	id := r.take(t, model.Delivery{Channel: model.ChannelMail, To: "grace@example.com"})
	for range 2 {
		if d := r.next(t); d.State != model.DeliveryQueued || !strings.Contains(d.LastError, "refused") {
			t.Fatalf("while down: %+v, want queued with the connection's refusal", d)
		}
	}
	if ds := r.stored(t, id); ds[0].State != model.DeliveryQueued || ds[0].Attempts < 2 || ds[0].LastError == "" {
		t.Fatalf("stored while down: %+v", ds)
	}

	ms := smtptest.Start(t, addr)
	for d := r.next(t); d.State != model.DeliverySent; d = r.next(t) {
		if d.State != model.DeliveryQueued {
			t.Fatalf("attempt %+v", d)
		}
	}
	if got := ms.Received(); len(got) != 1 || got[0].To != "grace@example.com" {
		t.Fatalf("server received %+v", got)
	}
	if ds := r.stored(t, id); ds[0].State != model.DeliverySent || ds[0].LastError != "" {
		t.Errorf("stored after sending: %+v", ds)
	}
}

func TestMailboxRefusedForGoodIsFailedNotRetried(t *testing.T) {
	ms := smtptest.Start(t, "")
	ms.Reject(550)
	sender, err := outbox.NewSMTP(outbox.SMTPConfig{Server: ms.Addr, From: "desk@example.com", TLS: outbox.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, map[model.Channel]outbox.Sender{model.ChannelMail: sender}, outbox.Backoff{First: time.Millisecond, Max: time.Millisecond})
	id := r.take(t, model.Delivery{Channel: model.ChannelMail, To: "nobody@example.com"})
	if d := r.next(t); d.State != model.DeliveryFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "550") {
		t.Fatalf("got %+v, want one attempt failed with the 550 reply", d)
	}
	select {
	case d := <-r.outcomes:
		t.Fatalf("a failed delivery was tried again: %+v", d)
	case <-time.After(50 * time.Millisecond): // 50 backoffs
	}
	if ds := r.stored(t, id); ds[0].State != model.DeliveryFailed {
		t.Errorf("stored %+v", ds)
	}
}

func TestWebhookGetsJSONAndRetriesServerErrors(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, r.Header.Get("Content-Type")+" "+string(b))
	}))
	defer srv.Close()
	hook, err := outbox.NewWebhook(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, map[model.Channel]outbox.Sender{model.ChannelWebhook: hook}, outbox.Backoff{First: 10 * time.Millisecond, Max: 10 * time.Millisecond})
	id := r.take(t, model.Delivery{Channel: model.ChannelWebhook})
	if d := r.next(t); d.State != model.DeliveryQueued || !strings.Contains(d.LastError, "HTTP 502") {
		t.Fatalf("first attempt %+v", d)
	}
	if d := r.next(t); d.State != model.DeliverySent {
		t.Fatalf("second attempt %+v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 || len(bodies) != 1 {
		t.Fatalf("webhook called %d times, bodies %q", calls, bodies)
	}
	for _, want := range []string{"application/json", fmt.Sprintf(`"message_id":%d`, id), `"caller_name":"Ada Lovelace"`, `"for":"Grace Hopper"`, `"taken_by":"front desk"`} {
		if !strings.Contains(bodies[0], want) {
			t.Errorf("webhook body lacks %s: %s", want, bodies[0])
		}
	}
}

func TestSMTPSettingsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		cfg  outbox.SMTPConfig
		want string
	}{
		{outbox.SMTPConfig{From: "a@b"}, "server is not set"},
		{outbox.SMTPConfig{Server: "mail:99999", From: "a@b"}, "port must be"},
		{outbox.SMTPConfig{Server: "mail", From: "a@b", TLS: "ssl"}, "use starttls, tls or none"},
		{outbox.SMTPConfig{Server: "mail"}, "from is not set"},
	} {
		if _, err := outbox.NewSMTP(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSMTP(%+v) = %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
}

func TestBackoffDoublesToItsCap(t *testing.T) {
	b := outbox.Backoff{First: time.Second, Max: 5 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 40: 5 * time.Second} {
		if got := b.After(n); got != want {
			t.Errorf("After(%d) = %v, want %v", n, got, want)
		}
	}
}
