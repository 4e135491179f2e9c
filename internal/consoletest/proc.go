package consoletest

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Proc is what Linux reports about a running process, for the CPU, wake-up
// and memory figures of the benchmarks.
type Proc struct {
	CPU      time.Duration // user + system time of every thread (10 ms steps)
	Switches int64         // voluntary + involuntary context switches of every thread: its wake-ups
	RSS, HWM int64         // resident memory now and at its peak, in bytes
}

// ReadProc reads /proc for process pid.
func ReadProc(pid int) (Proc, error) {
	var p Proc
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return p, err
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// After the command: state is f[0]; utime f[11], stime f[12].
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const hz = 100 // USER_HZ on Linux
	p.CPU = time.Duration(ut+st) * time.Second / hz

	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return p, err
	}
	p.RSS, p.HWM = statusKB(status, "VmRSS:")<<10, statusKB(status, "VmHWM:")<<10

	tasks, err := os.ReadDir(dir + "/task")
	if err != nil {
		return p, err
	}
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/task/" + t.Name() + "/status")
		if err != nil {
			continue // the thread ended
		}
		p.Switches += statusKB(b, "voluntary_ctxt_switches:") + statusKB(b, "nonvoluntary_ctxt_switches:")
	}
	return p, nil
}

// statusKB is the number after key in a /proc status file.
func statusKB(status []byte, key string) int64 {
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}
