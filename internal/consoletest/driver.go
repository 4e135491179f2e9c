// Package consoletest runs the frontdesk console in tests: a driver that
// feeds a tea.Model the way tea.Program's event loop does, and the
// frontdesk command built once per test binary.
package consoletest

import (
	"reflect"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Options tune a Driver.
type Options struct {
	// Draw calls View after every message has been through Update, as
	// Bubble Tea's renderer would.
	Draw bool
	// Frame, with Draw, draws View at most once per Frame (Bubble Tea's
	// renderer runs at 60 fps) instead of after every message.
	Frame time.Duration
	// AfterUpdate, when set, is the first hook for SetAfterUpdate, in
	// place before the loop starts.
	AfterUpdate func(msg tea.Msg, at time.Time)
}

// Driver runs a model as a Bubble Tea program does: every command runs on
// its own goroutine, its message comes back to one loop that calls Update,
// and nothing else touches the model.
type Driver struct {
	opts     Options
	lastDraw time.Time

	m      tea.Model
	msgs   chan tea.Msg
	calls  chan func()
	stop   chan struct{}
	done   chan struct{}
	closed atomic.Bool
	after  atomic.Pointer[func(msg tea.Msg, at time.Time)]
}

// New starts a loop for m at w×h cells: Init's command, then a
// WindowSizeMsg, then messages as they come, until Close.
func New(m tea.Model, w, h int, opts Options) *Driver {
	d := &Driver{
		opts:  opts,
		m:     m,
		msgs:  make(chan tea.Msg, 1024),
		calls: make(chan func()),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	d.SetAfterUpdate(opts.AfterUpdate)
	go d.loop(w, h)
	return d
}

// Close stops the loop and waits for it to end. Commands still running
// drop their messages.
func (d *Driver) Close() {
	if d.closed.CompareAndSwap(false, true) {
		close(d.stop)
	}
	<-d.done
}

// SetAfterUpdate sets f (nil clears it) to be called on the loop after every
// message has been through Update (and View, with Options.Draw), with the
// message and the time it was done.
func (d *Driver) SetAfterUpdate(f func(msg tea.Msg, at time.Time)) {
	if f == nil {
		d.after.Store(nil)
		return
	}
	d.after.Store(&f)
}

// Do runs f on the loop and waits for it. After Close it does nothing.
func (d *Driver) Do(f func()) {
	ran := make(chan struct{})
	select {
	case d.calls <- func() { f(); close(ran) }:
		<-ran
	case <-d.done:
	}
}

// Send delivers msg to Update as if the terminal had sent it, and waits.
func (d *Driver) Send(msg tea.Msg) { d.Do(func() { d.Update(msg) }) }

// Update delivers msg as the loop does. Call it only from inside Do.
func (d *Driver) Update(msg tea.Msg) {
	if cmds, ok := asCmds(msg); ok {
		for _, cmd := range cmds {
			d.exec(cmd)
		}
		return
	}
	// As tea.Program's event loop: Update, hand its command off, then View.
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.exec(cmd)
	if d.opts.Draw {
		if d.opts.Frame <= 0 {
			_ = d.m.View()
		} else if now := time.Now(); now.Sub(d.lastDraw) >= d.opts.Frame {
			_ = d.m.View()
			d.lastDraw = now
		}
	}
	if f := d.after.Load(); f != nil {
		(*f)(msg, time.Now())
	}
}

// Model is the model as it is now. Call it only from inside Do.
func (d *Driver) Model() tea.Model { return d.m }

// View is the model's View, taken on the loop.
func (d *Driver) View() tea.View {
	var v tea.View
	d.Do(func() { v = d.m.View() })
	return v
}

func (d *Driver) loop(w, h int) {
	defer close(d.done)
	d.exec(d.m.Init())
	d.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for {
		select {
		case <-d.stop:
			return
		case f := <-d.calls:
			f()
		case msg := <-d.msgs:
			d.Update(msg)
		}
	}
}

func (d *Driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		select {
		case d.msgs <- msg:
		case <-d.stop:
		}
	}()
}

// asCmds unpacks tea.BatchMsg and the (unexported) sequence message.
func asCmds(msg tea.Msg) ([]tea.Cmd, bool) {
	if b, ok := msg.(tea.BatchMsg); ok {
		return b, true
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		return cmds, true
	}
	return nil, false
}
