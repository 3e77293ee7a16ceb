package multiproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"conclab/cpubound"
	"conclab/internal/child"
	"conclab/iobound"
	"conclab/timeline"
)

// Errors a Pool returns or wraps.
var (
	// ErrWorkerDied is wrapped by the error of a task whose worker exited
	// or was killed before it replied. The message names the worker's pid
	// and how it ended.
	ErrWorkerDied = errors.New("multiproc: worker died")
	// ErrWorkerTimeout is wrapped by the error of a task whose worker gave
	// no result within the task's deadline (see Pool.Timeout): it was
	// killed and replaced. The message names the worker's pid and the
	// deadline.
	ErrWorkerTimeout = errors.New("multiproc: worker timed out")
	// ErrNegativeSetting is wrapped by the error a Pool with a negative
	// Procs, Timeout or BodyCap returns before it starts any worker. It is
	// iobound.ErrNegativeSetting, which every model's negative setting
	// wraps.
	ErrNegativeSetting = iobound.ErrNegativeSetting
	// ErrNotWired is returned by a Pool used inside a worker process: the
	// binary started a worker but main did not call child.RunIfChild first,
	// and went on to run a pool of its own. Refusing stops the recursion.
	ErrNotWired = errors.New("multiproc: this process was started as a worker, " +
		"but main did not call child.RunIfChild first")
)

// DefaultProcs is the default pool size, one worker per CPU, as
// multiprocessing.Pool's.
func DefaultProcs() int { return runtime.NumCPU() }

// Pool runs the two workloads on worker processes: copies of the running
// binary, one task at a time each. Every call starts its workers, runs its
// tasks and stops them, as the original starts a Pool per run. A Pool holds
// only settings; it is safe to use from several goroutines.
type Pool struct {
	// Procs is the number of worker processes; zero means DefaultProcs,
	// and a negative Procs is an error. A call with fewer tasks starts
	// only as many workers as tasks.
	Procs int
	// Timeout bounds each task; zero means iobound.DefaultTimeout, and a
	// negative Timeout is an error. A fetch is bounded in the worker, as
	// every model bounds its requests, and the parent gives the worker
	// that long plus ReplyMargin to answer. A sum is bounded by the parent
	// alone: no goroutine can stop a running loop, but a parent can kill
	// the process that runs it. Past either deadline the worker is killed,
	// the task fails with ErrWorkerTimeout and a new worker takes the
	// lane.
	Timeout time.Duration
	// BodyCap bounds each response body; zero means iobound.DefaultBodyCap,
	// and a negative BodyCap is an error.
	BodyCap int64
	// RootCAsPEM are the roots https URLs are verified against, in PEM,
	// sent to every worker in its hello (a certificate pool cannot cross a
	// pipe); nil means the system's roots. iobound.Server.CertPEM trusts
	// the embedded server. PEM without a certificate is an error.
	RootCAsPEM []byte
	// LogWriter receives the workers' stderr, each line prefixed with the
	// worker's index and pid; nil means os.Stderr.
	LogWriter io.Writer
}

// Name is the model's row label.
func (Pool) Name() string { return "multiproc" }

// Concurrency is how many tasks the pool runs at once: one per worker, and
// no more workers than tasks.
func (p Pool) Concurrency(workload string, tasks int) int { return max(0, min(p.procs(), tasks)) }

// procs is the pool's size, its default for zero.
func (p Pool) procs() int {
	if p.Procs == 0 {
		return DefaultProcs()
	}
	return p.Procs
}

// Download GETs every URL, each in whichever worker is free next, and counts
// its body bytes. A URL that fails, or whose worker dies, is a Result with an
// error. The error return is for a run that could not start, or was
// cancelled; a cancelled run's unfinished URLs are failed Results.
func (p Pool) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	outs, startup, err := p.run(ctx, fetchTasks(urls))
	return downloadReport(urls, outs, startup), err
}

// SumSquares computes the sum of squares of every number, each in whichever
// worker is free next. Its errors are as Download's.
func (p Pool) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	outs, startup, err := p.run(ctx, sumTasks(numbers))
	return sumReport(numbers, outs, startup), err
}

func fetchTasks(urls []string) []message {
	tasks := make([]message, len(urls))
	for i, u := range urls {
		tasks[i] = message{Type: msgTask, ID: i, Kind: kindFetch, URL: u}
	}
	return tasks
}

func sumTasks(numbers []int) []message {
	tasks := make([]message, len(numbers))
	for i, n := range numbers {
		tasks[i] = message{Type: msgTask, ID: i, Kind: kindSum, N: n}
	}
	return tasks
}

// downloadReport makes the outcomes of a run's fetches a Report; nil
// outcomes (a run that did not start) make one without Results.
func downloadReport(urls []string, outs []outcome, startup time.Duration) iobound.Report {
	rep := iobound.Report{Startup: startup}
	if outs == nil {
		return rep
	}
	rep.Results = make([]iobound.Result, len(urls))
	for i, o := range outs {
		rep.Results[i] = iobound.Result{
			URL: iobound.Redact(urls[i]), Status: o.reply.Status, Bytes: o.reply.Bytes, Err: o.err, Span: o.span,
		}
	}
	return rep
}

// sumReport is downloadReport for sums.
func sumReport(numbers []int, outs []outcome, startup time.Duration) cpubound.Report {
	rep := cpubound.Report{Startup: startup}
	if outs == nil {
		return rep
	}
	rep.Results = make([]cpubound.Result, len(numbers))
	for i, o := range outs {
		rep.Results[i] = cpubound.Result{
			N: numbers[i], Sum: cpubound.Uint128{Hi: o.reply.SumHi, Lo: o.reply.SumLo}, Err: o.err, Span: o.span,
		}
	}
	return rep
}

// outcome is what became of one task.
type outcome struct {
	done  bool
	reply message
	err   error
	span  timeline.Span
}

// spec checks the pool's settings and fills in their defaults. Every
// setting is checked here, before any worker starts: a worker refuses a
// hello it cannot use, and that would fail the run only after the start-up
// had been paid for.
func (p Pool) spec() (spec, error) {
	err := iobound.CheckSettings("multiproc", iobound.Count("Procs", p.Procs), iobound.Timeout(p.Timeout), iobound.BodyCap(p.BodyCap))
	if err != nil {
		return spec{}, err
	}
	if _, err := iobound.CertPool(p.RootCAsPEM); err != nil {
		return spec{}, fmt.Errorf("multiproc: RootCAsPEM: %w", err)
	}
	s := spec{
		rootsPEM: string(p.RootCAsPEM),
		version:  protocolVersion,
		procs:    p.procs(),
		bodyCap:  p.BodyCap,
		timeout:  p.Timeout,
		logw:     p.LogWriter,
		logMu:    new(sync.Mutex),
	}
	if s.bodyCap == 0 {
		s.bodyCap = iobound.DefaultBodyCap
	}
	if s.timeout == 0 {
		s.timeout = iobound.DefaultTimeout
	}
	if s.logw == nil {
		s.logw = os.Stderr
	}
	return s, nil
}

// run starts the workers and hands the tasks out as workers become free,
// each worker from the moment it has completed its handshake: a worker that
// is ready does not wait for the others. When the queue is empty it stops
// them. It returns one outcome per task in order, and the start-up: the time
// until the first worker was ready. A run of which some worker cannot start
// fails as a whole, with nil outcomes: a timing taken on fewer workers than
// asked for would mislead.
func (p Pool) run(ctx context.Context, tasks []message) ([]outcome, time.Duration, error) {
	s, err := p.spec()
	if err != nil {
		return nil, 0, err
	}
	return runSpec(ctx, tasks, s)
}

// runSpec is run with its spec made: tests change the spec's hooks.
func runSpec(ctx context.Context, tasks []message, s spec) ([]outcome, time.Duration, error) {
	if child.Role() != "" {
		return nil, 0, ErrNotWired
	}
	if len(tasks) == 0 {
		return []outcome{}, 0, nil
	}
	lanes := make([]*lane, min(s.procs, len(tasks)))
	for i := range lanes {
		lanes[i] = &lane{index: i}
	}
	// runCtx ends the run early: when ctx is done, or when a worker cannot
	// start, which kills the workers that did. It is also the workers'
	// lifetime: they are this run's.
	runCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	r := newRunner(s, tasks, abort)
	r.cold = true
	r.spread(runCtx, runCtx, lanes)

	startup := r.startup
	if startup == 0 { // no worker became ready
		startup = time.Since(r.began)
	}
	if r.startFailed {
		if ctx.Err() != nil {
			return nil, startup, fmt.Errorf("multiproc: run cancelled during start-up: %w", ctx.Err())
		}
		return nil, startup, context.Cause(runCtx)
	}
	outs, err := r.finish(ctx)
	return outs, startup, err
}

// lane is one worker's place in a pool: its index, and its worker process,
// nil when none runs (not started yet, or died).
type lane struct {
	index int
	w     *process
}

// runner is one run's shared state. Each lane's goroutine writes only the
// outcomes of the tasks it took from the queue; the rest is guarded by mu
// and read once every lane has returned.
type runner struct {
	spec  spec
	tasks []message
	outs  []outcome
	queue chan int
	began time.Time
	abort context.CancelCauseFunc
	// cold: the run starts its lanes' workers and stops them at the end,
	// and a worker that cannot start fails the run. Otherwise (a kept
	// pool) the lanes come with their workers and keep them.
	cold bool

	mu          sync.Mutex
	startup     time.Duration // until the first worker was ready; 0 until then
	startFailed bool          // a worker could not start: the run fails
	err         error         // the last reason a lane gave up
}

func newRunner(s spec, tasks []message, abort context.CancelCauseFunc) *runner {
	queue := make(chan int, len(tasks))
	for i := range tasks {
		queue <- i
	}
	close(queue)
	return &runner{spec: s, tasks: tasks, outs: make([]outcome, len(tasks)), queue: queue, began: time.Now(), abort: abort}
}

// spread runs the queue on the lanes, one goroutine each, and returns once
// every lane is done with it.
func (r *runner) spread(ctx, life context.Context, lanes []*lane) {
	var wg sync.WaitGroup
	for _, l := range lanes {
		wg.Go(func() { r.slot(ctx, life, l) })
	}
	wg.Wait()
}

// finish fails the tasks left undone: every lane gave up (no replacement
// worker would start), or the run was cancelled, before the queue was
// empty. It returns the outcomes, and the run's error if it was cancelled.
func (r *runner) finish(ctx context.Context) ([]outcome, error) {
	cause := r.err
	if ctx.Err() != nil {
		cause = ctx.Err()
	}
	for i := range r.outs {
		if !r.outs[i].done {
			r.outs[i].err = fmt.Errorf("multiproc: task %d not run: %w", i, cause)
		}
	}
	if ctx.Err() != nil {
		return r.outs, fmt.Errorf("multiproc: run cancelled: %w", ctx.Err())
	}
	return r.outs, nil
}

// ready records that a worker has completed its handshake.
func (r *runner) ready() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.startup == 0 {
		r.startup = time.Since(r.began)
	}
}

// slot is the parent's side of one worker lane: in a cold run it starts
// the lane's worker, and a worker that is ready does not wait for the
// others; it feeds the worker tasks one at a time from the shared queue,
// replaces it if it dies, and in a cold run stops it when the queue is
// empty. The work itself happens in the worker process; this goroutine
// only waits on its pipe.
func (r *runner) slot(ctx, life context.Context, l *lane) {
	if r.cold {
		w, err := start(ctx, life, r.spec, l.index)
		if err != nil {
			// A worker that did not start because the run was already
			// ending is not the reason it ended.
			if ctx.Err() == nil {
				r.mu.Lock()
				r.startFailed = true
				r.mu.Unlock()
				r.abort(err)
			}
			return
		}
		l.w = w
		r.ready()
	}
	for i := range r.queue {
		if ctx.Err() != nil {
			r.outs[i] = outcome{done: true, err: fmt.Errorf("multiproc: task %d not run: %w", i, context.Cause(ctx))}
			continue
		}
		if l.w == nil {
			// The lane's worker died on an earlier task: replace it.
			w, err := start(ctx, life, r.spec, l.index)
			if err != nil {
				r.outs[i] = outcome{done: true, err: fmt.Errorf("multiproc: task %d: no worker: %w", i, err)}
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
				return
			}
			l.w = w
		}
		r.outs[i] = r.do(ctx, l, i)
	}
	if r.cold && l.w != nil {
		if ctx.Err() != nil {
			l.w.kill() // already killed by its context; this reaps it
		} else {
			r.stop(ctx, l.w)
		}
		l.w = nil
	}
}

// do runs task i on the lane's worker. A worker that fails the task is
// gone, and the lane is left without one. Cancelling ctx kills the worker
// in the middle of its task, as a cold run's context does.
func (r *runner) do(ctx context.Context, l *lane, i int) outcome {
	w, sent := l.w, time.Now()
	cancelled := context.AfterFunc(ctx, w.killNow)
	reply, err := w.do(r.tasks[i], r.spec)
	if !cancelled() && err == nil {
		// Killed as its reply came: the reply stands, the worker is gone.
		w.kill()
		l.w = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("multiproc: task %d cancelled: %w", i, context.Cause(ctx))
		}
		l.w = nil
		return outcome{done: true, err: err, span: timeline.Span{Worker: l.index, PID: w.pid, Start: sent, End: time.Now()}}
	}
	span := timeline.Span{Worker: l.index, PID: w.pid, Start: time.Unix(0, reply.StartNS), End: time.Unix(0, reply.EndNS)}
	return outcome{done: true, reply: reply, err: errorFrom(reply), span: span}
}

// stop stops a worker, logging one that did not exit cleanly: it is not a
// task's failure, but someone should hear of it. A worker killed because
// the run was cancelled as it stopped is no news.
func (r *runner) stop(ctx context.Context, w *process) {
	if err := w.stop(); err != nil && ctx.Err() == nil {
		r.spec.logMu.Lock()
		defer r.spec.logMu.Unlock()
		fmt.Fprintln(r.spec.logw, err)
	}
}
