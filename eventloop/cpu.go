package eventloop

import (
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

// sums is one run of SumSquares: the numbers, and their results.
type sums struct {
	numbers []int
	results []cpubound.Result
	pid     int // this process's, in every span
}

func newSums(numbers []int, results []cpubound.Result) sums {
	return sums{numbers: numbers, results: results, pid: os.Getpid()}
}

// start schedules the sum of squares of number i as a task on loop, which
// writes its result; an invalid number fails at once. CallSoon puts each
// chunk at the back of the ready queue, so the sums interleave.
func (s sums) start(loop *Loop, i int) {
	n, res := s.numbers[i], &s.results[i]
	now := time.Now()
	*res = cpubound.Result{N: n}
	res.Span.PID = s.pid
	if err := cpubound.Check(n); err != nil {
		res.Err, res.Span.Start, res.Span.End = err, now, now
		return
	}
	t := &sumTask{loop: loop, n: n, chunk: sumChunk, onDone: func(sum cpubound.Uint128, start, end time.Time) {
		res.Sum, res.Span.Start, res.Span.End = sum, start, end
	}}
	t.yield = t.step // one method value, not one per yield
	loop.CallSoon(t.yield)
}

// stop fails the sums a loop that stopped early, for err, left unfinished,
// each ending now.
func (s sums) stop(err error) {
	if err == nil {
		return // every sum finished
	}
	now := time.Now()
	for i := range s.results {
		res := &s.results[i]
		if res.Span.End.IsZero() && res.Span.PID != 0 { // started, not finished
			res.Err = fmt.Errorf("sum of squares of %d: %w", res.N, err)
			if res.Span.Start.IsZero() {
				res.Span.Start = now
			}
			res.Span.End = now
		}
	}
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
