package eventloop

import (
	"cmp"
	"context"
	"crypto/x509"
	"net"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// Model runs both workloads on one event loop, on the goroutine that calls it.
// The zero value is ready to use, with iobound's defaults.
type Model struct {
	// Timeout bounds each request, body and redirects included;
	// zero means iobound.DefaultTimeout.
	Timeout time.Duration
	// BodyCap bounds each response body; zero means iobound.DefaultBodyCap.
	BodyCap int64
	// MaxConns caps the requests in flight; zero means DefaultMaxConns.
	MaxConns int
	// RootCAs are the roots https URLs are verified against; nil means
	// the system's (iobound.Server has the embedded server's).
	RootCAs  *x509.CertPool
	resolver *net.Resolver // nil means net.DefaultResolver; tests set theirs
}

// settings checks the model's settings, a negative one being an error, and
// fills in their defaults.
func (m Model) settings() (iobound.Settings, error) {
	return iobound.Settle(m.Name(), m.Timeout, m.BodyCap, iobound.Count("MaxConns", m.MaxConns))
}

// Name is the model's row label.
func (Model) Name() string { return "eventloop" }

// Download GETs every URL, MaxConns at a time on one loop, as net/http does. A
// failed URL is a Result with its error. When ctx is done, the URLs not yet
// finished fail with ctx's error and Download returns it.
func (m Model) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	s, err := m.settings()
	if err != nil {
		return iobound.Report{}, err
	}
	d := newDownload(ctx, s, m.maxConns(), m.resolver, m.RootCAs, urls)
	defer d.cancelLookups()
	err = m.run(ctx, len(d.reqs), d.start, d.shutdown)
	report, cancelled := iobound.Finish(ctx, m.Name(), urls, d.results)
	report.Coroutines = d.peakCoroutines
	return report, cmp.Or(cancelled, err)
}

// SumSquares computes the sum of squares of every number, by turns on one loop.
// An invalid number fails its own task only.
func (m Model) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	_, err := m.settings()
	if err != nil {
		return cpubound.Report{}, err
	}
	results := make([]cpubound.Result, len(numbers))
	sums := newSums(numbers, results)
	err = m.run(ctx, len(numbers), sums.start, sums.stop)
	report, cancelled := cpubound.Finish(ctx, m.Name(), numbers, results)
	return report, cmp.Or(cancelled, err)
}

// run starts tasks 0, 1, ... as callbacks of one loop and runs it on this
// goroutine until they are done or ctx is; end hears why it stopped early.
// This loop is the whole model.
func (m Model) run(ctx context.Context, tasks int, start func(loop *Loop, task int), end func(error)) error {
	loop, err := New()
	if err != nil {
		return err
	}
	defer loop.Close() // after end, which cancels what Close waits for
	for i := range tasks {
		loop.CallSoon(func() { start(loop, i) })
	}
	err = loop.Run(ctx)
	end(err)
	return err
}
