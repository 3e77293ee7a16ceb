package eventloop

import (
	"context"
	"fmt"
	"os"
	"time"

	"conclab/cpubound"
)

// sumChunk is how many iterations a sum runs before it yields to the loop:
// about a tenth of a millisecond of work, so the loop gets control back
// often while the cost of yielding (one trip through the ready queue) stays
// far below the work between yields.
const sumChunk = 100_000

// SumSquares computes every sum as a task on one event loop. A task runs a
// chunk of its loop, then yields (CallSoon schedules its next chunk at the
// back of the ready queue), so the sums interleave on one goroutine: they
// all finish at about the time the sequential model finishes, because
// yielding shares one CPU, it does not add any. The error return is for a
// run that could not happen (no poller, ctx cancelled).
func (Model) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	results := make([]cpubound.Result, len(numbers))
	pid := os.Getpid()
	for i, n := range numbers {
		results[i] = cpubound.Result{N: n}
		results[i].Span.PID = pid
	}
	if len(numbers) == 0 {
		return cpubound.Report{Results: results}, nil
	}
	loop, err := New()
	if err != nil {
		return cpubound.Report{Results: results}, err
	}
	defer loop.Close()

	done := make([]bool, len(numbers))
	for i, n := range numbers {
		if err := cpubound.Check(n); err != nil {
			results[i].Err = err
			done[i] = true
			continue
		}
		res := &results[i]
		t := &sumTask{loop: loop, n: n, chunk: sumChunk, onDone: func(sum cpubound.Uint128, start, end time.Time) {
			res.Sum, res.Span.Start, res.Span.End = sum, start, end
			done[i] = true
		}}
		t.yield = t.step // one method value, not one per yield
		loop.CallSoon(t.yield)
	}
	err = loop.Run(ctx)
	if err != nil {
		now := time.Now()
		for i := range results {
			if !done[i] {
				results[i].Err = fmt.Errorf("sum of squares of %d: %w", results[i].N, err)
				if results[i].Span.Start.IsZero() {
					results[i].Span.Start = now
				}
				results[i].Span.End = now
			}
		}
	}
	return cpubound.Report{Results: results}, err
}

// sumTask is one sum as a cooperative task: its state between chunks is
// what a coroutine's frame would hold.
type sumTask struct {
	loop   *Loop
	n      int
	chunk  int // iterations per step; the whole range when <= 0
	next   int
	sum    cpubound.Uint128
	start  time.Time
	yield  func()
	onDone func(sum cpubound.Uint128, start, end time.Time)
}

// step is the code between two await points: one chunk, then yield.
func (t *sumTask) step() {
	if t.start.IsZero() {
		t.start = time.Now()
	}
	to := t.n
	if t.chunk > 0 {
		to = min(t.next+t.chunk, t.n)
	}
	// No overflow: Check bounded n, and every partial sum is below the
	// whole one.
	t.sum, _ = t.sum.Add(cpubound.SumRange(t.next, to))
	t.next = to
	if t.next < t.n {
		t.loop.CallSoon(t.yield)
		return
	}
	t.onDone(t.sum, t.start, time.Now())
}
