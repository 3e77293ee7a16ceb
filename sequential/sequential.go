package sequential

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
	"conclab/timeline"
)

// Model runs both workloads on the calling goroutine, one task after
// another. The zero value is ready to use, with iobound's defaults.
type Model struct {
	// Timeout bounds each request, body included; zero means
	// iobound.DefaultTimeout.
	Timeout time.Duration
	// BodyCap is the largest body accepted; zero means
	// iobound.DefaultBodyCap.
	BodyCap int64
	// RootCAs are the roots https URLs are verified against; nil means
	// the system's (iobound.Server.RootCAs trusts the embedded server).
	RootCAs *x509.CertPool
}

// Name is the model's row label.
func (Model) Name() string { return "sequential" }

// Download GETs every URL, one after another, with one client whose
// connections are kept alive between requests (the original's Session). A
// failed URL is a Result with its error. When ctx is done, the URLs not yet
// started fail with ctx's error and Download returns it.
func (m Model) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	if err := m.check(); err != nil {
		return iobound.Report{}, err
	}
	client := iobound.NewClient(m.RootCAs, 0)
	defer client.CloseIdleConnections()
	results := make([]iobound.Result, len(urls))
	started := run(ctx, len(urls), func(worker, i int) {
		start := time.Now()
		results[i] = iobound.Fetch(ctx, client, urls[i], m.BodyCap, m.Timeout)
		results[i].Span = span(worker, start)
	})
	for i := started; i < len(urls); i++ {
		shown := iobound.Redact(urls[i])
		results[i] = iobound.Result{URL: shown, Err: fmt.Errorf("GET %s: not started: %w", shown, ctx.Err())}
	}
	return iobound.Report{Results: results}, cancelled(ctx, "download")
}

// SumSquares computes the sum of squares of every number, one after
// another. An invalid number fails its own task only.
func (m Model) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	if err := m.check(); err != nil {
		return cpubound.Report{}, err
	}
	results := make([]cpubound.Result, len(numbers))
	started := run(ctx, len(numbers), func(worker, i int) {
		start := time.Now()
		sum, err := cpubound.SumOfSquares(numbers[i])
		results[i] = cpubound.Result{N: numbers[i], Sum: sum, Err: err, Span: span(worker, start)}
	})
	for i := started; i < len(numbers); i++ {
		results[i] = cpubound.Result{N: numbers[i], Err: fmt.Errorf("sum of squares of %d: not started: %w", numbers[i], ctx.Err())}
	}
	return cpubound.Report{Results: results}, cancelled(ctx, "sum of squares")
}

// run calls do for tasks 0, 1, ... in turn, on this goroutine, until ctx is
// done, and returns how many tasks it started. This loop is the whole model.
func run(ctx context.Context, tasks int, do func(worker, task int)) (started int) {
	for ; started < tasks && ctx.Err() == nil; started++ {
		do(0, started)
	}
	return started
}

func span(worker int, start time.Time) timeline.Span {
	return timeline.Span{Worker: worker, PID: os.Getpid(), Start: start, End: time.Now()}
}

func cancelled(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sequential: %s stopped: %w", what, err)
	}
	return nil
}

// check refuses a negative setting; zero means the default.
func (m Model) check() error {
	return iobound.CheckSettings("sequential", iobound.Timeout(m.Timeout), iobound.BodyCap(m.BodyCap))
}
