// Command report reads the output of `go test -bench` (one or more files,
// or standard input), takes the median of every metric over the runs of
// each benchmark, and prints the machine, frontdesk's performance goals
// with the measured figures, and every benchmark, as Markdown.
//
//	go run ./perf/report bench-packages.txt bench-perf.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// key names one benchmark: its package and its name without the
// GOMAXPROCS suffix.
type key struct{ pkg, name string }

type bench struct {
	runs    int
	metrics map[string][]float64 // unit -> one value per run
	order   []string             // units, as first seen
}

type results struct {
	cpu   string
	goos  string
	arch  string
	names []key
	by    map[key]*bench
}

func main() {
	r := &results{by: map[key]*bench{}}
	if len(os.Args) < 2 {
		r.parse(os.Stdin)
	}
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		r.parse(f)
		f.Close()
	}
	if len(r.by) == 0 {
		fmt.Fprintln(os.Stderr, "report: no benchmark results in the input")
		os.Exit(1)
	}
	r.machine(os.Stdout)
	missed := r.goals(os.Stdout)
	r.all(os.Stdout)
	if missed > 0 {
		fmt.Printf("\n%d goal(s) missed; see BENCHMARKS.md for why and what it would take.\n", missed)
	}
}

func (r *results) parse(in io.Reader) {
	pkg := ""
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(strings.TrimSpace(line[5:]), "github.com/frontdesk/frontdesk")
			pkg = strings.TrimPrefix(pkg, "/")
			if pkg == "" {
				pkg = "."
			}
		case strings.HasPrefix(line, "cpu: "):
			r.cpu = strings.TrimSpace(line[5:])
		case strings.HasPrefix(line, "goos: "):
			r.goos = strings.TrimSpace(line[6:])
		case strings.HasPrefix(line, "goarch: "):
			r.arch = strings.TrimSpace(line[8:])
		case strings.HasPrefix(line, "Benchmark"):
			r.add(pkg, line)
		}
	}
}

// add records one result line: name, iterations, then value-unit pairs.
func (r *results) add(pkg, line string) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	k := key{pkg, name}
	b := r.by[k]
	if b == nil {
		b = &bench{metrics: map[string][]float64{}}
		r.by[k] = b
		r.names = append(r.names, k)
	}
	b.runs++
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			continue
		}
		u := f[i+1]
		if _, ok := b.metrics[u]; !ok {
			b.order = append(b.order, u)
		}
		b.metrics[u] = append(b.metrics[u], v)
	}
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// get returns the median of a metric and the number of runs behind it.
func (r *results) get(pkg, name, unit string) (float64, int, bool) {
	b := r.by[key{pkg, name}]
	if b == nil || len(b.metrics[unit]) == 0 {
		return 0, 0, false
	}
	return median(b.metrics[unit]), len(b.metrics[unit]), true
}

func (r *results) machine(w io.Writer) {
	model := r.cpu
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(l[strings.IndexByte(l, ':')+1:])
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		if len(f) >= 2 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			mem = fmt.Sprintf(", %.1f GiB RAM", kb/(1<<20))
		}
	}
	fmt.Fprintf(w, "## Machine\n\n%s, %d logical CPUs%s; %s/%s, Linux %s; %s.\n\n",
		model, runtime.NumCPU(), mem, r.goos, r.arch, strings.TrimSpace(string(kernel)), runtime.Version())
	fmt.Fprintln(w, "Every figure is the median over the runs shown (go test -count); latency percentiles are taken within each run, then the median of the runs' percentiles is shown.")
	fmt.Fprintln(w)
}

// goal is one row of the summary.
type goal struct {
	what      string
	pkg, name string
	unit      string
	scale     float64 // multiply the median by this for display
	show      string  // display unit
	limit     float64 // in display units; NaN = no goal
	below     bool    // the goal is figure < limit (else figure > limit)
	goalText  string
	compute   func(r *results) (float64, int, bool) // instead of pkg/name/unit
}

func (r *results) goals(w io.Writer) (missed int) {
	nan := math.NaN()
	ratio := func(r *results) (float64, int, bool) {
		fresh, n1, ok1 := r.get("perf", "CommandRoundTrip/fresh-post", "p50-µs")
		stream, n2, ok2 := r.get("perf", "CommandRoundTrip/stream", "p50-µs")
		return fresh / stream, min(n1, n2), ok1 && ok2
	}
	growth := func(r *results) (float64, int, bool) {
		a, n1, ok1 := r.get("perf", "MillionEvents", "rss-1M-MB")
		b, n2, ok2 := r.get("perf", "MillionEvents", "rss-250k-MB")
		return a - b, min(n1, n2), ok1 && ok2
	}
	rows := []goal{
		{what: "event on the wire → table updated, View drawn, p50", pkg: "perf", name: "EventToScreen", unit: "p50-µs", show: "µs", limit: nan},
		{what: "event on the wire → table updated, View drawn, p99", pkg: "perf", name: "EventToScreen", unit: "p99-µs", show: "µs", limit: 1000, below: true, goalText: "< 1 ms"},
		{what: "  of which simulator write → stream event, p50", pkg: "perf", name: "EventToScreen", unit: "wire-p50-µs", show: "µs", limit: nan},
		{what: "  of which event → Update + View, p50", pkg: "perf", name: "EventToScreen", unit: "draw-p50-µs", show: "µs", limit: nan},
		{what: "key press → command bytes on the socket, p50", pkg: "perf", name: "KeyToWire", unit: "p50-µs", show: "µs", limit: nan},
		{what: "key press → command bytes on the socket, p99", pkg: "perf", name: "KeyToWire", unit: "p99-µs", show: "µs", limit: 1000, below: true, goalText: "< 1 ms"},
		{what: "  of which key → phone command called, p50", pkg: "perf", name: "KeyToWire", unit: "update-p50-µs", show: "µs", limit: nan},
		{what: "  of which phone command → socket, p50", pkg: "perf", name: "KeyToWire", unit: "send-p50-µs", show: "µs", limit: nan},
		{what: "command round trip over the stream, p50", pkg: "perf", name: "CommandRoundTrip/stream", unit: "p50-µs", show: "µs", limit: nan},
		{what: "command round trip over the stream, p99", pkg: "perf", name: "CommandRoundTrip/stream", unit: "p99-µs", show: "µs", limit: nan},
		{what: "command round trip, new connection + POST each, p50", pkg: "perf", name: "CommandRoundTrip/fresh-post", unit: "p50-µs", show: "µs", limit: nan},
		{what: "command round trip, new connection + POST each, p99", pkg: "perf", name: "CommandRoundTrip/fresh-post", unit: "p99-µs", show: "µs", limit: nan},
		{what: "command round trip, GET client (kept alive), p50", pkg: "perf", name: "CommandRoundTrip/get", unit: "p50-µs", show: "µs", limit: nan},
		{what: "fresh POST ÷ stream (p50)", compute: ratio, show: "×", limit: 1, below: false, goalText: "stream faster (> 1×)"},
		{what: "View, 10 calls (120×40)", pkg: "perf", name: "View/calls=10", unit: "ns/op", scale: 1e-3, show: "µs", limit: nan},
		{what: "View, 100 calls", pkg: "perf", name: "View/calls=100", unit: "ns/op", scale: 1e-3, show: "µs", limit: nan},
		{what: "View, 1,000 calls", pkg: "perf", name: "View/calls=1000", unit: "ns/op", scale: 1e-3, show: "µs", limit: 1000, below: true, goalText: "< 1 ms"},
		{what: "View, 10,000 calls", pkg: "perf", name: "View/calls=10000", unit: "ns/op", scale: 1e-3, show: "µs", limit: nan},
		{what: "terminal output, 20 live calls, only clocks change (binary on a pty)", pkg: "perf", name: "ConsoleIdle/calls=20", unit: "term-B/s", show: "B/s", limit: 2048, below: true, goalText: "< 2 KB/s"},
		{what: "terminal output, same, in-process tea.Program", pkg: "perf", name: "ProgramIdle/calls=20", unit: "term-B/s", show: "B/s", limit: 2048, below: true, goalText: "< 2 KB/s"},
		{what: "frames written per second, 20 live calls", pkg: "perf", name: "ProgramIdle/calls=20", unit: "frames/s", show: "/s", limit: nan},
		{what: "idle CPU, 20 live calls (binary, share of one core)", pkg: "perf", name: "ConsoleIdle/calls=20", unit: "cpu-%", show: "%", limit: 1, below: true, goalText: "< 1 %"},
		{what: "console messages (ticks) per second, no calls", pkg: "perf", name: "ProgramIdle/calls=0", unit: "msgs/s", show: "/s", limit: 0.1, below: true, goalText: "none"},
		{what: "process wake-ups per second, no calls (binary)", pkg: "perf", name: "ConsoleIdle/calls=0", unit: "wakeups/s", show: "/s", limit: 1, below: true, goalText: "none"},
		{what: "process wake-ups per second, no calls, Bubble Tea at 1 fps", pkg: "perf", name: "ProgramIdle/calls=0,fps=1", unit: "wakeups/s", show: "/s", limit: nan},
		{what: "idle CPU, no calls (binary)", pkg: "perf", name: "ConsoleIdle/calls=0", unit: "cpu-%", show: "%", limit: nan},
		{what: "RSS after 1,000,000 events (client process)", pkg: "perf", name: "MillionEvents", unit: "rss-1M-MB", show: "MB", limit: 40, below: true, goalText: "< 40 MB"},
		{what: "RSS growth from 250k to 1M events", compute: growth, show: "MB", limit: 2, below: true, goalText: "flat (< 2 MB)"},
		{what: "peak RSS (VmHWM) over the 1M events", pkg: "perf", name: "MillionEvents", unit: "hwm-MB", show: "MB", limit: 40, below: true, goalText: "< 40 MB"},
		{what: "events absorbed per second (stream + Update, View at 60 fps)", pkg: "perf", name: "MillionEvents", unit: "events/s", show: "/s", limit: nan},
		{what: "key press → first byte on the terminal (binary on a pty), p50", pkg: "perf", name: "TerminalLatency/key", unit: "p50-µs", scale: 1e-3, show: "ms", limit: nan},
		{what: "key press → first byte on the terminal, p99", pkg: "perf", name: "TerminalLatency/key", unit: "p99-µs", scale: 1e-3, show: "ms", limit: nan},
		{what: "call event on the wire → first byte on the terminal, p50", pkg: "perf", name: "TerminalLatency/event", unit: "p50-µs", scale: 1e-3, show: "ms", limit: nan},
		{what: "call event on the wire → first byte on the terminal, p99", pkg: "perf", name: "TerminalLatency/event", unit: "p99-µs", scale: 1e-3, show: "ms", limit: nan},
		{what: "whole frame (Update, View, renderer draw and diff), 20 calls, CPU", pkg: "perf", name: "WholeFrame/calls=20", unit: "cpu-µs/frame", scale: 1e-3, show: "ms", limit: 0.3, below: true, goalText: "< 0.3 ms"},
		{what: "  of which View", pkg: "perf", name: "WholeFrame/calls=20", unit: "view-µs", scale: 1e-3, show: "ms", limit: nan},
		{what: "whole frame, 1,000 calls, CPU", pkg: "perf", name: "WholeFrame/calls=1000", unit: "cpu-µs/frame", scale: 1e-3, show: "ms", limit: 0.5, below: true, goalText: "< 0.5 ms"},
		{what: "  of which View", pkg: "perf", name: "WholeFrame/calls=1000", unit: "view-µs", scale: 1e-3, show: "ms", limit: nan},
		{what: "console's own wake-ups per second, no calls (no renderer)", pkg: ".", name: "ConsoleWithoutRenderer/calls=0", unit: "wakeups/s", show: "/s", limit: 1, below: true, goalText: "none"},
		{what: "console's own messages per second, no calls (no renderer)", pkg: ".", name: "ConsoleWithoutRenderer/calls=0", unit: "msgs/s", show: "/s", limit: 0.1, below: true, goalText: "none"},
		{what: "console's own wake-ups per second, 20 calls (no renderer)", pkg: ".", name: "ConsoleWithoutRenderer/calls=20", unit: "wakeups/s", show: "/s", limit: nan},
		{what: "SSH: 50 consoles, one call event a second, server CPU", pkg: "sshserver", name: "Sessions/sessions=50", unit: "event-cpu-%", show: "%", limit: nan},
		{what: "SSH: 200 consoles, same", pkg: "sshserver", name: "Sessions/sessions=200", unit: "event-cpu-%", show: "%", limit: nan},
		{what: "SSH: 1,000 consoles, same", pkg: "sshserver", name: "Sessions/sessions=1000", unit: "event-cpu-%", show: "%", limit: 50, below: true, goalText: "< 50 %"},
		{what: "SSH: 1,000 consoles, CPU one event adds", pkg: "sshserver", name: "Sessions/sessions=1000", unit: "cpu-ms/event", show: "ms", limit: nan},
		{what: "SSH: 1,000 consoles, event → last console's terminal, p50", pkg: "sshserver", name: "Sessions/sessions=1000", unit: "fanout-p50-ms", show: "ms", limit: nan},
		{what: "time to first frame of frontdesk (console, 20 calls), p50", pkg: "perf", name: "ConsoleFirstFrame", unit: "first-frame-p50-ms", show: "ms", limit: 150, below: true, goalText: "< 150 ms"},
		{what: "time to the calls on screen (connect, subscribe, list, draw), p50", pkg: "perf", name: "ConsoleFirstFrame", unit: "calls-p50-ms", show: "ms", limit: nan},
		{what: "time to first frame of frontdesk demo, p50", pkg: "perf", name: "DemoFirstFrame", unit: "first-frame-p50-ms", show: "ms", limit: 150, below: true, goalText: "< 150 ms"},
		{what: "time to first frame of frontdesk demo, p99", pkg: "perf", name: "DemoFirstFrame", unit: "first-frame-p99-ms", show: "ms", limit: 150, below: true, goalText: "< 150 ms"},
	}
	fmt.Fprintln(w, "## Figures against the goals")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| measure | figure | goal | met | benchmark (runs) |")
	fmt.Fprintln(w, "|---|---:|---|---|---|")
	for _, g := range rows {
		var v float64
		var n int
		var ok bool
		src := "—"
		if g.compute != nil {
			v, n, ok = g.compute(r)
			src = "derived"
		} else {
			v, n, ok = r.get(g.pkg, g.name, g.unit)
			src = fmt.Sprintf("%s Benchmark%s %s", g.pkg, g.name, g.unit)
		}
		if g.scale != 0 {
			v *= g.scale
		}
		fig, met := "not run", ""
		if ok {
			fig = format(v) + " " + g.show
			if !math.IsNaN(g.limit) {
				pass := (g.below && v < g.limit) || (!g.below && v > g.limit)
				met = "yes"
				if !pass {
					met = "**no**"
					missed++
				}
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s (%d) |\n", g.what, fig, g.goalText, met, src, n)
	}
	fmt.Fprintln(w)
	return missed
}

func format(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// all prints every benchmark: the medians of ns/op, B/op, allocs/op and
// any custom metrics.
func (r *results) all(w io.Writer) {
	fmt.Fprintln(w, "## Every benchmark (medians)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| package | benchmark | runs | time/op | B/op | allocs/op | other |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---|")
	names := slices.Clone(r.names)
	slices.SortStableFunc(names, func(a, b key) int { return strings.Compare(a.pkg, b.pkg) })
	for _, k := range names {
		b := r.by[k]
		cell := func(u string) string {
			vs := b.metrics[u]
			if len(vs) == 0 {
				return ""
			}
			return format(median(vs))
		}
		t := ""
		if vs := b.metrics["ns/op"]; len(vs) > 0 {
			t = duration(median(vs))
		}
		var other []string
		for _, u := range b.order {
			switch u {
			case "ns/op", "B/op", "allocs/op":
				continue
			}
			other = append(other, cell(u)+" "+u)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s |\n", k.pkg, k.name, b.runs, t, cell("B/op"), cell("allocs/op"), strings.Join(other, ", "))
	}
}

func duration(ns float64) string {
	switch {
	case ns >= 1e9:
		return format(ns/1e9) + " s"
	case ns >= 1e6:
		return format(ns/1e6) + " ms"
	case ns >= 1e3:
		return format(ns/1e3) + " µs"
	}
	return format(ns) + " ns"
}
