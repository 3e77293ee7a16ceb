package iobound

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"time"

	"conclab/internal/task"
)

// Settings are a model's request settings, checked, with their defaults
// filled in: what Fetch is given.
type Settings struct {
	Timeout time.Duration
	BodyCap int64
}

// Settle checks a model's settings, timeout, bodyCap and any counts (a
// number of workers, say), and returns the request settings with zero
// replaced by DefaultTimeout and DefaultBodyCap. A negative one is
// CheckSettings's error, prefixed with model.
func Settle(model string, timeout time.Duration, bodyCap int64, counts ...Setting) (Settings, error) {
	if err := CheckSettings(model, append([]Setting{Timeout(timeout), BodyCap(bodyCap)}, counts...)...); err != nil {
		return Settings{}, err
	}
	return Settings{Timeout: cmp.Or(timeout, DefaultTimeout), BodyCap: cmp.Or(bodyCap, DefaultBodyCap)}, nil
}

// Task is one task of the I/O workload, run on worker of this process:
// Fetch with the settings s, and the task's span.
func Task(ctx context.Context, client *http.Client, worker int, url string, s Settings) Result {
	start := time.Now()
	res := Fetch(ctx, client, url, s.BodyCap, s.Timeout)
	res.Span = task.Ran(worker, start)
	return res
}

// Failed is the Result of a GET of url that failed with err before any
// response came (its worker died, the run was cancelled): the one shape of
// a task's error, "GET <url>: <err>", with the URL's password redacted, as
// Fetch's own errors read.
func Failed(url string, err error) Result {
	shown := Redact(url)
	return Result{URL: shown, Err: fmt.Errorf("GET %s: %w", shown, err)}
}

// NotStarted is the Result of a URL the run never started, because of
// cause: "GET <url>: not started: <cause>".
func NotStarted(url string, cause error) Result { return Failed(url, task.NotStarted(cause)) }

// Finish ends a model's run: every result still the zero value (its task
// never started) becomes NotStarted, with ctx's error as the cause, and the
// error is the run's cancellation, nil unless ctx is done.
func Finish(ctx context.Context, model string, urls []string, results []Result) (Report, error) {
	for i := range results {
		if results[i] == (Result{}) {
			results[i] = NotStarted(urls[i], ctx.Err())
		}
	}
	return Report{Results: results}, task.Cancelled(ctx, model)
}
