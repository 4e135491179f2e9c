package tui

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// View only reads the Model: in every pane, at every size, drawing the
// screen leaves every value reachable from the Model as it was, and two
// Views draw the same screen. The two run at once, so that under -race
// even a write of the value already there is reported.
func TestViewOnlyReads(t *testing.T) {
	h, rec := deskHarness(t, 100, 30)
	sizes := [][2]int{{1, 40}, {30, 8}, {80, 24}, {400, 100}}
	check := func(state string) {
		t.Helper()
		for _, sz := range sizes {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			name := fmt.Sprintf("%s at %d×%d", state, sz[0], sz[1])
			before := modelState(h.m)
			var first, second tea.View
			var wg sync.WaitGroup
			wg.Go(func() { first = h.m.View() })
			wg.Go(func() { second = h.m.View() })
			wg.Wait()
			if diff := stateDiff(h.m, before, modelState(h.m)); diff != "" {
				t.Fatalf("%s: View changed the model:\n%s", name, diff)
			}
			if first.Content != second.Content || first.WindowTitle != second.WindowTitle ||
				!reflect.DeepEqual(first.Cursor, second.Cursor) {
				t.Fatalf("%s: a second View drew another screen", name)
			}
		}
		h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	}
	// Feeds the day's figures back, as the harness does with the others.
	today := func(msgs []tea.Msg) {
		for _, msg := range msgs {
			if m, ok := msg.(todayLoadedMsg); ok {
				h.send(m)
			}
		}
	}

	check("no calls")
	h.live()
	for i := range 40 {
		state := []string{"RINGING", "CONNECTED", "HOLDING"}[i%3]
		h.call(strconv.Itoa(100+i), "164655501"+fmt.Sprintf("%02d", i), state)
	}
	h.keys("j", "pgdown", "pgdown", "j")
	check("calls scrolled")
	h.key("?")
	check("help")
	h.key("?")
	h.key("d")
	h.typeText("2125550101")
	check("dial prompt")
	h.keys("esc", "y")
	h.key("/")
	h.typeText("whit")
	h.key("down")
	check("directory picker")
	h.key("esc")
	h.key("m")
	h.typeText("Dana")
	check("message form, suggestions")
	h.key("tab")
	h.key("tab")
	h.key("tab")
	h.typeText(strings.Repeat("a long message ", 30))
	check("message form, text")
	h.keys("esc", "y")
	h.key("q")
	check("question")
	h.key("n")

	// Calls end into the history; messages are taken.
	for i := range 25 {
		h.clock.Advance(time.Second)
		h.call(strconv.Itoa(100+i), "164655501"+fmt.Sprintf("%02d", i), "DELETED")
	}
	for i := range 30 {
		rec.AddMessage(model.Message{For: "Dana Whitfield", CallerName: "Caller " + strconv.Itoa(i), CallerNumber: "6465550142",
			Text: strings.Repeat("please call back about the order ", i%4+1), Created: h.clock.Now()})
	}
	h.send(recordsChangedMsg{})
	h.key("tab")
	h.keys("j", "pgdown", "j")
	check("history scrolled")
	h.key("/")
	h.typeText("555")
	check("history search")
	h.key("enter")
	h.key("tab")
	h.keys("pgdown", "j")
	check("messages scrolled")
	h.key("enter")
	check("message read")
	h.keys("pgdown", "down")
	check("message read, scrolled")
	h.key("enter")
	today(h.key("tab"))
	check("today")
	h.key("tab")

	h.send(eventMsg{0, transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnReconnecting, Err: transport.ErrAuth}}})
	h.key("p")
	check("PIN prompt")
}

// modelState is every value reachable from m, in a fixed order.
func modelState(m *Model) stateWalker {
	w := stateWalker{seen: map[visit]int{}}
	w.walk("", reflect.ValueOf(m))
	return w
}

// stateDiff says where a and b, two states of m, first differ; "" when
// they do not.
func stateDiff(m *Model, a, b stateWalker) string {
	if bytes.Equal(a.buf, b.buf) {
		return ""
	}
	i := 0 // the first value that differs
	for i < min(len(a.ends), len(b.ends)) && bytes.Equal(a.value(i), b.value(i)) {
		i++
	}
	// The walk is the same up to the first difference: a walk that names
	// the paths names it.
	w := stateWalker{seen: map[visit]int{}, paths: true}
	w.walk("m", reflect.ValueOf(m))
	where := "past the end"
	if i < len(w.at) {
		where = w.at[i]
	}
	return fmt.Sprintf("%s: was %q, is %q", where, a.value(i), b.value(i))
}

// stateWalker follows pointers (each once), interfaces, slices, arrays,
// maps (in key order) and structs, unexported fields included, and writes
// every value it meets in buf. Funcs and channels are told apart by
// address, and so is a *time.Location, whose caches the time package fills
// as it likes.
type stateWalker struct {
	buf   []byte
	ends  []int // where each value ends in buf
	seen  map[visit]int
	paths bool     // name each value's path in at
	at    []string // the path of each value, with paths
}

type visit struct {
	p uintptr
	t reflect.Type
}

var locationType = reflect.TypeFor[*time.Location]()

// value is the i-th value written, nil past the last.
func (w *stateWalker) value(i int) []byte {
	if i >= len(w.ends) {
		return nil
	}
	start := 0
	if i > 0 {
		start = w.ends[i-1]
	}
	return w.buf[start:w.ends[i]]
}

// end ends a value written to buf.
func (w *stateWalker) end(path string) {
	w.ends = append(w.ends, len(w.buf))
	if w.paths {
		w.at = append(w.at, path)
	}
}

func (w *stateWalker) add(path, value string) {
	w.buf = append(w.buf, value...)
	w.end(path)
}

func (w *stateWalker) addInt(path, kind string, n int64) {
	w.buf = strconv.AppendInt(append(w.buf, kind...), n, 10)
	w.end(path)
}

// in is the path of a part of path, built only when paths are named.
func (w *stateWalker) in(path, part string) string {
	if !w.paths {
		return ""
	}
	return path + part
}

func (w *stateWalker) walk(path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Invalid:
		w.add(path, "invalid")
	case reflect.Bool:
		w.addInt(path, "bool ", int64(btoi(v.Bool())))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.addInt(path, "int ", v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w.addInt(path, "uint ", int64(v.Uint()))
	case reflect.Float32, reflect.Float64:
		w.buf = strconv.AppendFloat(append(w.buf, "float "...), v.Float(), 'g', -1, 64)
		w.end(path)
	case reflect.Complex64, reflect.Complex128:
		w.add(path, fmt.Sprint(v.Complex()))
	case reflect.String:
		w.buf = strconv.AppendQuote(w.buf, v.String())
		w.end(path)
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		w.addInt(path, "at ", int64(v.Pointer()))
	case reflect.Pointer:
		if v.IsNil() || v.Type() == locationType {
			w.addInt(path, "at ", int64(v.Pointer()))
			return
		}
		k := visit{v.Pointer(), v.Type()}
		if n, ok := w.seen[k]; ok {
			w.addInt(path, "pointer #", int64(n))
			return
		}
		w.seen[k] = len(w.seen)
		w.walk(path, v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			w.add(path, "nil")
			return
		}
		w.add(path, v.Elem().Type().String())
		w.walk(path, v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			w.add(path, "nil")
			return
		}
		fallthrough
	case reflect.Array:
		w.addInt(path, "len ", int64(v.Len()))
		if k := v.Type().Elem().Kind(); k >= reflect.Int && k <= reflect.Uint64 {
			// Text and numbers: one value for the lot.
			for i := range v.Len() {
				if k >= reflect.Uint {
					w.buf = strconv.AppendUint(w.buf, v.Index(i).Uint(), 36)
				} else {
					w.buf = strconv.AppendInt(w.buf, v.Index(i).Int(), 36)
				}
				w.buf = append(w.buf, ' ')
			}
			w.end(path)
			return
		}
		for i := range v.Len() {
			w.walk(w.in(path, "["+strconv.Itoa(i)+"]"), v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			w.add(path, "nil")
			return
		}
		type entry struct {
			key string
			v   reflect.Value
		}
		var entries []entry
		for it := v.MapRange(); it.Next(); {
			kw := stateWalker{seen: map[visit]int{}}
			kw.walk("", it.Key())
			entries = append(entries, entry{string(kw.buf), it.Value()})
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		w.addInt(path, "len ", int64(len(entries)))
		for _, e := range entries {
			w.add(w.in(path, "[key]"), e.key)
			w.walk(w.in(path, "["+e.key+"]"), e.v)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			w.walk(w.in(path, "."+v.Type().Field(i).Name), v.Field(i))
		}
	default:
		panic("stateWalker: kind " + v.Kind().String())
	}
}
