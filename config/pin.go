package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/frontdesk/frontdesk/transport"
	"golang.org/x/term"
)

// maxPINFile bounds what ReadPIN reads: a PIN file holds a few digits.
const maxPINFile = 256

// Prompter asks for the PIN of user with hidden input.
type Prompter func(user string) (string, error)

// ErrNoTerminal is returned by TerminalPrompt when there is no terminal to
// ask on.
var ErrNoTerminal = errors.New("no terminal to ask for the PIN on")

// ReadPIN makes sure c.PIN and every line's PIN are set: it reads the PIN
// file, or, with no PIN configured, asks with prompt (nil means
// TerminalPrompt). With several lines each comes from its account's
// pin_file or is asked for. Errors name the source, never the PIN.
func (c *Config) ReadPIN(prompt Prompter) error {
	if len(c.Lines) > 1 {
		return c.readLinePINs(prompt)
	}
	if err := c.readPIN(prompt); err != nil {
		return err
	}
	if len(c.Lines) == 1 {
		c.Lines[0].PIN = c.PIN
	}
	return nil
}

func (c *Config) readPIN(prompt Prompter) error {
	switch c.PINSource {
	case PINEnv, PINPrompt:
		return nil
	case PINFileFlag, PINFileEnv, PINFileConfig:
		pin, warn, err := readPINFile(c.PINFile)
		if err != nil {
			return fmt.Errorf("PIN from %s: %v", c.DescribePIN(), err)
		}
		if warn != "" {
			c.Warnings = append(c.Warnings, warn)
		}
		c.PIN = transport.Secret(pin)
		return nil
	}
	if prompt == nil {
		prompt = TerminalPrompt
	}
	pin, err := prompt(c.User)
	if errors.Is(err, ErrNoTerminal) {
		return fmt.Errorf("no PIN configured and no terminal to ask on: set %s, or pass --pin-file FILE, or set pin_file in %s", EnvPIN, c.Path)
	}
	if err != nil {
		return fmt.Errorf("reading the PIN: %v", err)
	}
	pin, err = cleanPIN(pin)
	if err != nil {
		return fmt.Errorf("PIN typed at the terminal: %v", err)
	}
	c.PIN, c.PINSource = transport.Secret(pin), PINPrompt
	return nil
}

// readPINFile reads a PIN file. Anything but a regular file is refused
// (a named pipe or a device would hold the command up, waiting for a
// writer or for input); a file others can read is refused; one its group
// can read is accepted with a warning.
func readPINFile(path string) (pin, warning string, err error) {
	// A device is not even opened (opening one can act on it). The file
	// is checked again once open, in case it was swapped in between; the
	// open does not block (O_NONBLOCK) should that be a named pipe.
	st, err := os.Stat(path)
	if err != nil {
		return "", "", openError(err)
	}
	if err := regularFile(st); err != nil {
		return "", "", err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", "", openError(err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return "", "", errors.New("cannot stat the file")
	}
	if err := regularFile(st); err != nil {
		return "", "", err
	}
	if runtime.GOOS != "windows" {
		perm := st.Mode().Perm()
		if perm&0o007 != 0 {
			return "", "", fmt.Errorf("the file is open to other users (mode %04o): run chmod 600 %s", perm, path)
		}
		if perm&0o070 != 0 {
			warning = fmt.Sprintf("PIN file %s is readable by its group (mode %04o); chmod 600 %s unless that is intended", path, perm, path)
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPINFile+1))
	if err != nil {
		return "", "", errors.New("cannot read the file")
	}
	if len(data) > maxPINFile {
		return "", "", errors.New("the file is too large to be a PIN file: it should hold just the PIN")
	}
	pin, err = cleanPIN(string(data))
	if err != nil {
		return "", "", err
	}
	return pin, warning, nil
}

// openError says why a PIN file could not be opened or looked at.
func openError(err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("the file does not exist")
	case errors.Is(err, os.ErrPermission):
		return errors.New("permission denied reading the file")
	}
	return errors.New("cannot open the file")
}

// regularFile refuses anything but a regular file, saying what it is.
func regularFile(st os.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m&os.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("it is %s, not a regular file: put the PIN in a file of its own (mode 0600)", kind)
}

// cleanPIN trims a trailing newline and surrounding blanks and checks what
// is left is one line. The PIN never appears in its errors.
func cleanPIN(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("the PIN is empty")
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", errors.New("the PIN must be a single line")
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return "", errors.New("the PIN contains control characters")
		}
	}
	return s, nil
}

// TerminalPrompt asks for the PIN on /dev/tty with echo off. It returns
// ErrNoTerminal when the process has no controlling terminal.
func TerminalPrompt(user string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", ErrNoTerminal
	}
	defer tty.Close()
	fd := int(tty.Fd())
	if !term.IsTerminal(fd) {
		return "", ErrNoTerminal
	}
	fmt.Fprintf(tty, "PIN for %s: ", user)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(tty)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
