package multiproc

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"conclab/internal/child"
	"conclab/internal/task"
)

// DefaultProcs is the default pool size, one worker per CPU, as
// multiprocessing.Pool's.
func DefaultProcs() int { return runtime.NumCPU() }

// procs is the pool's size, its default for zero.
func (m Pool) procs() int {
	if m.Procs == 0 {
		return DefaultProcs()
	}
	return m.Procs
}

// lane is one worker's place in a pool: its index, and its worker process,
// nil when none runs (not started yet, or died).
type lane struct {
	index int
	w     *process
}

// newLanes returns n lanes without workers.
func newLanes(n int) []*lane {
	lanes := make([]*lane, n)
	for i := range lanes {
		lanes[i] = &lane{index: i}
	}
	return lanes
}

// runner is one run's shared state. Each lane's goroutine writes only the
// outcomes of the tasks it took from the queue; the rest is guarded by mu
// and read once every lane has returned.
type runner struct {
	spec  spec
	tasks []message
	outs  []outcome
	done  []bool
	queue chan int
	began time.Time
	// ctx is the run's: it ends when the caller's does, or early, when
	// abort is called (a worker could not start, which kills the workers
	// that did). A cold run's workers live as long as it.
	ctx   context.Context
	abort context.CancelCauseFunc
	// cold: the run starts its lanes' workers and stops them at the end,
	// and a worker that cannot start fails the run. Otherwise (a kept
	// pool) the lanes come with their workers and keep them.
	cold bool

	mu          sync.Mutex
	readyAfter  time.Duration // until the first worker was ready; 0 until then
	startFailed bool          // a worker could not start: the run fails
	err         error         // the last reason a lane gave up
}

func newRunner(ctx context.Context, s spec, tasks []message) *runner {
	queue := make(chan int, len(tasks))
	for i := range tasks {
		queue <- i
	}
	close(queue)
	r := &runner{spec: s, tasks: tasks, outs: make([]outcome, len(tasks)), done: make([]bool, len(tasks)), queue: queue, began: time.Now()}
	r.ctx, r.abort = context.WithCancelCause(ctx)
	return r
}

// spread runs the queue on the lanes, one goroutine each, and returns once
// every lane is done with it. The workers that start for it (replacements,
// in a kept pool) live until life is done; a nil life makes a cold run,
// whose lanes start their workers and stop them at the end, and whose
// workers live no longer than the run.
func (r *runner) spread(lanes []*lane, life context.Context) *runner {
	r.cold = life == nil
	if r.cold {
		life = r.ctx
	}
	var wg sync.WaitGroup
	for _, l := range lanes {
		wg.Go(func() { r.slot(r.ctx, life, l, len(lanes)) })
	}
	wg.Wait()
	return r
}

// startup is the time until the first worker was ready, or until now when
// none was; zero for a run without tasks, which starts none.
func (r *runner) startup() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case len(r.tasks) == 0:
		return 0
	case r.readyAfter == 0:
		return time.Since(r.began)
	}
	return r.readyAfter
}

// finish ends a run, and releases its context: it calls done with each
// task's outcome, and returns the start-up and the run's error (the one
// cancellation error when ctx is done). A run of which some worker could
// not start fails as a whole, every task not started: a timing taken on
// fewer workers than asked for would mislead. Otherwise the tasks left
// undone fail, not started: every lane gave up (no replacement worker
// would start), or the run was cancelled, before the queue was empty.
func (r *runner) finish(ctx context.Context, model string, done func(int, outcome)) (time.Duration, error) {
	defer r.abort(nil)
	err := task.Cancelled(ctx, model)
	if r.startFailed && err == nil {
		err = context.Cause(r.ctx)
	}
	cause := cmp.Or(ctx.Err(), err, r.err)
	for i, o := range r.outs {
		if !r.done[i] || r.startFailed {
			o = outcome{err: task.NotStarted(cause)}
		}
		done(i, o)
	}
	return r.startup(), err
}

// wired refuses a pool inside a worker process: ErrNotWired.
func wired() error {
	if child.Role() != "" {
		return ErrNotWired
	}
	return nil
}

// ready records that a worker has completed its handshake.
func (r *runner) ready() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.readyAfter == 0 {
		r.readyAfter = time.Since(r.began)
	}
}

// slot is the parent's side of one worker lane: in a cold run it starts
// the lane's worker, and a worker that is ready does not wait for the
// others; it feeds the worker tasks from the shared queue, replaces it if
// it dies, and in a cold run stops it when the queue is empty. The work
// itself happens in the worker process; this goroutine only waits on its
// pipe.
//
// While the queue holds a task for every lane, the worker is sent its next
// task before it answers the one it is on: the task waits in the pipe, and
// the worker starts it as soon as it has written its answer, instead of
// idling while the answer crosses to this goroutine and the next task
// crosses back (Pool.map's chunks save the same round trip). Near the end
// of the queue a lane takes one task at a time, so that no task waits
// behind a busy worker while another lane idles. A task in the pipe of a
// worker that died is sent to its replacement: it never started.
func (r *runner) slot(ctx, life context.Context, l *lane, lanes int) {
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
	var held []int // taken from the queue and not finished, oldest first
	sent := 0      // how many of held the worker has been sent
	for {
		for len(held) == 0 || len(held) == 1 && len(r.queue) >= lanes {
			i, ok := <-r.queue
			if !ok {
				break
			}
			r.done[i] = true
			held = append(held, i)
		}
		if len(held) == 0 {
			break
		}
		if ctx.Err() != nil {
			for _, i := range held {
				r.outs[i] = outcome{err: task.NotStarted(context.Cause(ctx))}
			}
			held, sent = held[:0], 0
			continue
		}
		if l.w == nil {
			// The lane's worker died on an earlier task: replace it.
			w, err := start(ctx, life, r.spec, l.index)
			if err != nil {
				r.outs[held[0]] = outcome{err: fmt.Errorf("no worker: %w", err)}
				for _, i := range held[1:] {
					r.outs[i] = outcome{err: task.NotStarted(err)}
				}
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
				return
			}
			l.w, sent = w, 0
		}
		i := held[0]
		r.outs[i] = r.do(ctx, l, i, held[sent:])
		held = held[1:]
		sent = len(held)
		if l.w == nil {
			sent = 0 // the tasks in the dead worker's pipe go again
		}
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

// do sends the lane's worker the tasks send (task i among them, unless it
// was sent before) and waits for task i's outcome. A worker that fails the
// task is gone, and the lane is left without one. Cancelling ctx kills the
// worker in the middle of its task, as a cold run's context does.
func (r *runner) do(ctx context.Context, l *lane, i int, send []int) outcome {
	w, sent := l.w, time.Now()
	msgs := make([]message, len(send))
	for k, j := range send {
		msgs[k] = r.tasks[j]
	}
	cancelled := context.AfterFunc(ctx, w.killNow)
	reply, err := w.do(r.tasks[i], msgs, r.spec)
	if !cancelled() && err == nil {
		// Killed as its reply came: the reply stands, the worker is gone.
		w.kill()
		l.w = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("stopped by the run's end: %w", context.Cause(ctx))
		}
		l.w = nil
		return outcome{err: err, span: task.Span{Worker: l.index, PID: w.pid, Start: sent, End: time.Now()}}
	}
	span := task.Span{Worker: l.index, PID: w.pid, Start: time.Unix(0, reply.StartNS), End: time.Unix(0, reply.EndNS)}
	return outcome{reply: reply, err: errorFrom(reply), span: span}
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
