package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"conclab/demo"
	"conclab/eventloop"
)

// runDemo runs `compare demo NAME`.
func runDemo(ctx context.Context, o options, stdout, stderr io.Writer) int {
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
	case demoRace:
		fmt.Fprintln(stderr, "demo race: child processes race on a map, then on a counter")
		var rep demo.RaceReport
		if rep, err = demo.Race(ctx, demo.RaceConfig{GOMAXPROCS: o.gomaxprocs}); err == nil {
			err = rep.Write(stdout)
		}
	}
	return exitStatus(ctx, err, nil, false, stderr)
}

// writeStarve explains the starvation report: the same timer behind a task
// that never yields and behind one that does.
func writeStarve(w io.Writer, r eventloop.StarveReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "An event loop runs one callback at a time and nothing preempts it. On a fresh\n"+
		"loop a task summing the squares below %d was scheduled, and a timer due\n"+
		"%s later; then the same again with a task that yields between chunks.\n\n", r.N, ms(r.Delay))
	fmt.Fprintf(&b, "  %-20s %12s %15s  %s\n", "task", "task took", "timer late by", "the timer ran")
	row := func(name string, run eventloop.StarveRun) {
		when := "after the task ended"
		if run.TimerFirst {
			when = "while the task ran"
		}
		if run.Yields > 0 {
			when += fmt.Sprintf(" (%d yields)", run.Yields)
		}
		fmt.Fprintf(&b, "  %-20s %12s %15s  %s\n", name, ms(run.Task), ms(run.Late), when)
	}
	row("never yields", r.Blocking)
	row("yields every chunk", r.Yielding)
	bl, y := r.Blocking, r.Yielding
	b.WriteString("\n")
	if bl.Late > 0 && bl.Task > 0 {
		fmt.Fprintf(&b, "The task that never yields held the loop for %s, so the timer ran\n"+
			"%s late (%.0f%% of the task's time); any socket ready to read would have\n"+
			"waited as long.\n", ms(bl.Task), ms(bl.Late), 100*float64(bl.Late)/float64(bl.Task))
	}
	if y.Late > 0 && bl.Late > 0 {
		fmt.Fprintf(&b, "Yielding between chunks kept the timer %s late, %.0f× sooner, and the\n"+
			"task took %s instead of %s.\n", ms(y.Late), float64(bl.Late)/float64(y.Late), ms(y.Task), ms(bl.Task))
	}
	b.WriteString("asyncio has the same rule: a coroutine that computes without an await starves\n" +
		"the loop. Goroutines are preempted by Go's scheduler, so a busy goroutine holds\n" +
		"up the others only when every P (GOMAXPROCS) is busy, and even then only for\n" +
		"about 10 ms at a time.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// ms formats a duration in milliseconds with a precision that suits it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 1:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.3f ms", v)
}
