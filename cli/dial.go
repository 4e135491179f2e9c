package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/frontdesk/frontdesk/model"
)

// Dialer places a call; *transport.Client satisfies it.
type Dialer interface {
	Dial(ctx context.Context, number string) error
}

// ParseNumber checks a number to dial before anything is sent. Its error
// says what is wrong with the number and how to fix it.
func ParseNumber(input string) (model.Number, error) {
	return model.ParseDial(input)
}

// Dial places a call to n and reports it on w, with the directory's name
// for the number when it has one (names may be nil).
func Dial(ctx context.Context, d Dialer, n model.Number, w io.Writer, names Names) error {
	if err := d.Dial(ctx, n.Digits); err != nil {
		return err
	}
	who := n.Display
	if names != nil {
		if name, ok := names(n.Digits); ok {
			who = name + ", " + n.Display
		}
	}
	_, err := fmt.Fprintf(w, "Dialled %s (sent %s): the phone is placing the call.\n", who, n.Digits)
	return err
}
