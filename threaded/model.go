package threaded

import (
	"context"
	"crypto/x509"
	"sync"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// Pool runs both workloads on a fixed set of worker goroutines, Workers of them.
// The zero value is ready to use, with iobound's defaults.
type Pool struct {
	// Workers is the number of worker goroutines; zero means DefaultWorkers.
	Workers int
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
func (m Pool) settings() (iobound.Settings, error) {
	return iobound.Settle(m.Name(), m.Timeout, m.BodyCap, iobound.Count("Workers", m.Workers))
}

// Name is the model's row label.
func (Pool) Name() string { return "threaded" }

// Download GETs every URL on the pool's workers, with one client shared by
// all of them whose connections are kept alive between requests. A failed
// URL is a Result with its error. When ctx is done, the URLs not yet
// finished fail with ctx's error and Download returns it.
func (m Pool) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	s, err := m.settings()
	if err != nil {
		return iobound.Report{}, err
	}
	client := iobound.NewClient(m.RootCAs, m.workers())
	defer client.CloseIdleConnections()
	results := make([]iobound.Result, len(urls))
	m.run(ctx, len(urls), func(worker, i int) {
		results[i] = iobound.Task(ctx, client, worker, urls[i], s)
	})
	return iobound.Finish(ctx, m.Name(), urls, results)
}

// SumSquares computes the sum of squares of every number on the pool's
// workers, in parallel on as many cores as GOMAXPROCS allows.
// An invalid number fails its own task only.
func (m Pool) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
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

// run hands tasks 0, 1, ... to the pool's workers through a channel until ctx
// is done, and waits for them. Each task writes only its own result, by
// index, so no lock; wg.Wait makes the workers' writes visible to the caller.
func (m Pool) run(ctx context.Context, tasks int, do func(worker, task int)) {
	queue := make(chan int)
	var wg sync.WaitGroup
	for worker := range min(m.workers(), tasks) {
		wg.Go(func() {
			for i := range queue {
				do(worker, i)
			}
		})
	}
	for i := 0; i < tasks && ctx.Err() == nil; {
		select {
		case queue <- i:
			i++
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
}
