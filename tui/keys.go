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

	// Views and the desk.
	NextView  key.Binding
	PrevView  key.Binding
	Directory key.Binding // the dial-by-name picker
	Message   key.Binding // take a message for the selected call or entry

	// History view.
	Search       key.Binding
	CallBack     key.Binding
	FilterMissed key.Binding
	FilterIn     key.Binding
	FilterOut    key.Binding
	FilterToday  key.Binding
	FilterAll    key.Binding

	// Messages view.
	ToggleDone key.Binding
	NewMessage key.Binding

	// Picker, search and form.
	PickUp   key.Binding
	PickDown key.Binding
	Choose   key.Binding
	Close    key.Binding
	FormNext key.Binding
	FormPrev key.Binding
	FormSave key.Binding

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
		Dial:    key.NewBinding(key.WithKeys("d", "f5"), key.WithHelp("d/F5", "dial")),

		Up:     key.NewBinding(key.WithKeys("up", "k", "K"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j", "J"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom: key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		PgUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PgDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),

		Help: key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?/F1", "help")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

		NextView:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "views")),
		PrevView:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
		Directory: key.NewBinding(key.WithKeys("/", "D", "f6"), key.WithHelp("/", "find")),
		Message:   key.NewBinding(key.WithKeys("m", "M"), key.WithHelp("m", "message")),

		Search:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		CallBack:     key.NewBinding(key.WithKeys("c", "C"), key.WithHelp("c", "call back")),
		FilterMissed: key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "missed")),
		FilterIn:     key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "inbound")),
		FilterOut:    key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "outbound")),
		FilterToday:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "today")),
		FilterAll:    key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "all")),

		ToggleDone: key.NewBinding(key.WithKeys("x", "X", "space"), key.WithHelp("x/space", "done/undone")),
		NewMessage: key.NewBinding(key.WithKeys("m", "M"), key.WithHelp("m", "new message")),

		PickUp:   key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		PickDown: key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Choose:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "dial")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		FormNext: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		FormPrev: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		FormSave: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),

		DialSend:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "dial")),
		DialCancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap: the main actions on one line.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Answer, k.Ignore, k.Hold, k.Release, k.Dial, k.Directory, k.Message, k.NextView, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap: actions, movement, the rest.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Answer, k.Ignore, k.Hold, k.Release, k.Dial},
		{k.Directory, k.Message, k.NextView, k.PrevView},
		{k.Up, k.Down, k.Top, k.Bottom, k.PgUp, k.PgDown},
		{k.Help, k.Quit},
	}
}

// historyHelp is the help for the History view.
type historyHelp struct{ k KeyMap }

func (h historyHelp) ShortHelp() []key.Binding {
	k := h.k
	return []key.Binding{k.CallBack, k.Message, k.FilterMissed, k.FilterIn, k.FilterOut, k.FilterToday, k.FilterAll, k.Search, k.NextView, k.Help, k.Quit}
}

func (h historyHelp) FullHelp() [][]key.Binding {
	k := h.k
	return [][]key.Binding{
		{k.CallBack, k.Message, k.Search},
		{k.FilterMissed, k.FilterIn, k.FilterOut, k.FilterToday, k.FilterAll},
		{k.Up, k.Down, k.Top, k.Bottom, k.NextView, k.PrevView},
		{k.Dial, k.Help, k.Quit},
	}
}

// messagesHelp is the help for the Messages view.
type messagesHelp struct{ k KeyMap }

func (h messagesHelp) ShortHelp() []key.Binding {
	k := h.k
	return []key.Binding{k.ToggleDone, k.NewMessage, k.Up, k.Down, k.NextView, k.Help, k.Quit}
}

func (h messagesHelp) FullHelp() [][]key.Binding {
	k := h.k
	return [][]key.Binding{
		{k.ToggleDone, k.NewMessage},
		{k.Up, k.Down, k.Top, k.Bottom, k.NextView, k.PrevView},
		{k.Dial, k.Directory, k.Help, k.Quit},
	}
}

// pickerHelp is the help while the directory picker or history search is
// open.
type pickerHelp struct{ keys []key.Binding }

func (p pickerHelp) ShortHelp() []key.Binding  { return p.keys }
func (p pickerHelp) FullHelp() [][]key.Binding { return [][]key.Binding{p.keys} }

// dialHelp is the help shown while the dial prompt has focus.
type dialHelp struct{ k KeyMap }

func (d dialHelp) ShortHelp() []key.Binding {
	quit := d.k.Quit
	quit.SetHelp("ctrl+c", "quit")
	quit.SetKeys("ctrl+c")
	return []key.Binding{d.k.DialSend, d.k.DialCancel, quit}
}

func (d dialHelp) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
