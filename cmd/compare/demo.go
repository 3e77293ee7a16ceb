package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"conclab/demo"
	"conclab/eventloop"
	"conclab/internal/units"
)

// runDemo runs `compare demo NAME`.
func runDemo(ctx context.Context, o options, stdout, stderr io.Writer) int {
	if o.demo == demoParallel {
		return runParallel(ctx, o, stdout, stderr) // -gomaxprocs is its second pass
	}
	restore := limitProcs(o.gomaxprocs)
	defer restore()
	var err error
	switch o.demo {
	case demoStarve:
		fmt.Fprintf(stderr, "demo starve: a sum of squares below %d on a fresh event loop, twice\n", o.starveN)
		var rep eventloop.StarveReport
		if rep, err = eventloop.Starve(ctx, o.starveN, o.starveDelay); err == nil {
			err = writeStarve(stdout, rep)
		}
		if err == nil {
			var pre demo.PreemptReport
			if pre, err = demo.Preempt(ctx, demo.PreemptConfig{N: o.starveN, Delay: o.starveDelay}); err == nil {
				fmt.Fprintln(stdout)
				err = pre.Write(stdout)
			}
		}
	case demoRace:
		fmt.Fprintln(stderr, "demo race: child processes race on a map, then on a counter")
		var rep demo.RaceReport
		if rep, err = demo.Race(ctx, demo.RaceConfig{GOMAXPROCS: o.gomaxprocs}); err == nil {
			err = rep.Write(stdout)
		}
	case demoNoLock:
		fmt.Fprintln(stderr, "demo nolock: tasks share a counter and a map with no lock, on an event loop, then on goroutines in a child")
		var rep demo.NoLocksReport
		if rep, err = demo.NoLocks(ctx, demo.NoLocksConfig{GOMAXPROCS: o.gomaxprocs}); err == nil {
			err = rep.Write(stdout)
		}
	case demoLeak:
		fmt.Fprintln(stderr, "demo leak: a pipeline over the embedded server stops at a failing URL, without and with cancellation")
		var rep demo.LeakReport
		if rep, err = demo.Leak(ctx, demo.LeakConfig{}); err == nil {
			err = rep.Write(stdout)
		}
	case demoDeadlock:
		fmt.Fprintln(stderr, "demo deadlock: three child processes that never finish, and a watchdog (about 3 s)")
		var rep demo.DeadlockReport
		if rep, err = demo.Deadlock(ctx, demo.DeadlockConfig{}); err == nil {
			err = rep.Write(stdout)
		}
	default:
		err = fmt.Errorf("demo %q has no runner", o.demo)
	}
	return exitStatus(ctx, err, nil, false, stderr)
}

// writeStarve explains the starvation report: the same timer behind a task
// that never yields and behind one that does.
func writeStarve(w io.Writer, r eventloop.StarveReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "An event loop runs one callback at a time and nothing preempts it. On a fresh\n"+
		"loop a task summing the squares below %d was scheduled, and a timer due\n"+
		"%s later; then the same again with a task that yields between chunks.\n\n", r.N, units.Milliseconds(r.Delay))
	fmt.Fprintf(&b, "  %-24s %12s %15s  %s\n", "task", "task took", "timer late by", "the timer ran")
	row := func(name string, run eventloop.StarveRun) {
		when := "after the task ended"
		if run.TimerFirst {
			when = "while the task ran"
		}
		if run.Yields > 0 {
			when += fmt.Sprintf(" (%d yields)", run.Yields)
		}
		fmt.Fprintf(&b, "  %-24s %12s %15s  %s\n", name, units.Milliseconds(run.Task), units.Milliseconds(run.Late), when)
	}
	row("never yields", r.Blocking)
	row("yields every chunk", r.Yielding)
	bl, y := r.Blocking, r.Yielding
	b.WriteString("\n")
	if bl.Late > 0 && bl.Task > 0 {
		fmt.Fprintf(&b, "The task that never yields held the loop for %s, so the timer ran\n"+
			"%s late (%.0f%% of the task's time); any socket ready to read would have\n"+
			"waited as long.\n", units.Milliseconds(bl.Task), units.Milliseconds(bl.Late), 100*float64(bl.Late)/float64(bl.Task))
	}
	if y.Late > 0 && bl.Late > 0 {
		fmt.Fprintf(&b, "Yielding between chunks kept the timer %s late, %.0f× sooner, and the\n"+
			"task took %s instead of %s.\n", units.Milliseconds(y.Late), float64(bl.Late)/float64(y.Late), units.Milliseconds(y.Task), units.Milliseconds(bl.Task))
	}
	b.WriteString("asyncio has the same rule: a coroutine that computes without an await starves\n" +
		"the loop. Goroutines are preempted by Go's scheduler: the same task on a\n" +
		"goroutine follows.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
