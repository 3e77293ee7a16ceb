package eventloop

import (
	"container/heap"
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrRunning is returned by Run when the loop is already running.
var ErrRunning = errors.New("eventloop: loop is already running")

// ErrClosed is returned by a Loop's methods after Close.
var ErrClosed = errors.New("eventloop: loop is closed")

// Handle is a callback scheduled on a Loop: by CallSoon, CallLater, or when
// a descriptor becomes ready. Cancel keeps it from running.
type Handle struct {
	fn        func()
	when      time.Time // timers only
	seq       uint64    // timers only: first in, first out among equal deadlines
	index     int       // position in the timer heap, -1 when not in it
	cancelled bool
	ran       bool // timers only: a timer runs once
	loop      *Loop
}

// Cancel keeps the callback from running, if it has not run yet. A
// cancelled timer leaves the heap at once. Cancelling twice, or after the
// callback ran, does nothing.
func (h *Handle) Cancel() {
	if h.cancelled || h.ran {
		return
	}
	h.cancelled = true
	h.fn = nil // let the closure go
	if h.index >= 0 {
		heap.Remove(&h.loop.timers, h.index)
	}
}

// Cancelled reports whether Cancel was called.
func (h *Handle) Cancelled() bool { return h.cancelled }

// registration is what a descriptor is watched for. Every AddReader and
// AddWriter makes a new Handle, and removing one cancels it: an event
// already turned into a ready callback for an old registration is dropped
// when its turn comes, so a descriptor closed and reopened within one batch
// never receives the other one's events.
type registration struct {
	reader, writer *Handle
}

// Loop is a single-goroutine event loop, the shape of asyncio's selector
// loop: a ready queue of callbacks, a set of descriptors waited on, and a
// heap of timers. Its methods are not safe for concurrent use, except Stop
// and CallSoonThreadsafe; callbacks run on the goroutine that calls Run, one
// at a time, and each one runs until it returns.
type Loop struct {
	poller   poller
	ready    []*Handle // callbacks to run in the next iteration, in order
	spare    []*Handle // the previous batch's backing array, reused
	timers   timerHeap
	seq      uint64
	fds      map[int]*registration
	events   []pollEvent
	running  bool
	closed   bool
	stopping atomic.Bool // set by Stop, from any goroutine

	// Callbacks handed in from other goroutines (CallSoonThreadsafe),
	// moved to the ready queue at the top of each iteration.
	postMu sync.Mutex
	posted []func()

	// Blocking calls run off the loop by Go: how many have not handed
	// their result back yet, those waiting for a goroutine, and the
	// goroutines themselves, which Close waits for.
	outstanding int
	queued      []func() func()
	workers     int
	goroutines  sync.WaitGroup

	// atExit runs on the loop's goroutine each time Run returns, before it
	// unlocks its thread: a coroutine made on that thread must be ended
	// there too (the runtime requires it).
	atExit []func()
}

// maxWorkers bounds the goroutines Go runs at once, as asyncio's default
// executor bounds its threads (min(32, CPUs + 4)): blocking calls wait
// their turn instead of piling up a goroutine each.
var maxWorkers = min(32, runtime.NumCPU()+4)

// New returns a loop with its poller open. Close it when done.
func New() (*Loop, error) {
	p, err := newPoller()
	if err != nil {
		return nil, err
	}
	return &Loop{
		poller: p,
		fds:    make(map[int]*registration),
		events: make([]pollEvent, 256),
	}, nil
}

// Close waits for the goroutines Go started, then releases the poller. It
// does not close the descriptors that were registered; their owners do, nor
// does it interrupt a blocking call that Go runs: cancel what it waits for
// first. Work that Go queued and never started is dropped. Do not call it
// while Run is running.
func (l *Loop) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	l.queued = nil
	l.goroutines.Wait()
	return l.poller.close()
}

// CallSoon schedules fn to run in the loop's next iteration, after the
// callbacks already scheduled. A callback scheduled by a callback never runs
// in the same iteration: a task that reschedules itself forever cannot
// starve I/O or timers.
func (l *Loop) CallSoon(fn func()) *Handle {
	h := &Handle{fn: fn, index: -1, loop: l}
	l.ready = append(l.ready, h)
	return h
}

// CallSoonThreadsafe schedules fn to run in the loop's next iteration, from
// any goroutine, and wakes the loop if it is blocked in the poller: the
// only way another goroutine may hand the loop work, as asyncio's
// call_soon_threadsafe. After Close it does nothing.
func (l *Loop) CallSoonThreadsafe(fn func()) {
	l.postMu.Lock()
	l.posted = append(l.posted, fn)
	l.postMu.Unlock()
	_ = l.poller.wake() // fails only if the eventfd or pipe is broken; the next wake-up takes fn anyway
}

// Go runs work off the loop, on a goroutine of its own, and then the
// function work returns back on the loop, through CallSoonThreadsafe. It is
// asyncio's run_in_executor, for the calls that have no non-blocking form
// (the system's resolver is the usual one): the loop goes on running
// callbacks while work blocks. At most maxWorkers goroutines run at once;
// more work waits its turn, first come first served. Until the function
// work returns has run, Run does not return for want of something to do.
// Call Go from the loop's goroutine only.
func (l *Loop) Go(work func() (then func())) {
	l.outstanding++
	if l.workers >= maxWorkers {
		l.queued = append(l.queued, work)
		return
	}
	l.start(work)
}

func (l *Loop) start(work func() func()) {
	l.workers++
	l.goroutines.Go(func() {
		then := work()
		l.CallSoonThreadsafe(func() {
			l.outstanding--
			l.workers--
			if len(l.queued) > 0 && !l.closed {
				next := l.queued[0]
				l.queued = l.queued[1:]
				l.start(next)
			}
			if then != nil {
				then()
			}
		})
	})
}

// CallLater schedules fn to run once d has passed: CallAt(time.Now().Add(d)).
func (l *Loop) CallLater(d time.Duration, fn func()) *Handle {
	return l.CallAt(time.Now().Add(d), fn)
}

// CallAt schedules fn to run at when. Timers due at the same instant run in
// the order they were scheduled. A timer runs no earlier than its deadline,
// and late when a callback before it runs long: nothing preempts a
// callback.
func (l *Loop) CallAt(when time.Time, fn func()) *Handle {
	l.seq++
	h := &Handle{fn: fn, when: when, seq: l.seq, loop: l}
	heap.Push(&l.timers, h)
	return h
}

// AddReader calls fn whenever fd is readable (or has an error or hang-up
// pending), until RemoveReader. It replaces any earlier reader of fd.
// The loop does not own fd: remove it before closing it.
func (l *Loop) AddReader(fd int, fn func()) error { return l.watch(fd, fn, true) }

// AddWriter calls fn whenever fd is writable (or has an error pending),
// until RemoveWriter. It replaces any earlier writer of fd.
func (l *Loop) AddWriter(fd int, fn func()) error { return l.watch(fd, fn, false) }

// RemoveReader stops watching fd for reading and reports whether it was.
func (l *Loop) RemoveReader(fd int) (bool, error) { return l.unwatch(fd, true) }

// RemoveWriter stops watching fd for writing and reports whether it was.
func (l *Loop) RemoveWriter(fd int) (bool, error) { return l.unwatch(fd, false) }

func (l *Loop) watch(fd int, fn func(), read bool) error {
	if l.closed {
		return ErrClosed
	}
	reg, known := l.fds[fd]
	if !known {
		reg = &registration{}
	}
	h := &Handle{fn: fn, index: -1, loop: l}
	slot := &reg.writer
	if read {
		slot = &reg.reader
	}
	old := *slot
	*slot = h
	var err error
	switch {
	case !known:
		err = l.poller.add(fd, reg.reader != nil, reg.writer != nil)
	case old == nil:
		err = l.poller.modify(fd, reg.reader != nil, reg.writer != nil)
	}
	if err != nil {
		*slot = old
		return err
	}
	if old != nil {
		old.Cancel()
	}
	l.fds[fd] = reg
	return nil
}

func (l *Loop) unwatch(fd int, read bool) (bool, error) {
	if l.closed {
		return false, ErrClosed
	}
	reg := l.fds[fd]
	if reg == nil {
		return false, nil
	}
	slot := &reg.writer
	if read {
		slot = &reg.reader
	}
	if *slot == nil {
		return false, nil
	}
	(*slot).Cancel()
	*slot = nil
	if reg.reader == nil && reg.writer == nil {
		delete(l.fds, fd)
		return true, l.poller.remove(fd)
	}
	return true, l.poller.modify(fd, reg.reader != nil, reg.writer != nil)
}

// Stop makes Run return after the iteration in progress. It may be called
// from any goroutine. Callbacks still scheduled stay scheduled for the next
// Run.
func (l *Loop) Stop() {
	l.stopping.Store(true)
	_ = l.poller.wake() // only fails if the eventfd or pipe is broken; the loop then notices at its next wake-up
}

// Run runs the loop on the calling goroutine, locked to its OS thread, until
// Stop is called, ctx is done (it returns ctx.Err()), or nothing is left to
// do: no callback ready, no timer, no descriptor watched.
//
// Run starts no goroutine (Go does, for the work it is given, and only
// then). The one exception is ctx's: to wake the poller
// when ctx is done, Run registers a context.AfterFunc, and the context
// package runs that function on a goroutine of its own, which writes one
// byte to the loop's wake-up descriptor and exits. It exists only once ctx
// is done; a context that is never cancelled (or has no Done channel)
// starts nothing.
func (l *Loop) Run(ctx context.Context) error {
	if l.closed {
		return ErrClosed
	}
	if l.running {
		return ErrRunning
	}
	l.running = true
	defer func() { l.running = false }()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer func() {
		for _, fn := range l.atExit {
			fn()
		}
	}()

	if err := ctx.Err(); err != nil {
		return err
	}
	// One flag per Run: a late AfterFunc of an earlier Run cannot stop
	// this one.
	ctxDone := new(atomic.Bool)
	stop := context.AfterFunc(ctx, func() {
		ctxDone.Store(true)
		_ = l.poller.wake() // after Close this does nothing, by design
	})
	defer stop()

	for {
		if ctxDone.Load() {
			return ctx.Err()
		}
		l.takePosted()
		if len(l.ready) == 0 && len(l.timers) == 0 && len(l.fds) == 0 && l.outstanding == 0 && !l.stopping.Load() {
			return nil
		}
		if err := l.runOnce(); err != nil {
			return err
		}
		if l.stopping.Swap(false) {
			return nil
		}
	}
}

// runOnce is one iteration, as asyncio's _run_once: wait for I/O (not at
// all when a callback is ready, until the nearest timer when there is one,
// else as long as it takes), turn ready descriptors and due timers into
// ready callbacks, then run the callbacks that were ready when the
// iteration began.
func (l *Loop) runOnce() error {
	timeout := time.Duration(-1)
	switch {
	case len(l.ready) > 0 || l.stopping.Load():
		timeout = 0
	case len(l.timers) > 0:
		timeout = max(0, time.Until(l.timers[0].when))
	}
	n, err := l.poller.wait(l.events, timeout)
	if err != nil {
		return err
	}
	// What another goroutine handed in while the loop waited: its wake-up
	// is what ended the wait.
	l.takePosted()
	for _, ev := range l.events[:n] {
		reg := l.fds[ev.fd]
		if reg == nil {
			continue // removed since the poller reported it
		}
		if ev.readable && reg.reader != nil {
			l.ready = append(l.ready, reg.reader)
		}
		if ev.writable && reg.writer != nil {
			l.ready = append(l.ready, reg.writer)
		}
	}
	now := time.Now()
	for len(l.timers) > 0 && !l.timers[0].when.After(now) {
		l.ready = append(l.ready, heap.Pop(&l.timers).(*Handle))
	}

	// Swap in a fresh queue: what the callbacks schedule now waits for the
	// next iteration.
	batch := l.ready
	l.ready = l.spare[:0]
	for i, h := range batch {
		batch[i] = nil
		if h.cancelled {
			continue
		}
		fn := h.fn
		if h.seq != 0 { // a timer runs once; Cancel after this is a no-op
			h.ran, h.fn = true, nil
		}
		fn()
	}
	l.spare = batch[:0]
	return nil
}

// takePosted moves the callbacks handed in by other goroutines to the
// ready queue.
func (l *Loop) takePosted() {
	l.postMu.Lock()
	posted := l.posted
	l.posted = nil
	l.postMu.Unlock()
	for _, fn := range posted {
		l.CallSoon(fn)
	}
}

// timerHeap orders timers by deadline, then by the order they were made.
type timerHeap []*Handle

func (t timerHeap) Len() int { return len(t) }
func (t timerHeap) Less(i, j int) bool {
	if t[i].when.Equal(t[j].when) {
		return t[i].seq < t[j].seq
	}
	return t[i].when.Before(t[j].when)
}
func (t timerHeap) Swap(i, j int) {
	t[i], t[j] = t[j], t[i]
	t[i].index = i
	t[j].index = j
}
func (t *timerHeap) Push(x any) {
	h := x.(*Handle)
	h.index = len(*t)
	*t = append(*t, h)
}
func (t *timerHeap) Pop() any {
	old := *t
	h := old[len(old)-1]
	old[len(old)-1] = nil
	h.index = -1
	*t = old[:len(old)-1]
	return h
}
