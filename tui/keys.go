package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the console, defined once. Letters, vim
// keys and the traditional console F-keys reach the same actions.
//
// Bindings in a KeyMap are always enabled for matching: an action that does
// not apply to the selected call still reaches its handler, which says why in
// the status line. Which bindings help shows is decided per frame by
// helpKeys.
type KeyMap struct {
	Answer  key.Binding
	Ignore  key.Binding
	Hold    key.Binding // hold, or resume when the selected call is on hold
	Release key.Binding
	Dial    key.Binding

	Up     key.Binding
	Down   key.Binding
	Top    key.Binding
	Bottom key.Binding
	PgUp   key.Binding
	PgDown key.Binding

	Help key.Binding
	Quit key.Binding

	// Dial prompt.
	DialSend   key.Binding
	DialCancel key.Binding
}

// DefaultKeyMap returns a fresh key map. Each session gets its own copy.
// The action letters also work in capitals, so Caps Lock does not stop the
// console (G stays "last", as in vim).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Answer:  key.NewBinding(key.WithKeys("a", "A", "enter", "f2"), key.WithHelp("a/F2", "answer")),
		Ignore:  key.NewBinding(key.WithKeys("i", "I"), key.WithHelp("i", "ignore")),
		Hold:    key.NewBinding(key.WithKeys("h", "H", "f3"), key.WithHelp("h/F3", "hold")),
		Release: key.NewBinding(key.WithKeys("r", "R", "f4"), key.WithHelp("r/F4", "hang up")),
		Dial:    key.NewBinding(key.WithKeys("d", "D", "f5"), key.WithHelp("d/F5", "dial")),

		Up:     key.NewBinding(key.WithKeys("up", "k", "K"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j", "J"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom: key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		PgUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PgDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),

		Help: key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?/F1", "help")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

		DialSend:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "dial")),
		DialCancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap: the main actions on one line.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Answer, k.Ignore, k.Hold, k.Release, k.Dial, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap: actions, movement, the rest.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Answer, k.Ignore, k.Hold, k.Release, k.Dial},
		{k.Up, k.Down, k.Top, k.Bottom, k.PgUp, k.PgDown},
		{k.Help, k.Quit},
	}
}

// dialHelp is the help shown while the dial prompt has focus.
type dialHelp struct{ k KeyMap }

func (d dialHelp) ShortHelp() []key.Binding {
	quit := d.k.Quit
	quit.SetHelp("ctrl+c", "quit")
	quit.SetKeys("ctrl+c")
	return []key.Binding{d.k.DialSend, d.k.DialCancel, quit}
}

func (d dialHelp) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
