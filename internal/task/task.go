// Package task holds what every model does around one task the same way:
// the span of a task run on this process, and the one error of a cancelled
// run. The workload packages, iobound and cpubound, build on it; a model
// uses it for the span, and names a span's type through it, so that a
// model imports only the workloads and this layer beneath them.
package task

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"conclab/timeline"
)

// Span is the record of which worker ran one task, and when: timeline's,
// which draws them.
type Span = timeline.Span

// Ran is the span of a task that ran on this process, on worker, from
// start until now.
func Ran(worker int, start time.Time) Span {
	return timeline.Span{Worker: worker, PID: os.Getpid(), Start: start, End: time.Now()}
}

// Cancelled is the error of a run whose ctx is done, nil while it is not:
// "<model>: run cancelled: <ctx's error>", wrapping ctx's error. Every
// model returns this one error for a cancelled run.
func Cancelled(ctx context.Context, model string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: run cancelled: %w", model, err)
	}
	return nil
}

// errEnded is the cause of a task left unstarted by a run that ended
// without its context being done, which no model does: it guards the
// message.
var errEnded = errors.New("the run ended first")

// NotStarted is the error of a task the run never started, because of
// cause (ctx's error, say): "not started: <cause>", wrapping cause.
func NotStarted(cause error) error {
	if cause == nil {
		cause = errEnded
	}
	return fmt.Errorf("not started: %w", cause)
}
