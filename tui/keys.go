package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the console, defined once. Letters, vim
// keys and the traditional console F-keys reach the same actions. The
// action table (actions.go) says which bindings each pane answers to, when
// each applies and what it does; nothing else matches keys.
type KeyMap struct {
	Answer     key.Binding // the selected ringing call (Calls view)
	AnswerNext key.Binding // the caller ringing longest, from every view
	// AnswerNextLetter is the answer key in views without a call list:
	// there a/F2 answer the caller ringing longest.
	AnswerNextLetter key.Binding
	Ignore           key.Binding
	Hold             key.Binding // hold, or resume when the selected call is on hold
	Release          key.Binding
	Dial             key.Binding

	Up     key.Binding
	Down   key.Binding
	Top    key.Binding
	Bottom key.Binding
	PgUp   key.Binding
	PgDown key.Binding

	Help      key.Binding
	CloseHelp key.Binding
	Quit      key.Binding
	PIN       key.Binding // type the PIN again after the phone service refused it

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
	FilterOpen   key.Binding
	MarkHandled  key.Binding

	// Messages view.
	ToggleDone  key.Binding
	NewMessage  key.Binding
	ReadMessage key.Binding // open the selected message in full, or go back

	// Picker, search, forms and prompts.
	PickUp      key.Binding
	PickDown    key.Binding
	Choose      key.Binding
	Close       key.Binding
	KeepSearch  key.Binding
	ClearSearch key.Binding
	FormNext    key.Binding
	FormPrev    key.Binding
	FormSave    key.Binding
	FormEnter   key.Binding
	PINSend     key.Binding
	PINCancel   key.Binding

	// Dial prompt.
	DialSend   key.Binding
	DialLine   key.Binding // the next line to dial from, with several
	DialCancel key.Binding

	// A question (quit anyway? discard the message?).
	Yes key.Binding
	No  key.Binding
}

// DefaultKeyMap returns a fresh key map. Each session gets its own copy.
// The action letters also work in capitals, so Caps Lock does not stop the
// console (G stays "last", as in vim).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Answer:           key.NewBinding(key.WithKeys("a", "A", "enter", "f2"), key.WithHelp("a/F2", "answer")),
		AnswerNext:       key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "answer next")),
		AnswerNextLetter: key.NewBinding(key.WithKeys("a", "A", "f2"), key.WithHelp("a/F2", "answer next")),
		Ignore:           key.NewBinding(key.WithKeys("i", "I"), key.WithHelp("i", "ignore")),
		Hold:             key.NewBinding(key.WithKeys("h", "H", "f3"), key.WithHelp("h/F3", "hold")),
		Release:          key.NewBinding(key.WithKeys("r", "R", "f4"), key.WithHelp("r/F4", "hang up")),
		Dial:             key.NewBinding(key.WithKeys("d", "f5"), key.WithHelp("d/F5", "dial")),

		Up:     key.NewBinding(key.WithKeys("up", "k", "K"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j", "J"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom: key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		PgUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PgDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),

		Help:      key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?/F1", "help")),
		CloseHelp: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		PIN:       key.NewBinding(key.WithKeys("p", "P"), key.WithHelp("p", "type the PIN again")),

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
		FilterOpen:   key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "open missed")),
		MarkHandled:  key.NewBinding(key.WithKeys("x", "X"), key.WithHelp("x", "mark handled")),

		ToggleDone:  key.NewBinding(key.WithKeys("x", "X"), key.WithHelp("x", "done/undone")),
		NewMessage:  key.NewBinding(key.WithKeys("m", "M"), key.WithHelp("m", "new message")),
		ReadMessage: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "read")),

		PickUp:      key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		PickDown:    key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Choose:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "dial")),
		Close:       key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "close")),
		KeepSearch:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep search")),
		ClearSearch: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "clear search")),
		FormNext:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		FormPrev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		FormSave:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		FormEnter:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field; saves on the message")),
		PINSend:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "try this PIN")),
		PINCancel:   key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),

		DialSend:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "dial")),
		DialLine:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "line")),
		DialCancel: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),

		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc", "ctrl+c"), key.WithHelp("n/esc", "no")),
	}
}
