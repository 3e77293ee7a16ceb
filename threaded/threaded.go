package threaded

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
	"conclab/timeline"
)

// DefaultWorkers is the pool size of the original's ThreadPoolExecutor.
const DefaultWorkers = 5

// Pool runs both workloads on a fixed set of worker goroutines.
type Pool struct {
	// Workers is the number of worker goroutines; zero means
	// DefaultWorkers, the original's.
	Workers int
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
func (Pool) Name() string { return "threaded" }

// Concurrency reports how many tasks the pool runs at once: one per worker,
// and no more workers than tasks, for either workload.
func (p Pool) Concurrency(workload string, tasks int) int { return max(min(p.workers(), tasks), 0) }

// workers is the pool's size, its default for zero.
func (p Pool) workers() int {
	if p.Workers == 0 {
		return DefaultWorkers
	}
	return p.Workers
}

// Download GETs every URL on the pool's workers, with one client shared by
// all of them whose connections are kept alive between requests. A failed
// URL is a Result with its error. When ctx is done, the URLs not yet started
// fail with ctx's error and Download returns it.
func (p Pool) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	if err := p.check(); err != nil {
		return iobound.Report{}, err
	}
	client := newClient(p.workers(), p.RootCAs)
	defer client.CloseIdleConnections()
	results := make([]iobound.Result, len(urls))
	started := p.run(ctx, len(urls), func(worker, i int) {
		start := time.Now()
		results[i] = iobound.Fetch(ctx, client, urls[i], p.BodyCap, p.Timeout)
		results[i].Span = span(worker, start)
	})
	for i := started; i < len(urls); i++ {
		shown := iobound.Redact(urls[i])
		results[i] = iobound.Result{URL: shown, Err: fmt.Errorf("GET %s: not started: %w", shown, ctx.Err())}
	}
	return iobound.Report{Results: results}, cancelled(ctx, "download")
}

// SumSquares computes the sum of squares of every number on the pool's
// workers, in parallel on as many cores as GOMAXPROCS allows. An invalid
// number fails its own task only.
func (p Pool) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	if err := p.check(); err != nil {
		return cpubound.Report{}, err
	}
	results := make([]cpubound.Result, len(numbers))
	started := p.run(ctx, len(numbers), func(worker, i int) {
		start := time.Now()
		sum, err := cpubound.SumOfSquares(numbers[i])
		results[i] = cpubound.Result{N: numbers[i], Sum: sum, Err: err, Span: span(worker, start)}
	})
	for i := started; i < len(numbers); i++ {
		results[i] = cpubound.Result{N: numbers[i], Err: fmt.Errorf("sum of squares of %d: not started: %w", numbers[i], ctx.Err())}
	}
	return cpubound.Report{Results: results}, cancelled(ctx, "sum of squares")
}

// run hands tasks 0, 1, ... to the pool's workers through a channel until ctx
// is done, waits for the workers to finish, and returns how many tasks it
// handed out. Each task writes only its own result, by index, so the results
// need no lock; wg.Wait makes the workers' writes visible to the caller.
func (p Pool) run(ctx context.Context, tasks int, do func(worker, task int)) (started int) {
	queue := make(chan int)
	var wg sync.WaitGroup
	for worker := range min(p.workers(), tasks) {
		wg.Go(func() {
			for task := range queue {
				do(worker, task)
			}
		})
	}
	for started < tasks && ctx.Err() == nil {
		select {
		case queue <- started:
			started++
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
	return started
}

// newClient returns the client of one run, shared by the workers. net/http
// keeps only 2 idle connections per host by default: with more workers, the
// others' connections would be closed after each response and a new one
// opened for the next request. Keeping one per worker lets every worker reuse
// its connection, as each of the original's threads reuses its Session's.
func newClient(workers int, roots *x509.CertPool) *http.Client {
	return iobound.NewClient(roots, workers)
}

func (p Pool) check() error {
	return iobound.CheckSettings("threaded", iobound.Count("Workers", p.Workers), iobound.Timeout(p.Timeout), iobound.BodyCap(p.BodyCap))
}

func span(worker int, start time.Time) timeline.Span {
	return timeline.Span{Worker: worker, PID: os.Getpid(), Start: start, End: time.Now()}
}

func cancelled(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("threaded: %s stopped: %w", what, err)
	}
	return nil
}
