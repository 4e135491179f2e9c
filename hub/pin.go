package hub

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/transport"
)

// Who may set an account's PIN from a console, and how often:
//
//   - Any console attached to the account, and only while the phone service
//     refuses the account's DID or PIN (error 5 on subscribe): a console
//     holds a Client of its own account's upstream only, so it can never
//     reach another account's.
//   - The PIN is given to the shared upstream, so every console of the
//     account goes live with it. It is kept in memory only, never written
//     to the pin file, and outlives the upstream only while the settings
//     still give the PIN it replaced: once the administrator corrects the
//     pin file and the server reloads its settings, the file's PIN is used
//     again, and tried at once if the account is refused (SettingsPIN).
//   - Error 5 also answers an account the provider blocked for abuse, and
//     a run of wrong PINs may be what gets it blocked. So a typed PIN is
//     tried at once the first time, then no sooner than the spacing after
//     the one before (doubling from the first to the most, see
//     WithPINSpacing) until one is accepted.

// Errors a console gets back from Client.SetPIN and Client.PINWait. None
// of them carries the PIN.
var (
	// ErrNotRefused: the phone service is not refusing the account's PIN,
	// so there is nothing to retype.
	ErrNotRefused = errors.New("the phone service is not refusing this account's PIN")
	// ErrPINTrying: a PIN typed at a console of the account is being tried
	// now; its outcome shows in the header.
	ErrPINTrying = errors.New("a PIN typed at a console of this account is being tried now")
)

// PINWaitError says a typed PIN was not tried because one was tried on the
// account too recently.
type PINWaitError struct {
	Wait time.Duration // until the next PIN may be tried
}

func (e *PINWaitError) Error() string {
	return fmt.Sprintf("a PIN was tried on this account moments ago; the next one can be tried in %s (the phone service blocks accounts that try too many)",
		e.Wait.Round(time.Second))
}

// Default spacing of typed PINs on one account.
const (
	DefaultPINFirst = 30 * time.Second
	DefaultPINMost  = 5 * time.Minute
)

// WithPINSpacing sets how long after a typed PIN the next one may be tried:
// first after the first, doubling with each one after it up to most.
func WithPINSpacing(first, most time.Duration) Option {
	return func(h *Hub) {
		h.pinFirst = max(first, 0)
		h.pinMost = max(most, h.pinFirst)
	}
}

// WithConsoleLog makes the hub log what this console does to the shared
// upstream (a PIN typed again) on l, which says who the console is.
func WithConsoleLog(l *log.Logger) AttachOption {
	return func(c *Client) {
		if l != nil {
			c.log = l
		}
	}
}

// AttachOption adjusts one console's Client.
type AttachOption func(*Client)

// pinState is one account's typed PINs, kept for as long as the process
// runs (by account key, across upstreams). Guarded by its mu; a feed's mu,
// when both are held, is taken first.
type pinState struct {
	mu sync.Mutex
	// tries counts typed PINs since the account was last live;
	// notBefore is when the next one may be tried.
	tries     int
	notBefore time.Time
	// trying: a typed PIN was handed to the upstream and its outcome is
	// not in yet; started once the upstream began connecting with it.
	trying, started bool
	// typed is the PIN the upstream now uses when a console typed it; ""
	// when it uses the settings' PIN.
	typed transport.Secret
	// accepted replaces the settings' PIN replaced in upstreams opened
	// later; "" when no typed PIN was accepted.
	accepted, replaced transport.Secret
}

// pinsFor returns the account's PIN state, creating it. Called with h.mu
// held.
func (h *Hub) pinsFor(key string) *pinState {
	p := h.pins[key]
	if p == nil {
		p = &pinState{}
		h.pins[key] = p
	}
	return p
}

// openPIN is the PIN a new upstream for acct starts with: the settings'
// one, unless a console typed one that was accepted in its place and the
// settings still give the PIN it replaced.
func (p *pinState) openPIN(acct transport.Account) transport.Secret {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.typed, p.trying, p.started = "", false, false
	if p.accepted == "" {
		return acct.PIN
	}
	if acct.PIN != p.replaced {
		// The administrator changed the PIN in the settings: theirs wins.
		p.accepted, p.replaced = "", ""
		return acct.PIN
	}
	p.typed = p.accepted
	return p.accepted
}

// spacing is how long to wait after the nth typed PIN.
func (h *Hub) spacing(n int) time.Duration {
	d := h.pinFirst
	for i := 1; i < n && d < h.pinMost; i++ {
		d *= 2
	}
	return min(d, h.pinMost)
}

// observeLocked follows the outcome of a typed PIN in the upstream's
// connection states. Called with f.mu held.
func (h *Hub) observeLocked(f *feed, st transport.ConnState) {
	p := f.pins
	p.mu.Lock()
	defer p.mu.Unlock()
	switch st.Status {
	case transport.ConnConnecting:
		p.started = p.trying
	case transport.ConnLive:
		if p.typed != "" && p.accepted != p.typed {
			p.accepted, p.replaced = p.typed, f.settingsPIN
			h.log.Info("PIN typed at a console accepted; the account uses it, in memory only, until the pin file gives another PIN or the server restarts", "did", f.did)
		}
		p.tries, p.notBefore = 0, time.Time{}
		p.trying, p.started = false, false
	case transport.ConnReconnecting:
		if p.trying && p.started {
			if errors.Is(st.Err, transport.ErrAuth) {
				h.log.Warn("PIN typed at a console refused", "did", f.did, "tries", p.tries)
			}
			p.trying, p.started = false, false
		}
	case transport.ConnFailed:
		// The upstream stopped: whatever was being tried, no outcome comes.
		p.trying, p.started = false, false
	}
}

// PINWait says why SetPIN would not try a PIN now, or nil when it would:
// asked before the receptionist types one.
func (c *Client) PINWait() error {
	if c.closed.Load() {
		return ErrClosed
	}
	f := c.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pins.mu.Lock()
	defer f.pins.mu.Unlock()
	return c.pinWaitLocked(c.hub.now())
}

// pinWaitLocked is PINWait with the feed's and its PIN state's locks held.
func (c *Client) pinWaitLocked(now time.Time) error {
	f, p := c.feed, c.feed.pins
	refused := f.haveConn && f.conn.Conn.Status == transport.ConnReconnecting && errors.Is(f.conn.Conn.Err, transport.ErrAuth)
	switch {
	case p.trying:
		return ErrPINTrying
	case !refused:
		return ErrNotRefused
	case now.Before(p.notBefore):
		return &PINWaitError{Wait: p.notBefore.Sub(now)}
	}
	return nil
}

// SettingsPIN tells the hub the PIN the settings give for the client's
// account now, read again when the server reloads them: the administrator
// may have corrected the pin file. A PIN other than the one the upstream
// was opened with replaces it, and a typed PIN accepted in its stead; when
// the phone service refuses the account and no typed PIN is being tried,
// the upstream tries the new one at once (the administrator's reload, not
// a console's key, so the console spacing does not hold it back).
func (c *Client) SettingsPIN(pin transport.Secret) {
	up, err := c.upstream()
	if err != nil {
		return
	}
	f := c.feed
	f.mu.Lock()
	p := f.pins
	p.mu.Lock()
	changed := pin != f.settingsPIN
	try := false
	if changed {
		f.settingsPIN = pin
		if p.accepted != "" && p.replaced != pin {
			p.accepted, p.replaced = "", ""
		}
		refused := f.haveConn && f.conn.Conn.Status == transport.ConnReconnecting && errors.Is(f.conn.Conn.Err, transport.ErrAuth)
		if try = refused && !p.trying; try {
			p.typed = ""
		}
	}
	p.mu.Unlock()
	f.mu.Unlock()
	if !changed {
		return
	}
	if !try {
		c.hub.log.Info("the settings give a new PIN for the account; its connection uses it when it opens again", "did", f.did)
		return
	}
	c.hub.log.Info("the settings give a new PIN for the refused account; trying it", "did", f.did)
	_ = up.SetPIN(pin) // an upstream declines none; the hub declined already
}

// SetPIN hands a PIN typed at this console to the account's shared
// upstream, which tries it at once, for every console of the account. It
// does so only while the phone service refuses the account's PIN, and no
// sooner than the spacing after the last PIN typed on the account; else it
// says why not and the PIN is dropped.
func (c *Client) SetPIN(pin transport.Secret) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	h, f := c.hub, c.feed
	now := h.now()
	f.mu.Lock()
	p := f.pins
	p.mu.Lock()
	if err = c.pinWaitLocked(now); err == nil {
		p.tries++
		p.notBefore = now.Add(h.spacing(p.tries))
		p.trying, p.started = true, false
		p.typed = pin
	}
	tries := p.tries
	p.mu.Unlock()
	f.mu.Unlock()
	if err != nil {
		c.log.Warn("PIN typed at a console not tried", "did", f.did, "why", err)
		return err
	}
	c.log.Info("PIN typed at a console; trying it for every console of the account", "did", f.did, "tries", tries)
	return up.SetPIN(pin)
}
