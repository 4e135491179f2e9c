// Package perf is frontdesk's benchmark harness: end-to-end figures that no
// single package can measure on its own, each against a goal.
//
//   - an event on the wire to the table updated and the screen drawn;
//   - a key press to the command's bytes on the stream's socket;
//   - a command's round trip over the stream, against a client that opens a
//     new connection and POSTs one command per request;
//   - View at 10 to 10,000 calls;
//   - the console's terminal output, CPU and wake-ups when only timers
//     change, and when nothing does;
//   - resident memory after a million events through one session;
//   - the time to the first frame of `frontdesk demo`.
//
// The figures are Go benchmarks (run by `make bench`) that report custom
// metrics with b.ReportMetric. perf/report reads `go test -bench` output,
// takes the median of each metric over the runs and prints the summary
// table against the goals.
package perf
