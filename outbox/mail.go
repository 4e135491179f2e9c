package outbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/frontdesk/frontdesk/model"
)

// TLS is how the SMTP connection is protected.
type TLS string

const (
	StartTLS    TLS = "starttls" // plain connection upgraded with STARTTLS (port 587); required
	ImplicitTLS TLS = "tls"      // TLS from the first byte (port 465)
	NoTLS       TLS = "none"     // no encryption: a relay on the same host or network only
)

// SMTPConfig is the [smtp] section of the configuration.
type SMTPConfig struct {
	Server   string // host or host:port
	From     string // the sender address
	User     string // empty: no authentication
	Password string // read from the password file; never logged
	TLS      TLS    // empty means StartTLS
}

// SMTP mails deliveries through one SMTP server, a connection per attempt.
type SMTP struct {
	client *mail.Client
	from   string
}

// NewSMTP checks cfg and returns a sender for it. Nothing is dialled yet.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host, port, err := splitServer(cfg.Server, cfg.TLS)
	if err != nil {
		return nil, err
	}
	if cfg.From == "" {
		return nil, errors.New("smtp: from is not set (the address messages are sent from)")
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(smtpTimeout)}
	switch cfg.TLS {
	case StartTLS, "":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: tls = %q: use starttls, tls or none", cfg.TLS)
	}
	if cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(cfg.User), mail.WithPassword(cfg.Password))
	}
	client, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &SMTP{client: client, from: cfg.From}, nil
}

func splitServer(server string, tls TLS) (string, int, error) {
	if server == "" {
		return "", 0, errors.New("smtp: server is not set")
	}
	host, portText, err := net.SplitHostPort(server)
	if err != nil {
		// No port: the usual one for the TLS mode.
		switch tls {
		case ImplicitTLS:
			return server, mail.DefaultPortSSL, nil
		case NoTLS:
			return server, mail.DefaultPort, nil
		default:
			return server, mail.DefaultPortTLS, nil
		}
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("smtp: server %q: the port must be a number from 1 to 65535", server)
	}
	return host, port, nil
}

// Send mails message m to d.To.
func (s *SMTP) Send(ctx context.Context, d model.Delivery, m model.Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return Permanent(fmt.Errorf("from address %q: %w", s.from, err))
	}
	if err := msg.To(d.To); err != nil {
		return Permanent(fmt.Errorf("address %q: %w", d.To, err))
	}
	msg.Subject(Subject(m))
	msg.SetDateWithValue(m.Created)
	msg.SetBodyString(mail.TypeTextPlain, Body(m))
	err := s.client.DialAndSendWithContext(ctx, msg)
	var sendErr *mail.SendError
	if errors.As(err, &sendErr) && !sendErr.IsTemp() && sendErr.ErrorCode() >= 500 {
		return Permanent(err)
	}
	return err
}

// Subject is the mail's subject line.
func Subject(m model.Message) string {
	who := firstOf(m.CallerName, m.CallerNumber, "a caller")
	return oneLine("Message from " + who)
}

// Body is the mail's plain text: who called, their number, when, the
// message, who took it.
func Body(m model.Message) string {
	var b strings.Builder
	if m.For != "" {
		fmt.Fprintf(&b, "For:      %s\n", oneLine(m.For))
	}
	fmt.Fprintf(&b, "From:     %s\n", oneLine(firstOf(m.CallerName, "(no name)")))
	fmt.Fprintf(&b, "Number:   %s\n", oneLine(firstOf(m.CallerNumber, "(no number)")))
	fmt.Fprintf(&b, "When:     %s\n", m.Created.Format("Mon 2 Jan 2006 15:04 MST"))
	if m.TakenBy != "" {
		fmt.Fprintf(&b, "Taken by: %s\n", oneLine(m.TakenBy))
	}
	if m.Account != "" {
		fmt.Fprintf(&b, "Line:     %s\n", oneLine(m.Account))
	}
	b.WriteString("\n")
	b.WriteString(cleanText(m.Text))
	b.WriteString("\n")
	return b.String()
}

const (
	smtpTimeout = 30 * time.Second // dial, TLS and the whole exchange
	maxLineLen  = 2000
)

// oneLine strips what a mail reader could be fooled by (controls, escapes,
// bidirectional overrides) from untrusted text.
func oneLine(s string) string { return model.Clean(s, maxLineLen) }

// cleanText is oneLine for each line of a text that may have several.
func cleanText(s string) string {
	var lines []string
	for line := range strings.SplitSeq(s, "\n") {
		lines = append(lines, oneLine(line))
	}
	return strings.Join(lines, "\n")
}

func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
