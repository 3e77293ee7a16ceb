package eventloop

import (
	"context"
	"fmt"
	"time"

	"conclab/cpubound"
)

// StarveReport shows the event loop's one rule, that nothing preempts a
// callback: the same timer, due while a sum of squares runs, fires late by
// the whole computation when the sum never yields, and about one chunk late
// when it yields between chunks.
type StarveReport struct {
	N        int           // the sum computed: sum(i*i for i < N)
	Delay    time.Duration // when the timer was due, after the task was scheduled
	Blocking StarveRun     // the sum as one callback
	Yielding StarveRun     // the sum in chunks, yielding between them
}

// StarveRun is one task and one timer on a fresh loop.
type StarveRun struct {
	Task       time.Duration // from the task's first instruction to its last
	Late       time.Duration // how long after its deadline the timer ran
	TimerFirst bool          // the timer ran before the task had finished
	Yields     int           // how often the task gave control back
}

// Starve schedules a sum of squares of n and a timer due after delay on a
// loop, twice: once with a task that never yields, once with one that
// yields every chunk. Delay 0 makes the timer due at once: it still waits
// for the callback that runs when it comes due.
func Starve(ctx context.Context, n int, delay time.Duration) (StarveReport, error) {
	if err := cpubound.Check(n); err != nil {
		return StarveReport{}, err
	}
	report := StarveReport{N: n, Delay: delay}
	var err error
	if report.Blocking, err = starveRun(ctx, n, delay, 0); err != nil {
		return report, err
	}
	report.Yielding, err = starveRun(ctx, n, delay, sumChunk)
	return report, err
}

func starveRun(ctx context.Context, n int, delay time.Duration, chunk int) (StarveRun, error) {
	loop, err := New()
	if err != nil {
		return StarveRun{}, err
	}
	defer loop.Close()
	var run StarveRun
	taskDone := false
	t := &sumTask{loop: loop, n: n, chunk: chunk, onDone: func(_ cpubound.Uint128, start, end time.Time) {
		run.Task = end.Sub(start)
		taskDone = true
	}}
	t.yield = func() {
		run.Yields++
		t.step()
	}
	loop.CallSoon(t.step)
	deadline := time.Now().Add(delay)
	loop.CallAt(deadline, func() {
		run.Late = time.Since(deadline)
		run.TimerFirst = !taskDone
	})
	if err := loop.Run(ctx); err != nil {
		return run, fmt.Errorf("starvation demo: %w", err)
	}
	return run, nil
}
