// Package tui is the console: a Bubble Tea program that shows the phone's
// calls live and works them from the keyboard.
//
// Data flows one way. The phone's event stream is read by a re-arming
// command, one message per event or per burst of events already waiting;
// Update applies them in order to the model's call table; View draws the
// table. Actions (answer, hold, …) are commands that call the phone and
// report back with a typed message. Nothing but Update changes the Model.
//
// # House rules
//
//   - One model. Model is the only tea.Model; the panes (the call list,
//     History, Messages, Today, the picker, the form, the prompts) are
//     plain structs it owns and calls, with no Update of their own.
//   - Update is the only writer. It handles every message type by name
//     (one case each, or a list of a kind going to one handler); any other
//     message is logged at debug level and changes nothing.
//   - Commands capture values, never the Model: what they need is copied
//     out when they are made, and what they find comes back as a message.
//   - View only reads. Every Update ends in relayout, which decides the
//     frame (how many rows, the dial prompt, the status and the footer),
//     sizes every pane with its setSize(w, h) (inputs, heights, scroll
//     offsets; the PIN prompt shows nothing typed and has no size) and
//     draws what is costly to draw (the header, the window title, the call
//     rows, the message text area); View joins what relayout left and
//     draws the rest from the Model without changing it. A test compares
//     the Model before and after View in every pane and size.
//   - Every component is built in New before restyle, which styles them
//     all; a new component adds its restyle there.
//
// # Render caches
//
// Each is filled in Update (relayout), read by View, and cleared as
// follows; restyle clears those drawn with styles.
//
//   - The help footer (footerCache), per width and help mode: forgotten
//     when the bindings that apply, or their help text, change.
//   - The header bar: drawn again when what it shows (each line's
//     connection, the clock's minute, the width, the view, the waiting
//     and missed badges, the saving mark) differs from what it was drawn
//     from.
//   - The status line: drawn again when its kind, text or width changes.
//   - The call list's title line, drawn again when the width or the
//     columns change, and its rows, kept by call and drawn again when what
//     the row shows (rowKey) changes; rows off the screen are dropped at
//     each draw.
//   - The callers' names from the directory (callerNames), kept per
//     number for the call list: cleared when the directory is reloaded,
//     and past 4,096 numbers. View reads them without keeping any.
//   - The message form's text area, drawn at every Update while the form
//     is open (the text area changes itself as it draws), and sized again
//     only when its size changes (it wraps its text again each time).
//
// # The action table
//
// Every key is declared once, in the action table (actions.go): per pane
// (a view, a form, a prompt, a question) a list of actions, each with its
// bindings from the KeyMap (a letter and an F-key), why it does not apply
// now (the words the status line shows when it is refused), what it does,
// and its help text. handleKey takes the first action of the current pane
// whose binding matches; the footer shows the pane's short actions that
// apply now, and ? lists them all, dimming those that do not apply. A view
// lists its own actions, then the ones every view shares (viewActions); an
// earlier action takes a key from a later one. To add an action, add it to
// its pane's list; to add a view, add a view, a pane and its list.
//
// # Rules every action keeps
//
//   - Selection is a call, by Id, never a row position. When the selected
//     call ends nothing is selected and the status line says so; the cursor
//     never moves to another call by itself, and a new call never takes the
//     selection. When the list goes from empty to not empty, the top call
//     is selected. Keys that need a call refuse while nothing is selected.
//   - One command per intent. While a command for a call is in flight (and
//     after the phone said yes, until the call's new state arrives), the
//     same action on that call is absorbed and a different one is refused
//     with the reason; the row shows the pending action.
//   - Space (and a/F2 outside the Calls view) answers the caller ringing
//     longest, from every view that is not typing text.
//   - Nothing is lost by one key. Quitting with callers ringing, connected
//     or on hold asks first. Esc and Ctrl+C in a form or prompt close it,
//     asking first when the message form or dial prompt holds typed text.
//     A message stays in its form until the store has saved it.
//   - Rows the phone service has not confirmed since the connection
//     dropped are drawn dim with their timers marked "~", and the header
//     says why; it never says live over them.
package tui
