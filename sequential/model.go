package sequential

import (
	"context"
	"crypto/x509"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// Model runs both workloads on the calling goroutine, one task after another.
// The zero value is ready to use, with iobound's defaults.
type Model struct {
	// Timeout bounds each request, body and redirects included;
	// zero means iobound.DefaultTimeout.
	Timeout time.Duration
	// BodyCap bounds each response body; zero means iobound.DefaultBodyCap.
	BodyCap int64
	// RootCAs are the roots https URLs are verified against; nil means
	// the system's (iobound.Server has the embedded server's).
	RootCAs *x509.CertPool
}

// settings checks the model's settings, a negative one being an error, and
// fills in their defaults.
func (m Model) settings() (iobound.Settings, error) {
	return iobound.Settle(m.Name(), m.Timeout, m.BodyCap)
}

// Name is the model's row label.
func (Model) Name() string { return "sequential" }

// Download GETs every URL, one after another, with one client whose
// connections are kept alive between requests (the original's Session). A
// failed URL is a Result with its error. When ctx is done, the URLs not yet
// finished fail with ctx's error and Download returns it.
func (m Model) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	s, err := m.settings()
	if err != nil {
		return iobound.Report{}, err
	}
	client := iobound.NewClient(m.RootCAs, 0)
	defer client.CloseIdleConnections()
	results := make([]iobound.Result, len(urls))
	m.run(ctx, len(urls), func(worker, i int) {
		results[i] = iobound.Task(ctx, client, worker, urls[i], s)
	})
	return iobound.Finish(ctx, m.Name(), urls, results)
}

// SumSquares computes the sum of squares of every number, one after another.
// An invalid number fails its own task only.
func (m Model) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	_, err := m.settings()
	if err != nil {
		return cpubound.Report{}, err
	}
	results := make([]cpubound.Result, len(numbers))
	m.run(ctx, len(numbers), func(worker, i int) {
		results[i] = cpubound.Task(worker, numbers[i])
	})
	return cpubound.Finish(ctx, m.Name(), numbers, results)
}

// run calls do for tasks 0, 1, ... in turn until ctx is done: the whole model.
func (m Model) run(ctx context.Context, tasks int, do func(worker, task int)) {
	for i := 0; i < tasks && ctx.Err() == nil; i++ {
		do(0, i)
	}
}
