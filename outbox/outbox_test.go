package outbox_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/frontdesk/frontdesk/outbox"
)

// mailServer is a real SMTP server on loopback that keeps what it receives.
type mailServer struct {
	addr   string
	server *smtp.Server
	mu     sync.Mutex
	got    []receivedMail
	reject int // answer RCPT with this code when not zero
}

type receivedMail struct {
	From, To string
	Data     string
}

func startMailServer(t *testing.T, addr string) *mailServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ms := &mailServer{addr: ln.Addr().String()}
	ms.server = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &mailSession{server: ms}, nil
	}))
	ms.server.Domain = "localhost"
	go func() { _ = ms.server.Serve(ln) }()
	t.Cleanup(func() { _ = ms.server.Close() })
	return ms
}

func (ms *mailServer) received() []receivedMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]receivedMail(nil), ms.got...)
}

type mailSession struct {
	server   *mailServer
	from, to string
}

func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.server.mu.Lock()
	code := s.server.reject
	s.server.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, Message: "no such mailbox"}
	}
	s.to = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	s.server.got = append(s.server.got, receivedMail{From: s.from, To: s.to, Data: string(b)})
	s.server.mu.Unlock()
	return nil
}

// memQueue keeps deliveries in memory for the outbox's own tests; the
// stores have their own tests of the same contract.
type memQueue struct {
	mu      sync.Mutex
	items   map[int64]*item
	changed chan struct{}
}

type item struct {
	d outbox.Delivery
	r outbox.Result
}

func newMemQueue(ds ...outbox.Delivery) *memQueue {
	q := &memQueue{items: map[int64]*item{}, changed: make(chan struct{}, 100)}
	for _, d := range ds {
		q.items[d.ID] = &item{d: d, r: outbox.Result{State: outbox.Queued}}
	}
	return q
}

func (q *memQueue) Due(_ context.Context, now time.Time) ([]outbox.Delivery, time.Time, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var due []outbox.Delivery
	var next time.Time
	for id := int64(1); id <= int64(len(q.items)); id++ {
		it := q.items[id]
		if it.r.State != outbox.Queued {
			continue
		}
		if !it.r.NextTry.After(now) {
			d := it.d
			d.Attempts = it.r.Attempts
			due = append(due, d)
		} else if next.IsZero() || it.r.NextTry.Before(next) {
			next = it.r.NextTry
		}
	}
	return due, next, nil
}

func (q *memQueue) Record(_ context.Context, id int64, r outbox.Result) error {
	q.mu.Lock()
	q.items[id].r = r
	q.mu.Unlock()
	q.changed <- struct{}{}
	return nil
}

func (q *memQueue) result(id int64) outbox.Result {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items[id].r
}

// waitFor waits until cond holds, each recorded result waking it.
func (q *memQueue) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-q.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

var letter = outbox.Letter{
	For: "Grace Hopper", CallerName: "Ada Lovelace", CallerNumber: "+1 646-555-0101",
	Text: "Please call back about the \x1b[31mengine\x1b[0m", TakenBy: "front desk",
	Taken: time.Date(2026, 12, 1, 14, 3, 0, 0, time.UTC),
}

func run(t *testing.T, o *outbox.Outbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestMailArrivesWithWhoWhenAndWhat(t *testing.T) {
	ms := startMailServer(t, "")
	sender, err := outbox.NewSMTP(outbox.SMTPConfig{Server: ms.addr, From: "desk@example.com", TLS: outbox.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	q := newMemQueue(outbox.Delivery{ID: 1, MessageID: 7, Channel: outbox.Mail, To: "grace@example.com", Letter: letter})
	o := outbox.New(q, map[outbox.Channel]outbox.Sender{outbox.Mail: sender}, outbox.Backoff{First: 10 * time.Millisecond, Max: 50 * time.Millisecond})
	run(t, o)
	q.waitFor(t, "sent", func() bool { return q.result(1).State == outbox.Sent })
	got := ms.received()
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
	// Reserve a port, then close it: the server is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	sender, err := outbox.NewSMTP(outbox.SMTPConfig{Server: addr, From: "desk@example.com", TLS: outbox.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	q := newMemQueue(outbox.Delivery{ID: 1, MessageID: 7, Channel: outbox.Mail, To: "grace@example.com", Letter: letter})
	o := outbox.New(q, map[outbox.Channel]outbox.Sender{outbox.Mail: sender}, outbox.Backoff{First: 20 * time.Millisecond, Max: 100 * time.Millisecond})
	run(t, o)
	q.waitFor(t, "two failed attempts", func() bool { return q.result(1).Attempts >= 2 })
	r := q.result(1)
	if r.State != outbox.Queued || !strings.Contains(r.LastError, "refused") {
		t.Fatalf("while down: %+v, want queued with the connection's refusal", r)
	}

	ms := startMailServer(t, addr)
	q.waitFor(t, "sent after the server came back", func() bool { return q.result(1).State == outbox.Sent })
	if got := ms.received(); len(got) != 1 || got[0].To != "grace@example.com" {
		t.Fatalf("server received %+v", got)
	}
	if r := q.result(1); r.LastError != "" {
		t.Errorf("a sent delivery keeps the error %q", r.LastError)
	}
}

func TestMailboxRefusedForGoodIsFailedNotRetried(t *testing.T) {
	ms := startMailServer(t, "")
	ms.reject = 550
	sender, err := outbox.NewSMTP(outbox.SMTPConfig{Server: ms.addr, From: "desk@example.com", TLS: outbox.NoTLS})
	if err != nil {
		t.Fatal(err)
	}
	q := newMemQueue(outbox.Delivery{ID: 1, Channel: outbox.Mail, To: "nobody@example.com", Letter: letter})
	o := outbox.New(q, map[outbox.Channel]outbox.Sender{outbox.Mail: sender}, outbox.Backoff{First: time.Millisecond, Max: time.Millisecond})
	run(t, o)
	q.waitFor(t, "failed", func() bool { return q.result(1).State == outbox.Failed })
	if r := q.result(1); r.Attempts != 1 || !strings.Contains(r.LastError, "550") {
		t.Errorf("got %+v, want one attempt failed with the 550 reply", r)
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
	q := newMemQueue(outbox.Delivery{ID: 1, MessageID: 7, Channel: outbox.Webhook, Letter: letter})
	o := outbox.New(q, map[outbox.Channel]outbox.Sender{outbox.Webhook: hook}, outbox.Backoff{First: 10 * time.Millisecond, Max: 10 * time.Millisecond})
	run(t, o)
	q.waitFor(t, "sent", func() bool { return q.result(1).State == outbox.Sent })
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 || len(bodies) != 1 {
		t.Fatalf("webhook called %d times, bodies %q", calls, bodies)
	}
	for _, want := range []string{"application/json", `"message_id":7`, `"caller_name":"Ada Lovelace"`, `"for":"Grace Hopper"`} {
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
