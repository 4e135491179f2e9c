// Package theme holds every colour and text style the console uses, as one
// semantic palette with dark, light and no-colour variants.
//
// Colours never carry meaning alone: call states also have a symbol (from the
// model) and, in the no-colour palette, distinct text attributes.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is the complete set of styles for one session. It is a plain value:
// build one per session with New and rebuild it when the terminal reports its
// background colour or the client asks for no colour.
type Styles struct {
	// IsDark and NoColor record how the palette was built.
	IsDark  bool
	NoColor bool

	// Header bar: the account, connection state and clock.
	Header      lipgloss.Style
	HeaderTitle lipgloss.Style
	Account     lipgloss.Style
	Clock       lipgloss.Style

	// Connection state shown in the header.
	ConnLive         lipgloss.Style
	ConnConnecting   lipgloss.Style
	ConnReconnecting lipgloss.Style
	ConnFailed       lipgloss.Style

	// Call table.
	TableHeader lipgloss.Style
	Row         lipgloss.Style
	SelectedRow lipgloss.Style
	Empty       lipgloss.Style

	// Call states.
	Ringing   lipgloss.Style
	Pending   lipgloss.Style
	Connected lipgloss.Style
	Holding   lipgloss.Style
	Unknown   lipgloss.Style

	// Waiting steps: a call ringing past ring_warn (RingWarn) and past
	// ring_alert (RingAlert), a call on hold past hold_warn (HoldWarning)
	// and past twice it (HoldAlert). Each step is also marked by its
	// Wait.Mark, and the alert steps are in reverse video, so they read
	// without colour.
	RingWarn    lipgloss.Style
	RingAlert   lipgloss.Style
	HoldWarning lipgloss.Style
	HoldAlert   lipgloss.Style

	// Status line.
	StatusOK      lipgloss.Style
	StatusError   lipgloss.Style
	StatusPending lipgloss.Style

	// Help (the footer and the ? overlay).
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style

	// Dial prompt.
	Prompt        lipgloss.Style
	PromptText    lipgloss.Style
	PromptHint    lipgloss.Style
	PromptValid   lipgloss.Style
	PromptInvalid lipgloss.Style

	// Views: the tab strip in the header, the missed-calls badge, a missed
	// call in the history and a message marked done.
	Tab       lipgloss.Style
	TabActive lipgloss.Style
	Badge     lipgloss.Style
	Missed    lipgloss.Style
	Done      lipgloss.Style

	// Dim is for secondary text: scroll hints, separators, absent values.
	Dim lipgloss.Style

	// Warning is for the "terminal too small" line and similar notices.
	Warning lipgloss.Style
}

// palette is the set of colours one variant uses.
type palette struct {
	fg, dim, subtle                      color.Color
	headerBg, headerFg                   color.Color
	selectedBg                           color.Color
	ringing, pending, connected, holding color.Color
	warn, unknown                        color.Color
	ringWarn, alertFg                    color.Color
	ok, bad, busy                        color.Color
	accent                               color.Color
}

func darkPalette() palette {
	return palette{
		fg:         lipgloss.Color("#E4E4E4"),
		dim:        lipgloss.Color("#8A8A8A"),
		subtle:     lipgloss.Color("#5F5F5F"),
		headerBg:   lipgloss.Color("#2E3A59"),
		headerFg:   lipgloss.Color("#F0F0F0"),
		selectedBg: lipgloss.Color("#3A3A3A"),
		ringing:    lipgloss.Color("#FFC53D"),
		pending:    lipgloss.Color("#C7A2FF"),
		connected:  lipgloss.Color("#5FD787"),
		holding:    lipgloss.Color("#5FAFFF"),
		warn:       lipgloss.Color("#FF5F5F"),
		unknown:    lipgloss.Color("#A8A8A8"),
		ringWarn:   lipgloss.Color("#FF8700"),
		alertFg:    lipgloss.Color("#FFFFFF"),
		ok:         lipgloss.Color("#5FD787"),
		bad:        lipgloss.Color("#FF5F5F"),
		busy:       lipgloss.Color("#FFC53D"),
		accent:     lipgloss.Color("#87D7FF"),
	}
}

func lightPalette() palette {
	return palette{
		fg:         lipgloss.Color("#1C1C1C"),
		dim:        lipgloss.Color("#6C6C6C"),
		subtle:     lipgloss.Color("#A8A8A8"),
		headerBg:   lipgloss.Color("#D5DEF5"),
		headerFg:   lipgloss.Color("#1C1C1C"),
		selectedBg: lipgloss.Color("#E0E0E0"),
		ringing:    lipgloss.Color("#A35A00"),
		pending:    lipgloss.Color("#6B3FB0"),
		connected:  lipgloss.Color("#00783A"),
		holding:    lipgloss.Color("#0055B3"),
		warn:       lipgloss.Color("#C00000"),
		unknown:    lipgloss.Color("#6C6C6C"),
		ringWarn:   lipgloss.Color("#D75F00"),
		alertFg:    lipgloss.Color("#FFFFFF"),
		ok:         lipgloss.Color("#00783A"),
		bad:        lipgloss.Color("#C00000"),
		busy:       lipgloss.Color("#A35A00"),
		accent:     lipgloss.Color("#005F87"),
	}
}

// New builds the styles for a terminal with a dark or light background. With
// noColor set (the client's NO_COLOR), no colour is emitted at all; states are
// told apart by their symbols and by bold, underline and reverse video.
func New(isDark, noColor bool) Styles {
	if noColor {
		return plain(isDark)
	}
	p := lightPalette()
	if isDark {
		p = darkPalette()
	}
	st := lipgloss.NewStyle()
	fg := func(c color.Color) lipgloss.Style { return st.Foreground(c) }

	header := st.Background(p.headerBg).Foreground(p.headerFg)
	return Styles{
		IsDark:  isDark,
		NoColor: false,

		Header:      header,
		HeaderTitle: header.Bold(true),
		Account:     header.Bold(true),
		Clock:       header,

		ConnLive:         header.Foreground(p.connected).Bold(true),
		ConnConnecting:   header.Foreground(p.busy),
		ConnReconnecting: header.Foreground(p.busy).Bold(true),
		ConnFailed:       header.Foreground(p.bad).Bold(true),

		TableHeader: fg(p.dim).Bold(true),
		Row:         fg(p.fg),
		SelectedRow: st.Background(p.selectedBg).Foreground(p.fg),
		Empty:       fg(p.dim).Italic(true),

		Ringing:   fg(p.ringing).Bold(true),
		Pending:   fg(p.pending),
		Connected: fg(p.connected),
		Holding:   fg(p.holding),
		Unknown:   fg(p.unknown).Italic(true),

		RingWarn:    fg(p.ringWarn).Bold(true).Underline(true),
		RingAlert:   st.Background(p.warn).Foreground(p.alertFg).Bold(true),
		HoldWarning: fg(p.warn).Bold(true),
		HoldAlert:   st.Background(p.warn).Foreground(p.alertFg).Bold(true).Underline(true),

		StatusOK:      fg(p.ok),
		StatusError:   fg(p.bad).Bold(true),
		StatusPending: fg(p.busy),

		HelpKey:  fg(p.accent),
		HelpDesc: fg(p.dim),
		HelpSep:  fg(p.subtle),

		Prompt:        fg(p.accent).Bold(true),
		PromptText:    fg(p.fg),
		PromptHint:    fg(p.dim),
		PromptValid:   fg(p.ok),
		PromptInvalid: fg(p.bad),

		Tab:       header.Foreground(p.dim),
		TabActive: header.Foreground(p.accent).Bold(true),
		Badge:     header.Foreground(p.warn).Bold(true),
		Missed:    fg(p.warn),
		Done:      fg(p.dim),

		Dim:     fg(p.dim),
		Warning: fg(p.warn).Bold(true),
	}
}

// plain is the no-colour palette: text attributes only.
func plain(isDark bool) Styles {
	st := lipgloss.NewStyle()
	return Styles{
		IsDark:  isDark,
		NoColor: true,

		Header:      st.Reverse(true),
		HeaderTitle: st.Reverse(true).Bold(true),
		Account:     st.Reverse(true).Bold(true),
		Clock:       st.Reverse(true),

		ConnLive:         st.Reverse(true).Bold(true),
		ConnConnecting:   st.Reverse(true),
		ConnReconnecting: st.Reverse(true).Bold(true),
		ConnFailed:       st.Reverse(true).Bold(true).Underline(true),

		TableHeader: st.Bold(true),
		Row:         st,
		SelectedRow: st.Reverse(true),
		Empty:       st,

		Ringing:   st.Bold(true),
		Pending:   st,
		Connected: st,
		Holding:   st,
		Unknown:   st,

		RingWarn:    st.Bold(true).Underline(true),
		RingAlert:   st.Reverse(true).Bold(true),
		HoldWarning: st.Bold(true),
		HoldAlert:   st.Reverse(true).Bold(true).Underline(true),

		StatusOK:      st,
		StatusError:   st.Bold(true),
		StatusPending: st,

		HelpKey:  st.Bold(true),
		HelpDesc: st,
		HelpSep:  st,

		Prompt:        st.Bold(true),
		PromptText:    st,
		PromptHint:    st,
		PromptValid:   st,
		PromptInvalid: st.Bold(true),

		Tab:       st.Reverse(true),
		TabActive: st.Bold(true),
		Badge:     st.Reverse(true).Bold(true),
		Missed:    st.Bold(true),
		Done:      st.Faint(true),

		Dim:     st,
		Warning: st.Bold(true),
	}
}
