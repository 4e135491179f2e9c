package tui

import (
	"cmp"
	"context"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/theme"
	"github.com/frontdesk/frontdesk/transport"
)

// Phone is what the console needs from the phone service: its event stream
// and the call commands. *transport.Stream satisfies it; tests use a fake.
type Phone interface {
	Events() <-chan transport.Event
	Answer(ctx context.Context, id string) error
	Ignore(ctx context.Context, id string) error
	Hold(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	Release(ctx context.Context, id string) error
	Dial(ctx context.Context, number string) error
}

// Options configure one console session.
type Options struct {
	// Phone is the call stream and command channel of a console of one
	// line. Either Phone or Lines is required.
	Phone Phone
	// Account is the label shown in the header: the DID, never the PIN.
	Account string
	// Lines are the phones of a console of several: their calls share the
	// list, and each call's actions go out on its own line. When set,
	// Phone and Account are not used.
	Lines []Line
	// Numbers name calls by the number the caller dialled; see Line.
	Numbers *model.Numbers
	// DialLine is the name of the line the console dials from without
	// asking; "" asks each time when there are several lines.
	DialLine string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives diagnostics; it must not write to the terminal the
	// console draws on. Nil discards them.
	Logger *log.Logger
	// HoldWarn is how long a call may sit on hold before it is shown in the
	// warning style; 60 s when zero.
	HoldWarn time.Duration
	// RingWarn and RingAlert are how long a call may ring before it is
	// shown in the ringing warning style, then the alert style; 20 s and
	// 45 s when zero, never when negative.
	RingWarn, RingAlert time.Duration
	// Operator names who is at the desk, for a missed call they mark
	// handled: the SSH key's comment, or the local user.
	Operator string
	// SpeedDials are the digit keys of the Calls view that dial a number.
	SpeedDials []SpeedDial
	// Bell rings the terminal bell when a new call starts ringing.
	Bell bool
	// NoColor turns colour off from the start (the client's NO_COLOR also
	// does, when it arrives in tea.EnvMsg).
	NoColor bool
	// Records is the call history and message store; nil: no History or
	// Messages.
	Records Records
	// HistoryOff is why there is no history database (it is damaged, or
	// cannot be opened): shown on screen from the start.
	HistoryOff error
	// Retention is how long stored calls are kept: older ones are pruned at
	// start-up and daily. Zero keeps them forever.
	Retention time.Duration
	// Address, when set, fills in a message before it is stored: who took
	// it and how it is sent to its person (found in the directory the
	// console has at the time).
	Address func(m *model.Message, dir *directory.Directory)
	// Directory names callers and backs dial-by-name. Nil: no directory.
	Directory *directory.Directory
	// DirectorySkipped is how many rows of the directory file were skipped
	// (each already logged), for the on-screen summary.
	DirectorySkipped int
	// DirectoryUpdates delivers new versions of the directory file; the
	// console re-arms a read on it like the event stream.
	DirectoryUpdates <-chan directory.Reload
	// Notify sends a desktop notification escape (OSC 9 or 777) for a
	// ringing call or a long hold, on terminals known to show them.
	Notify bool
	// CommandTimeout bounds each call command; 15 s when zero.
	CommandTimeout time.Duration
	// QuitWait is how long quitting waits for the history to be saved;
	// 5 s when zero.
	QuitWait time.Duration
	// PINNote is said under the PIN prompt: where a typed PIN goes and
	// how long it is kept, when that is not just this console until it
	// quits.
	PINNote string
}

const (
	defaultHoldWarn       = 60 * time.Second
	defaultRingWarn       = 20 * time.Second
	defaultRingAlert      = 45 * time.Second
	defaultCommandTimeout = 15 * time.Second
	defaultQuitWait       = 5 * time.Second
)

// shared is the context every component reads: size, styles, keys, logger
// and the current time. One per session; never package-level.
type shared struct {
	width, height int
	styles        theme.Styles
	keys          KeyMap
	log           *log.Logger
	now           time.Time
	holdWarn      time.Duration
	ringWarn      time.Duration // <= 0: off
	ringAlert     time.Duration // <= 0: off
	isDark        bool
	noColor       bool // NO_COLOR or Options.NoColor
	monochrome    bool // the terminal shows no colour (ASCII profile)
	names         *callerNames
	dirSkipped    int // rows the directory file had to skip
	// after schedules a message (ticks, fades); tests replace it.
	after func(d time.Duration, msg tea.Msg) tea.Cmd
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = log.New(io.Discard)
	}
	if o.HoldWarn <= 0 {
		o.HoldWarn = defaultHoldWarn
	}
	if o.RingWarn == 0 {
		o.RingWarn = defaultRingWarn
	}
	if o.RingAlert == 0 {
		o.RingAlert = defaultRingAlert
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = defaultCommandTimeout
	}
	if o.QuitWait <= 0 {
		o.QuitWait = defaultQuitWait
	}
	switch {
	case len(o.Lines) == 0 && o.Phone != nil:
		o.Lines = []Line{{Naming: model.Naming{Label: o.Account}, Phone: o.Phone}}
	case len(o.Lines) == 1 && o.Account == "":
		// One phone: the header names it by its DID, as it always has.
		o.Account = cmp.Or(o.Lines[0].DID, o.Lines[0].Label)
	}
	return o
}

// SpeedDial is a digit key (1 to 9) of the Calls view that dials a number
// after a confirmation.
type SpeedDial struct {
	Key    int
	Name   string
	Number string // as the receptionist would type it
}

// waitOf is the waiting step of call c, in its state for inState: a
// ringing call against ring_warn and ring_alert, a held one against
// hold_warn and twice it.
func (sh *shared) waitOf(c *model.Call, inState time.Duration) theme.Wait {
	switch c.State {
	case model.StateRinging:
		return theme.WaitFor(inState, sh.ringWarn, sh.ringAlert)
	case model.StateHolding:
		return theme.HoldWaitFor(inState, sh.holdWarn)
	}
	return theme.WaitCalm
}
