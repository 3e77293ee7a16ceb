package demo_test

import (
	"os"
	"time"

	"conclab/demo"
)

// Write explains a race report; here one with fixed figures. A real one
// comes from demo.Race, which needs child.RunIfChild at the top of
// main (or TestMain).
func ExampleRaceReport_Write() {
	rep := demo.RaceReport{
		Config: demo.RaceConfig{Goroutines: 8, Increments: 100000},
		Map: demo.MapResult{Triggered: true, Rounds: 1, ExitCode: 2,
			Fatal: "fatal error: concurrent map writes",
			Trace: "fatal error: concurrent map writes\ngoroutine 9 [running]:"},
		Counters: []demo.CounterResult{
			{Variant: demo.Unsynchronised, Expected: 800000, Final: 312000, Lost: 488000, Elapsed: 1400 * time.Microsecond, InChild: true},
			{Variant: demo.Mutex, Expected: 800000, Final: 800000, Elapsed: 34 * time.Millisecond},
			{Variant: demo.Atomic, Expected: 800000, Final: 800000, Elapsed: 13 * time.Millisecond},
		},
	}
	_ = rep.Write(os.Stdout)
	// Output:
	// 1. A map written by 8 goroutines with no lock, in a child process:
	//    round 1: the child died with exit status 2:
	//      | fatal error: concurrent map writes
	//      | goroutine 9 [running]:
	//    The runtime saw two writes at once and stopped the whole program: this
	//    fatal error cannot be recovered, which is why it ran in a child.
	//
	// 2. A counter incremented by 8 goroutines, 100000 times each (800000 expected):
	//    unsynchronised        312000  lost     488000 ( 61.0%)       1.4 ms  (child process)
	//    sync.Mutex            800000  lost          0 (  0.0%)      34.0 ms
	//    sync/atomic           800000  lost          0 (  0.0%)      13.0 ms
	//    The unsynchronised increments read, then wrote: a goroutine that read a
	//    stale value wrote it back and erased the others' increments. (Every 1000th
	//    increment calls runtime.Gosched between its read and its write, so that a
	//    switch lands there and the loss shows on every run, on one core too.)
	//    Build with -race (go run -race ./cmd/compare demo race) and the race
	//    detector names the two lines that race, whether or not updates were lost.
	//    A sync.Mutex makes read-and-write one step for one goroutine at a time;
	//    sync/atomic does it in one instruction, without parking anybody.
}
