package cpubound

import (
	"context"
	"fmt"
	"time"

	"conclab/internal/task"
)

// Task is one task of the CPU workload, run on worker of this process: the
// sum of squares of n, and the task's span.
func Task(worker, n int) Result {
	start := time.Now()
	sum, err := SumOfSquares(n)
	return Result{N: n, Sum: sum, Err: err, Span: task.Ran(worker, start)}
}

// Failed is the Result of the sum of squares of n that failed with err
// (its worker died, the run was cancelled): the one shape of a task's
// error, "sum of squares of <n>: <err>", as Check's errors read.
func Failed(n int, err error) Result {
	return Result{N: n, Err: fmt.Errorf("sum of squares of %d: %w", n, err)}
}

// NotStarted is the Result of a number the run never started, because of
// cause: "sum of squares of <n>: not started: <cause>".
func NotStarted(n int, cause error) Result { return Failed(n, task.NotStarted(cause)) }

// Finish ends a model's run: every result still the zero value (its task
// never started) becomes NotStarted, with ctx's error as the cause, and the
// error is the run's cancellation, nil unless ctx is done.
func Finish(ctx context.Context, model string, numbers []int, results []Result) (Report, error) {
	for i := range results {
		if results[i] == (Result{}) {
			results[i] = NotStarted(numbers[i], ctx.Err())
		}
	}
	return Report{Results: results}, task.Cancelled(ctx, model)
}
