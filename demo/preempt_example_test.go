package demo_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"conclab/demo"
)

// Preempt measures, in children, how late a timer runs beside a busy
// goroutine. The figures vary from run to run, so this example is not run.
func ExamplePreempt() {
	rep, err := demo.Preempt(context.Background(), demo.PreemptConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = rep.Write(os.Stdout)
}

// Write explains a Preempt report; here one with fixed figures.
func ExamplePreemptReport_Write() {
	rep := demo.PreemptReport{
		Config: demo.PreemptConfig{N: 100_000_000, Delay: time.Millisecond},
		Runs: []demo.PreemptRun{
			{GOMAXPROCS: 1, Task: 61 * time.Millisecond, Late: 18800 * time.Microsecond, TimerFirst: true},
			{GOMAXPROCS: 2, Task: 60 * time.Millisecond, Late: 52 * time.Microsecond, TimerFirst: true},
			{GOMAXPROCS: 1, AsyncPreemptOff: true, Task: 61 * time.Millisecond, Late: 60 * time.Millisecond},
		},
	}
	_ = rep.Write(os.Stdout)
	// Output:
	// The same sum of squares below 100000000 on a goroutine, and a timer due 1.0 ms
	// after it started, each pair in a child process with its GOMAXPROCS:
	//
	//   task                        task took   timer late by  the timer ran
	//   goroutine, 1 P                61.0 ms         18.8 ms  while the task ran
	//   goroutine, 2 Ps               60.0 ms        0.052 ms  while the task ran
	//   goroutine, 1 P, no async      61.0 ms         60.0 ms  after the task ended
	//
	// With one P the busy goroutine held the only processor. The timer's goroutine
	// ran 18.8 ms late (19.8 ms into the task), when the scheduler took the P back.
	// That is sysmon's doing: a runtime thread that needs no P, wakes every 20 µs
	// (backing off to every 10 ms while it finds nothing to do) and preempts a
	// goroutine that has held its P for 10.0 ms (forcePreemptNS in runtime/proc.go).
	// Since Go 1.14 it does so by a signal, asynchronously, so even a loop with no
	// function call stops. A busy goroutine thus keeps a P for at least 10.0 ms,
	// and longer by up to two of sysmon's sleeps: a mechanism, not a promise.
	//
	// With 2 Ps the timer's goroutine ran on an idle P (0.052 ms late): the busy
	// goroutine held up nobody. Goroutines starve each other only when every P is
	// busy.
	//
	// With asynchronous preemption off (GODEBUG=asyncpreemptoff=1, as before Go
	// 1.14) a goroutine can be preempted only at a function call, whose stack check
	// doubles as a check for a preemption request. The loop calls no function, so
	// the timer waited 60.0 ms, the whole task, as behind the event loop's task
	// that never yields.
}
