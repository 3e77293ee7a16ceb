package timeline_test

import (
	"time"

	"conclab/timeline"
)

// origin is the start of every synthetic run.
var origin = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return origin.Add(d) }

// staircase is the sequential model: n tasks, one after another, one lane.
func staircase(n int, each time.Duration) []timeline.Span {
	spans := make([]timeline.Span, n)
	for i := range spans {
		spans[i] = timeline.Span{PID: 100, Start: at(time.Duration(i) * each), End: at(time.Duration(i+1) * each)}
	}
	return spans
}

// pool is a pool of workers goroutines taking tasks in turn.
func pool(workers, n int, each time.Duration) []timeline.Span {
	spans := make([]timeline.Span, n)
	for i := range spans {
		round := time.Duration(i / workers)
		spans[i] = timeline.Span{Worker: i % workers, PID: 100, Start: at(round * each), End: at((round + 1) * each)}
	}
	return spans
}

// loop is the event loop: n tasks on one lane, started stagger apart, each
// waiting each.
func loop(n int, stagger, each time.Duration) []timeline.Span {
	spans := make([]timeline.Span, n)
	for i := range spans {
		start := time.Duration(i) * stagger
		spans[i] = timeline.Span{PID: 100, Start: at(start), End: at(start + each)}
	}
	return spans
}

// processes is a process pool: one lane per pid, tasks in turn.
func processes(pids []int, n int, each time.Duration) []timeline.Span {
	spans := make([]timeline.Span, n)
	for i := range spans {
		round := time.Duration(i / len(pids))
		spans[i] = timeline.Span{PID: pids[i%len(pids)], Start: at(round * each), End: at((round + 1) * each)}
	}
	return spans
}
