package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

const redacted = "[redacted]"

// Secret is the PIN. It prints as "[redacted]" with every fmt verb, so it can
// sit in structs that get logged.
type Secret string

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]".
func (Secret) GoString() string { return redacted }

// Format prints "[redacted]" for every verb.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// MarshalText keeps the PIN out of JSON, TOML and text encodings.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Account is what the API needs to act for one DID.
type Account struct {
	Server   string // full URL ending /bobl/bobl
	User     string // the DID
	PIN      Secret
	Endpoint string // the phone's MAC, usually blank
	CAFile   string // optional PEM file of extra trusted CAs for https
}

// DefaultServer is the production API URL.
const DefaultServer = "https://hostedconnect.m5net.com/bobl/bobl"

// String describes the account without its PIN.
func (a Account) String() string {
	return fmt.Sprintf("Account{Server:%s User:%s PIN:%s Endpoint:%s CAFile:%s}", a.Server, a.User, redacted, a.Endpoint, a.CAFile)
}

// GoString describes the account without its PIN.
func (a Account) GoString() string { return a.String() }

// Format prints the account without its PIN for every verb.
func (a Account) Format(f fmt.State, _ rune) { io.WriteString(f, a.String()) }

// validate checks the account and returns the parsed server URL.
func (a Account) validate() (*url.URL, error) {
	if a.Server == "" {
		return nil, errors.New("account: no server URL")
	}
	u, err := url.Parse(a.Server)
	if err != nil {
		// Not url.Parse's error: it quotes the whole input, user and
		// password included.
		return nil, fmt.Errorf("account: server URL %q is not a URL", DisplayURL(a.Server))
	}
	if u.User != nil {
		return nil, fmt.Errorf("account: server URL %q must not carry a user or password", DisplayURL(a.Server))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("account: refusing to send the PIN over plain http to %s; use https", u.Host)
		}
	default:
		return nil, fmt.Errorf("account: server URL must start with https:// (got %q)", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("account: server URL has no host")
	}
	if u.User != nil {
		return nil, errors.New("account: server URL must not carry a user name or password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("account: server URL must not have a query or fragment")
	}
	if strings.TrimSpace(a.User) == "" {
		return nil, errors.New("account: no DID (user)")
	}
	if a.PIN == "" {
		return nil, errors.New("account: no PIN")
	}
	return u, nil
}

func withoutPIN(a Account) Account {
	a.PIN = ""
	return a
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// options configure a Stream or a Client. Options that only concern the
// stream are ignored by the Client.
type options struct {
	httpClient   *http.Client
	logger       *slog.Logger
	now          func() time.Time
	backoffMin   time.Duration
	backoffMax   time.Duration
	listMin      time.Duration
	listMax      time.Duration
	phoneRetry   time.Duration
	slowRetry    time.Duration
	authRetry    time.Duration
	cmdTimeout   time.Duration
	connTimeout  time.Duration
	eventBuffer  int
	resyncAfter  time.Duration
	stableAfter  time.Duration
	maxDocument  int64
	userAgent    string
	resubscribes int
}

// Option configures a Stream or a Client.
type Option func(*options)

// StreamOption configures a Stream.
type StreamOption = Option

// ClientOption configures a Client.
type ClientOption = Option

func defaultOptions() options {
	return options{
		logger:       slog.New(slog.DiscardHandler),
		now:          time.Now,
		backoffMin:   500 * time.Millisecond,
		backoffMax:   30 * time.Second,
		listMin:      5 * time.Second,
		listMax:      2 * time.Minute,
		phoneRetry:   30 * time.Second,
		slowRetry:    2 * time.Minute,
		authRetry:    5 * time.Minute,
		cmdTimeout:   20 * time.Second,
		connTimeout:  20 * time.Second,
		eventBuffer:  256,
		resyncAfter:  time.Second,
		maxDocument:  1 << 20,
		userAgent:    "frontdesk",
		resubscribes: 3,
	}
}

// WithHTTPClient uses c instead of the built-in client. The transport uses a
// shallow copy with redirects refused and (for the stream) no overall
// timeout; Account.CAFile is not applied to a client given this way.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithLogger logs to l (default: nothing is logged). The PIN is never logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithClock sets the time source for Event.At and ConnState.NextTry.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithBackoff sets the reconnect backoff: full jitter between 0 and
// min·2^attempt, capped at max (default 0.5 s to 30 s).
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) {
		o.backoffMin, o.backoffMax = positive(min, o.backoffMin), positive(max, o.backoffMax)
	}
}

// WithListCallsBackoff sets the backoff after listCalls is rate limited
// (error 6); default 5 s to 2 min.
func WithListCallsBackoff(min, max time.Duration) Option {
	return func(o *options) { o.listMin, o.listMax = positive(min, o.listMin), positive(max, o.listMax) }
}

// WithPhoneRetry sets how often the stream retries while the phone is not
// logged in (error 8); default 30 s.
func WithPhoneRetry(d time.Duration) Option {
	return func(o *options) { o.phoneRetry = positive(d, o.phoneRetry) }
}

// WithSlowRetry sets how often the stream retries a failure that will not
// fix itself (a certificate that is not trusted, an HTTP 4xx answer);
// default 2 min.
func WithSlowRetry(d time.Duration) Option {
	return func(o *options) { o.slowRetry = positive(d, o.slowRetry) }
}

// WithAuthRetry sets how often the stream subscribes again after the DID
// or PIN was refused (error 5: the provider may lift a block, or fix the
// PIN); default 5 min. SetPIN tries a new PIN at once.
func WithAuthRetry(d time.Duration) Option {
	return func(o *options) { o.authRetry = positive(d, o.authRetry) }
}

// WithCommandTimeout bounds each command when its context has no earlier
// deadline; default 20 s.
func WithCommandTimeout(d time.Duration) Option {
	return func(o *options) { o.cmdTimeout = positive(d, o.cmdTimeout) }
}

// WithConnectTimeout bounds connecting and subscribing; default 20 s.
func WithConnectTimeout(d time.Duration) Option {
	return func(o *options) { o.connTimeout = positive(d, o.connTimeout) }
}

// WithEventBuffer sets the capacity of the Events channel; default 256.
func WithEventBuffer(n int) Option {
	return func(o *options) {
		if n >= 0 {
			o.eventBuffer = n
		}
	}
}

// WithStableAfter sets how long a session must stay live before the
// reconnect backoff starts again from its minimum; default: the backoff max.
func WithStableAfter(d time.Duration) Option {
	return func(o *options) { o.stableAfter = positive(d, o.stableAfter) }
}

func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// buildHTTPClient returns the client for acct: the caller's (copied, with
// redirects refused) or a fresh one speaking HTTP/1.1 only, with TLS
// verification on and the optional extra CA file.
func buildHTTPClient(acct Account, given *http.Client, stream bool) (*http.Client, error) {
	refuseRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if given != nil {
		c := *given
		c.CheckRedirect = refuseRedirect
		if stream {
			c.Timeout = 0
		}
		return &c, nil
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if acct.CAFile != "" {
		pem, err := os.ReadFile(acct.CAFile)
		if err != nil {
			return nil, fmt.Errorf("account: reading CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("account: no PEM certificates in CA file %s", acct.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsConf
	tr.ForceAttemptHTTP2 = false
	tr.DisableCompression = true // a gzip reader would hold back streamed events
	var protos http.Protocols
	protos.SetHTTP1(true) // the stream is HTTP/1.1 chunked by the API's design
	tr.Protocols = &protos
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	if stream {
		tr.MaxIdleConnsPerHost = 1
	}
	return &http.Client{Transport: tr, CheckRedirect: refuseRedirect}, nil
}

// netError rewrites an error from http.Client.Do so that it never shows the
// request URL (the GET URL carries the PIN in its query): the message is
// built from the operation, the URL without query or user, and the cause
// under the url.Error, which keeps errors.Is working (timeouts, context
// cancellation).
func netError(op string, safeURL string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &requestError{msg: fmt.Sprintf("%s %s: %v", op, safeURL, err), err: err}
}

type requestError struct {
	msg string
	err error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

// DisplayURL is a URL as typed, for a message: without the user and
// password before the host, the query and the fragment, whichever of them
// it has, and cut out by position (never by searching for their text), so
// it works on text that does not parse as a URL.
func DisplayURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	host := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		host = i + 2
	}
	end := len(raw)
	if i := strings.IndexByte(raw[host:], '/'); i >= 0 {
		end = host + i
	}
	if at := strings.LastIndexByte(raw[host:end], '@'); at >= 0 {
		raw = raw[:host] + raw[host+at+1:]
	}
	return raw
}

// safeURL is the server URL without query, for messages.
func safeURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}

// link is what a Client or a Stream keeps of its account: the account with
// its PIN left blank, the PIN behind a func (which fmt cannot look into),
// the server URL, the HTTP client and the options.
type link struct {
	acct   Account
	pin    func() Secret
	url    *url.URL
	client *http.Client
	opts   options
}

// newLink checks the account, applies the options and builds the HTTP
// client (for the long-lived stream when stream is set).
func newLink(acct Account, opts []Option, stream bool) (link, error) {
	u, err := acct.validate()
	if err != nil {
		return link{}, err
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	hc, err := buildHTTPClient(acct, o.httpClient, stream)
	if err != nil {
		return link{}, err
	}
	return link{acct: withoutPIN(acct), pin: func() Secret { return acct.PIN }, url: u, client: hc, opts: o}, nil
}

// describe names the transport without its PIN.
func (l *link) describe(kind string) string {
	return "transport." + kind + "{server=" + safeURL(l.url) + " user=" + l.acct.User + "}"
}
