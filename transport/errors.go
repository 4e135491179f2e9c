package transport

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Sentinel errors. An *APIError matches the sentinel for its major code with
// errors.Is, so callers can write errors.Is(err, transport.ErrAuth).
var (
	// ErrAuth: error 5, the DID/PIN was refused or the DID is blocked.
	ErrAuth = errors.New("the DID or PIN was refused, or the DID is blocked")
	// ErrRateLimited: error 6, the command was refused by rate limiting.
	ErrRateLimited = errors.New("rate limited by the server")
	// ErrPhoneNotLoggedIn: error 8, no phone is logged into the DID.
	ErrPhoneNotLoggedIn = errors.New("the phone is not logged in")
	// ErrUnsubscribed: error 17, the server dropped the subscription.
	ErrUnsubscribed = errors.New("the server dropped the subscription")
	// ErrBadCommand: errors 2, 3 and 4, the server does not know the command.
	ErrBadCommand = errors.New("the server does not know the command")
	// ErrBadArguments: error 13, wrong number or type of arguments.
	ErrBadArguments = errors.New("the server expected different arguments")
	// ErrBadXML: error 19, the server could not read the request.
	ErrBadXML = errors.New("the server could not read the request")

	// ErrNotApplied: the command's Result was boolean false; the phone did
	// not act on it (for example there is no call in the right state).
	ErrNotApplied = errors.New("the phone did not act on it")
	// ErrNotConnected: a stream command was issued while the stream was not
	// live. Stream commands fail fast rather than wait for a reconnect, so a
	// late "release" can never hang up a different call.
	ErrNotConnected = errors.New("not connected to the phone service")
	// ErrConnectionLost: the stream dropped after the command was sent and
	// before its reply arrived; the phone may or may not have acted on it.
	ErrConnectionLost = errors.New("connection lost before the reply arrived; the phone may or may not have acted")
	// ErrUnexpectedReply: the reply did not have the shape the command expects.
	ErrUnexpectedReply = errors.New("unexpected reply from the server")
)

// APIError is an error reported by the API in a Response's <Errors>.
// Command is the short command name ("answer", "listCalls"). Message is the
// server's text (untrusted: control characters are removed when printed).
type APIError struct {
	Command string
	Major   int
	Minor   int
	Message string
}

// Error names the command, says what went wrong and what to do about it.
func (e *APIError) Error() string {
	var what string
	switch e.Major {
	case 2, 3, 4:
		what = "the server does not know this command; this program may be out of date"
	case 5:
		what = "the DID or PIN was refused, or the DID is blocked; check the DID and PIN (a block is lifted by skysupport@shoretel.com)"
	case 6:
		what = "rate limited by the server; slowing down"
	case 8:
		what = "the phone is not logged in; log into the phone and check it is connected"
	case 13:
		what = "the server expected different arguments for this command"
	case 17:
		what = "the server dropped the call-event subscription; subscribing again"
	case 19:
		what = "the server could not read the request XML"
	default:
		what = "the server reported an error"
	}
	msg := cleanText(e.Message, 200)
	name := e.Command
	if name == "" {
		name = "request"
	}
	if msg == "" {
		return fmt.Sprintf("%s failed: %s (error %d.%d)", name, what, e.Major, e.Minor)
	}
	return fmt.Sprintf("%s failed: %s (error %d.%d: %s)", name, what, e.Major, e.Minor, msg)
}

// Is reports whether target is the sentinel for e's major code.
func (e *APIError) Is(target error) bool {
	return target != nil && sentinelFor(e.Major) == target
}

func sentinelFor(major int) error {
	switch major {
	case 2, 3, 4:
		return ErrBadCommand
	case 5:
		return ErrAuth
	case 6:
		return ErrRateLimited
	case 8:
		return ErrPhoneNotLoggedIn
	case 13:
		return ErrBadArguments
	case 17:
		return ErrUnsubscribed
	case 19:
		return ErrBadXML
	}
	return nil
}

// ShortName turns a full command name into its method ("answer").
func ShortName(cmd string) string {
	if i := strings.LastIndexByte(cmd, '.'); i >= 0 {
		return cmd[i+1:]
	}
	return cmd
}

// cleanText removes control characters and caps the length of server text.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			if r == '\n' || r == '\t' || r == '\r' {
				return ' '
			}
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// serverText is text from the server for an error message. Text that
// repeats the PIN (a number of its own, not digits inside a longer number
// such as a port) is left out whole: the PIN must never enter a message,
// and replacing its digits wherever they occur ("127.0.0.1:[redacted]0")
// would itself give it away.
func serverText(s string, pin Secret) string {
	if quotesPIN(s, pin) {
		return "the server's text is not shown: it repeats the PIN"
	}
	return s
}

// quotesPIN reports whether s holds the PIN with no digit either side.
func quotesPIN(s string, pin Secret) bool {
	p := string(pin)
	if p == "" {
		return false
	}
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], p)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(p)
		if (start == 0 || !isDigit(s[start-1])) && (end == len(s) || !isDigit(s[end])) {
			return true
		}
		i = start + 1
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// apiError converts a response's errors into an error for cmd (the first
// one, when there are several), or nil.
func (r *Response) apiError(cmd string, pin Secret) error {
	if len(r.Errors) == 0 {
		if r.ErrorCount > 0 {
			return &APIError{Command: ShortName(cmd), Message: fmt.Sprintf("%d error(s) reported without details", r.ErrorCount)}
		}
		return nil
	}
	e := r.Errors[0]
	return &APIError{Command: ShortName(cmd), Major: e.MajorErrorCode, Minor: e.MinorErrorCode, Message: serverText(e.Message, pin)}
}
