package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client sends one command per HTTPS GET, as the guide's GET examples do.
// Subscribe cannot be sent this way; use a Stream for call events.
//
// The API puts the PIN in the GET query by design. The Client never shows
// that URL: errors name only the server URL without its query.
type Client struct {
	callCommands // Answer, Ignore, Hold, Resume, Release, Dial
	link
}

// NewClient checks the account and builds a client for it.
func NewClient(acct Account, opts ...ClientOption) (*Client, error) {
	l, err := newLink(acct, opts, false)
	if err != nil {
		return nil, err
	}
	c := &Client{link: l}
	c.callCommands = callCommands{ln: &c.link, send: c.do}
	return c, nil
}

// String describes the client without its PIN.
func (c *Client) String() string { return c.describe("Client") }

// GoString describes the client without its PIN.
func (c *Client) GoString() string { return c.String() }

// Format prints the client without its PIN for every verb.
func (c *Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// ListCalls returns the calls on the phone now (empty when idle). The API
// rate-limits it: errors.Is(err, ErrRateLimited) says to slow down.
func (c *Client) ListCalls(ctx context.Context) ([]Call, error) {
	resp, err := c.do(ctx, CmdListCalls, c.acct.Endpoint)
	if err != nil {
		return nil, err
	}
	return listResult(resp, c.pin())
}

// QueryURL returns the GET URL for a command, in the guide's parameter
// order (name, user, password, then every args, blank ones included). It
// contains the PIN: never log or display it.
func (c *Client) queryURL(name string, args ...string) string {
	var b strings.Builder
	b.WriteString(c.url.String())
	b.WriteString("?name=")
	b.WriteString(url.QueryEscape(name))
	b.WriteString("&user=")
	b.WriteString(url.QueryEscape(c.acct.User))
	b.WriteString("&password=")
	b.WriteString(url.QueryEscape(string(c.pin())))
	for _, a := range args {
		b.WriteString("&args=")
		b.WriteString(url.QueryEscape(a))
	}
	return b.String()
}

func (c *Client) do(ctx context.Context, name string, args ...string) (*Response, error) {
	short := ShortName(name)
	ctx, cancel := context.WithTimeout(ctx, c.opts.cmdTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.queryURL(name, args...), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: building the request failed", short)
	}
	req.Header.Set("User-Agent", c.opts.userAgent)
	c.opts.logger.Debug("get command", "command", short, "args", args)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, netError(short+": requesting", safeURL(c.url), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%s: server %s answered %s", short, safeURL(c.url), resp.Status)
	}
	dec := NewResponseDecoder(io.LimitReader(resp.Body, c.opts.maxDocument+1), c.opts.maxDocument)
	r, err := dec.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w: no response document", short, ErrUnexpectedReply)
		}
		var me *MalformedError
		if errors.As(err, &me) {
			return nil, fmt.Errorf("%s: %w: %s", short, ErrUnexpectedReply, serverText(cleanText(me.Err.Error(), 200), c.pin()))
		}
		return nil, netError(short+": reading the reply from", safeURL(c.url), err)
	}
	return r, nil
}

// callCommands are the call commands both transports offer. Each sends one
// command with send and reads its boolean reply.
type callCommands struct {
	ln   *link
	send func(ctx context.Context, name string, args ...string) (*Response, error)
}

// Answer answers a ringing call ("" = the first ringing call).
func (cc callCommands) Answer(ctx context.Context, callID string) error {
	return cc.boolCmd(ctx, CmdAnswer, callID, callID, cc.ln.acct.Endpoint)
}

// Ignore stops a call ringing on the phone ("" = the first ringing call).
func (cc callCommands) Ignore(ctx context.Context, callID string) error {
	return cc.boolCmd(ctx, CmdIgnore, callID, callID)
}

// Hold holds an active call ("" = the first active call).
func (cc callCommands) Hold(ctx context.Context, callID string) error {
	return cc.boolCmd(ctx, CmdHold, callID, callID)
}

// Resume resumes a held call ("" = the first held call).
func (cc callCommands) Resume(ctx context.Context, callID string) error {
	return cc.boolCmd(ctx, CmdResume, callID, callID)
}

// Release hangs up a call ("" = the first active call).
func (cc callCommands) Release(ctx context.Context, callID string) error {
	return cc.boolCmd(ctx, CmdRelease, callID, callID)
}

// Dial places an outbound call to number.
func (cc callCommands) Dial(ctx context.Context, number string) error {
	if strings.TrimSpace(number) == "" {
		return errors.New("dial: no number")
	}
	return cc.boolCmd(ctx, CmdDial, number, number, cc.ln.acct.Endpoint)
}

func (cc callCommands) boolCmd(ctx context.Context, name, target string, args ...string) error {
	resp, err := cc.send(ctx, name, args...)
	if err != nil {
		return err
	}
	return boolResult(name, target, resp, cc.ln.pin())
}

// boolResult interprets a boolean reply: nil for true, ErrNotApplied for
// false, the API error when there is one.
func boolResult(name, target string, resp *Response, pin Secret) error {
	if err := resp.apiError(name, pin); err != nil {
		return err
	}
	short := ShortName(name)
	if target != "" {
		short += " " + cleanText(target, 40)
	}
	v, ok := resp.Result.Bool()
	switch {
	case !ok:
		return fmt.Errorf("%s: %w: expected a boolean result", short, ErrUnexpectedReply)
	case !v:
		return fmt.Errorf("%s: %w", short, ErrNotApplied)
	}
	return nil
}

// listResult interprets a listCalls reply.
func listResult(resp *Response, pin Secret) ([]Call, error) {
	if err := resp.apiError(CmdListCalls, pin); err != nil {
		return nil, err
	}
	if !resp.IsCallList() {
		return nil, fmt.Errorf("listCalls: %w: expected a list of calls", ErrUnexpectedReply)
	}
	calls := resp.Result.Items
	if calls == nil {
		calls = []Call{}
	}
	return calls, nil
}
