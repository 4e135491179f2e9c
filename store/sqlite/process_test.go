package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/storetest"
)

// The tests below run this test binary again as a writer process. The
// environment tells the child what to do:
//
//	HISTORY_WRITER_DB     the database path
//	HISTORY_WRITER_NAME   a prefix for the call ids it writes
//	HISTORY_WRITER_ROWS   how many rows to write (0: until killed)
//	HISTORY_WRITER_SKEW   milliseconds added to every call's start
//
// The call ids are the prefix and the row number. After each Write returns the child prints "ROW <n>" on stdout, so the parent
// knows which rows were committed.
const writerEnv = "HISTORY_WRITER_DB"

func TestHelperWriterProcess(t *testing.T) {
	path := os.Getenv(writerEnv)
	if path == "" {
		t.Skip("helper process for the multi-process tests")
	}
	name := os.Getenv("HISTORY_WRITER_NAME")
	rows, _ := strconv.Atoi(os.Getenv("HISTORY_WRITER_ROWS"))
	skew, _ := strconv.Atoi(os.Getenv("HISTORY_WRITER_SKEW"))
	s, err := Open(path)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; rows == 0 || i < rows; i++ {
		c := missedCall(fmt.Sprintf("%s-%d", name, i), base.Add(time.Duration(i)*time.Hour+time.Duration(skew)*time.Millisecond))
		c.Name = "Writer " + name
		if err := s.Write(context.Background(), store.Batch{Calls: []model.CallRecord{c}}); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(2)
		}
		fmt.Fprintf(out, "ROW %d\n", i)
		out.Flush()
	}
	s.Close()
	os.Exit(0)
}

func missedCall(id string, start time.Time) model.CallRecord {
	c := storetest.Call(storetest.AcctA, id, start)
	c.Outcome, c.Talk = model.OutcomeMissed, 0
	return c
}

func writerCmd(t *testing.T, path, name string, rows, skew int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriterProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), writerEnv+"="+path, "HISTORY_WRITER_NAME="+name,
		"HISTORY_WRITER_ROWS="+strconv.Itoa(rows), "HISTORY_WRITER_SKEW="+strconv.Itoa(skew))
	cmd.Stderr = os.Stderr
	return cmd
}

// readRows reads "ROW n" lines until stop(n) is true or the output ends,
// and returns the highest n acknowledged (-1 for none).
func readRows(t *testing.T, sc *bufio.Scanner, stop func(n int) bool) int {
	t.Helper()
	last := -1
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "ERROR") {
			t.Errorf("writer: %s", line)
			continue
		}
		n, ok := strings.CutPrefix(line, "ROW ")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil || i != last+1 {
			t.Fatalf("writer out of order: %q after %d", line, last)
		}
		last = i
		if stop(i) {
			break
		}
	}
	return last
}

// TestKilledWriterLosesNothingCommitted kills a writer process with SIGKILL
// in the middle of its writes: the database must be intact and hold every row
// the writer had seen committed, without gaps.
func TestKilledWriterLosesNothingCommitted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	cmd := writerCmd(t, path, "k", 0, 0)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const target = 150
	acked := readRows(t, bufio.NewScanner(stdout), func(n int) bool { return n+1 >= target })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if acked+1 < target {
		t.Fatalf("writer stopped after %d rows", acked+1)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Calls(ctx, scopeA, model.CallQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < acked+1 {
		t.Fatalf("%d rows after the kill, but %d were acknowledged", len(got), acked+1)
	}
	// Newest first, consecutive: nothing half-written, nothing missing.
	for i, e := range got {
		if want := fmt.Sprintf("k-%d", len(got)-1-i); e.CallID != want {
			t.Fatalf("row %d is %s, want %s", i, e.CallID, want)
		}
	}
	// The database stays writable.
	mustWrite(t, s, storetest.Call(storetest.AcctA, "after", base))
}

// TestWriterProcessesAtOnce runs two writer processes and writes from this
// one at the same time, all on one database file.
func TestWriterProcessesAtOnce(t *testing.T) {
	s, path := openTemp(t)
	const rows = 40
	var cmds []*exec.Cmd
	var outs []*bufio.Scanner
	for _, name := range []string{"p1", "p2"} {
		cmd := writerCmd(t, path, name, rows, 0)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		outs = append(outs, bufio.NewScanner(stdout))
	}
	for i := range rows {
		mustWrite(t, s, missedCall(fmt.Sprintf("p0-%d", i), base.Add(time.Duration(i)*time.Hour)))
	}
	for i, cmd := range cmds {
		if last := readRows(t, outs[i], func(int) bool { return false }); last != rows-1 {
			t.Errorf("writer %d acknowledged %d rows", i+1, last+1)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v", i+1, err)
		}
	}
	if n, err := s.OpenMissed(ctx, scopeA); err != nil || n != 3*rows {
		t.Errorf("%d rows, %v; want %d", n, err, 3*rows)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// TestTwoProcessesOneRowPerCall has two processes record the same calls,
// each seeing them start a few milliseconds apart, as two consoles on one
// account do: one row per call.
func TestTwoProcessesOneRowPerCall(t *testing.T) {
	s, path := openTemp(t)
	const rows = 60
	var cmds []*exec.Cmd
	var outs []*bufio.Scanner
	for i := range 2 {
		cmd := writerCmd(t, path, "same", rows, 17*i)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		outs = append(outs, bufio.NewScanner(stdout))
	}
	for i, cmd := range cmds {
		if last := readRows(t, outs[i], func(int) bool { return false }); last != rows-1 {
			t.Errorf("writer %d acknowledged %d rows", i+1, last+1)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v", i+1, err)
		}
	}
	got, err := s.Calls(ctx, scopeA, model.CallQuery{})
	if err != nil || len(got) != rows {
		t.Fatalf("%d rows for %d calls, %v", len(got), rows, err)
	}
	if n, err := s.OpenMissed(ctx, scopeA); err != nil || n != rows {
		t.Errorf("missed badge counts %d, want %d", n, rows)
	}
}
