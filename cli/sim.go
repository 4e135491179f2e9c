package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/frontdesk/frontdesk/transport/skysim"
)

// The simulator's demo account. Its PIN is no secret: it opens nothing but
// the simulator.
const (
	DemoDID = "6465550100"
	DemoPIN = "1234"
)

// DefaultRingRate is the demo's random incoming callers per minute.
const DefaultRingRate = 4

// SimOptions configure the simulator.
type SimOptions struct {
	Listen   string  // address; "" means 127.0.0.1:0 (a free port)
	Seed     int64   // 0 picks one from the clock
	RingRate float64 // random callers per minute; 0 means none
	Logger   *slog.Logger
}

// StartSim starts the simulator with the demo account and named demo
// callers, and returns it with its API URL.
func StartSim(o SimOptions) (*skysim.Server, string, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Seed == 0 {
		o.Seed = time.Now().UnixNano()
	}
	rate := max(o.RingRate, 0)
	srv := skysim.New(skysim.Config{
		Accounts: []skysim.Account{{DID: DemoDID, PIN: DemoPIN}},
		Seed:     o.Seed,
		RingRate: rate,
		Names:    true,
		Logger:   o.Logger,
	})
	url, err := srv.Start(o.Listen)
	if err != nil {
		return nil, "", fmt.Errorf("starting the simulator on %s: %w", o.Listen, err)
	}
	return srv, url, nil
}

// Sim runs the simulator until ctx is done, after telling the user on out
// how to point frontdesk at it.
func Sim(ctx context.Context, o SimOptions, out io.Writer) error {
	srv, url, err := StartSim(o)
	if err != nil {
		return err
	}
	defer srv.Close()
	callers := "no random callers"
	if o.RingRate > 0 {
		callers = fmt.Sprintf("about %g random callers a minute", o.RingRate)
	}
	fmt.Fprintf(out, "Simulator on %s (%s)\n", url, callers)
	fmt.Fprintf(out, "Demo account: DID %s, PIN %s\n\n", DemoDID, DemoPIN)
	fmt.Fprintf(out, "Point frontdesk at it from another terminal:\n")
	fmt.Fprintf(out, "  FRONTDESK_SERVER=%s FRONTDESK_USER=%s FRONTDESK_PIN=%s frontdesk\n\n", url, DemoDID, DemoPIN)
	fmt.Fprintf(out, "Press Ctrl-C to stop.\n")
	<-ctx.Done()
	return nil
}
