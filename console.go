package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/tui"
)

type consoleOptions struct {
	logger   *log.Logger
	holdWarn time.Duration
	waits    func(*tui.Options)
	bell     bool
	numbers  *model.Numbers
	dialLine string
	desk     desk
}

// consoleLine is one phone of the console and the stream it runs on.
type consoleLine struct {
	line   tui.Line
	stream *transport.Stream
}

// waitOptions sets the console's ringing limits and speed dials from the
// settings. A limit of 0 in the settings is "never", which the console
// spells as a negative limit (its zero is "the default").
func waitOptions(c *config.Config) func(*tui.Options) {
	never := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1
		}
		return d
	}
	return func(o *tui.Options) {
		o.RingWarn, o.RingAlert = never(c.RingWarn), never(c.RingAlert)
		o.SpeedDials = nil
		for _, sd := range c.SpeedDials {
			o.SpeedDials = append(o.SpeedDials, tui.SpeedDial{Key: sd.Key, Name: sd.Name, Number: sd.Number.Digits})
		}
	}
}

// runConsole runs the console on the terminal until the receptionist quits
// or ctx ends. Tests replace it.
var runConsole = func(ctx context.Context, opts tui.Options) error {
	_, err := tea.NewProgram(tui.New(opts), tea.WithContext(ctx)).Run()
	return err
}

// console runs each line's stream in the background and the console in
// the foreground until the receptionist quits or ctx ends.
func console(ctx context.Context, s sys, cmd string, lines []consoleLine, o consoleOptions) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// One stream per line: a line that fails stops its own stream only.
	runErrs := make(chan error, len(lines))
	tlines := make([]tui.Line, len(lines))
	for i, l := range lines {
		tlines[i] = l.line
		go func() {
			err := l.stream.Run(ctx)
			if err != nil && len(lines) > 1 {
				err = fmt.Errorf("line %s: %w", l.line.Label, err)
			}
			runErrs <- err
		}()
	}

	opts := tui.Options{
		Lines:    tlines,
		Numbers:  o.numbers,
		DialLine: o.dialLine,
		Logger:   o.logger,
		HoldWarn: o.holdWarn,
		Bell:     o.bell,
		NoColor:  s.getenv("NO_COLOR") != "",
		Operator: localUser(),
	}
	if o.waits != nil {
		o.waits(&opts)
	}
	o.desk.apply(&opts)
	err := runConsole(ctx, opts)
	cancel()
	var streamErr error
	stopped := time.After(5 * time.Second)
	for range lines {
		select {
		case e := <-runErrs:
			if e != nil && !errors.Is(e, context.Canceled) {
				o.logger.Error("stream stopped", "err", e)
				streamErr = cmp.Or(streamErr, e)
			}
		case <-stopped:
			o.logger.Warn("a stream did not stop within 5s")
		}
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		o.logger.Error("console", "err", err)
		return failure(s, cmd, err)
	}
	if streamErr != nil {
		return failure(s, cmd, streamErr)
	}
	return exitOK
}
