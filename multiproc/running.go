package multiproc

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"conclab/cpubound"
	"conclab/internal/task"
	"conclab/iobound"
)

// ErrClosed is returned by a call on a Running pool after Close.
var ErrClosed = errors.New("multiproc: the pool is closed")

// Running is a pool whose workers were started once, by Pool.Start, and
// serve every call until Close: what a long-lived program does, paying the
// start-up once instead of on every call. Calls take turns: one runs on the
// workers at a time, each task in whichever worker is free next, as in a
// Pool's call. A worker that dies or times out is replaced, as in a Pool's
// call; cancelling a call kills the workers in the middle of its tasks, and
// the next call starts new ones in their place. A Running is safe to use
// from several goroutines.
type Running struct {
	pool    Pool
	spec    spec
	startup time.Duration
	life    context.Context    // the workers' lifetime: they are killed when it ends
	end     context.CancelFunc // ends it

	turn   chan struct{} // held by the call running, and by Close
	lanes  []*lane
	closed bool // guarded by turn
}

// Start starts the pool's workers, Procs of them (DefaultProcs for zero), and returns once every
// one has completed its handshake. ctx bounds the start only: the workers
// live until Close. A worker that cannot start fails the start, and those
// that did are stopped.
func (p Pool) Start(ctx context.Context) (*Running, error) {
	s, err := p.settings()
	if err != nil {
		return nil, err
	}
	life, end := context.WithCancel(context.Background())
	startCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	began := time.Now()
	lanes := newLanes(s.procs)
	var wg sync.WaitGroup
	for i := range lanes {
		wg.Go(func() {
			w, err := start(startCtx, life, s, i)
			if err != nil {
				abort(err) // the first cause stays
				return
			}
			lanes[i].w = w
		})
	}
	wg.Wait()
	if err := context.Cause(startCtx); err != nil {
		for _, l := range lanes {
			if l.w != nil {
				l.w.kill()
			}
		}
		end()
		return nil, cmp.Or(task.Cancelled(ctx, p.Name()), err)
	}
	return &Running{pool: p, spec: s, startup: time.Since(began), life: life, end: end, turn: make(chan struct{}, 1), lanes: lanes}, nil
}

// Startup is how long Start took, until every worker was ready.
func (r *Running) Startup() time.Duration { return r.startup }

// Name is the model's row label, the same as the Pool's.
func (r *Running) Name() string { return r.pool.Name() }

// Concurrency is how many tasks a call runs at once.
func (r *Running) Concurrency(workload string, tasks int) int {
	return r.pool.Concurrency(workload, tasks)
}

// Processes reports that the pool runs its tasks in worker processes.
func (r *Running) Processes() bool { return r.pool.Processes() }

// OneGoroutine is the Pool's.
func (r *Running) OneGoroutine() bool { return r.pool.OneGoroutine() }

// Download is Pool.Download on the running workers. Its Report's Startup
// is zero: the start-up was paid by Start.
func (r *Running) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	results := make([]iobound.Result, len(urls))
	err := r.run(ctx, fetchTasks(urls), func(i int, o outcome) {
		results[i] = o.fetch(urls[i])
	})
	report, cancelled := iobound.Finish(ctx, r.Name(), urls, results)
	return report, cmp.Or(err, cancelled)
}

// SumSquares is Pool.SumSquares on the running workers. Its Report's
// Startup is zero: the start-up was paid by Start.
func (r *Running) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	results := make([]cpubound.Result, len(numbers))
	err := r.run(ctx, sumTasks(numbers), func(i int, o outcome) {
		results[i] = o.sum(numbers[i])
	})
	report, cancelled := cpubound.Finish(ctx, r.Name(), numbers, results)
	return report, cmp.Or(err, cancelled)
}

// run waits for its turn and spreads the tasks on the workers.
func (r *Running) run(ctx context.Context, tasks []message, done func(int, outcome)) error {
	select {
	case r.turn <- struct{}{}:
		defer func() { <-r.turn }()
	case <-ctx.Done():
		return task.Cancelled(ctx, r.Name())
	}
	if r.closed {
		for i := range tasks {
			done(i, outcome{err: task.NotStarted(ErrClosed)})
		}
		return ErrClosed
	}
	// A worker that replaces a dead one lives as long as the pool, not the
	// call.
	runner := newRunner(ctx, r.spec, tasks).spread(r.lanes[:min(len(r.lanes), len(tasks))], r.life)
	_, err := runner.finish(ctx, r.Name(), done)
	return err
}

// Close waits for the call running, if any, then stops the workers, and
// reports any that did not exit cleanly. Calls after Close return
// ErrClosed; a second Close does nothing.
func (r *Running) Close() error {
	r.turn <- struct{}{} // a call's wait is bounded by its tasks' deadlines
	defer func() { <-r.turn }()
	if r.closed {
		return nil
	}
	r.closed = true
	defer r.end()
	errs := make([]error, len(r.lanes))
	var wg sync.WaitGroup
	for i, l := range r.lanes {
		if l.w == nil {
			continue
		}
		wg.Go(func() { errs[i] = l.w.stop() })
	}
	wg.Wait()
	return errors.Join(errs...)
}
