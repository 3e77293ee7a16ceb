package multiproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"conclab/internal/child"
	"conclab/iobound"
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

// Safety bounds on waiting for a worker process. They are not timings the
// pool relies on: a healthy worker answers its hello in milliseconds and
// exits as soon as its stdin closes. They only keep a broken worker from
// hanging the pool.
const (
	handshakeTimeout = 10 * time.Second // a binary that never answers hello
	stopGrace        = 5 * time.Second  // a worker that ignores its closed stdin
	waitDelay        = 2 * time.Second  // stderr held open after the worker exited
)

// ReplyMargin is what the parent adds to the request timeout before it
// gives up on a worker in the middle of a fetch.
//
// The worker bounds its own request by the timeout, and then has a result
// to send: the request's error, wrapping iobound.ErrTimeout, as every other
// model reports a slow site. The parent's deadline is only for a worker
// that can send nothing at all (stopped, deadlocked, swapped out), so it
// must never fire first: a parent that did would kill a healthy worker,
// pay for a new one, and blame the worker for the site's slowness. What
// the parent's clock counts beyond the worker's (the task crossing the
// pipe, the worker waking to read it, closing the timed-out connection,
// the result crossing back) takes microseconds on an idle machine and tens
// of milliseconds behind a busy scheduler or a garbage collection. A second
// is far above that, and short beside the timeout it is added to: waiting
// a second longer for a worker that will never answer costs less than
// killing one that would have.
const ReplyMargin = time.Second

// spec is what every worker of a run is started with.
type spec struct {
	version int // protocolVersion, unless a test says otherwise
	procs   int // the pool's size
	bodyCap int64
	timeout time.Duration
	// rootsPEM are the roots the workers verify https against, "" for
	// the system's.
	rootsPEM string
	logw     io.Writer
	logMu    *sync.Mutex // shared by the run's workers: their log lines never interleave

	// forked, when set, is called after each fork, before the next one
	// may start: tests count forks with it.
	forked func(pid int)
}

// workerSpec is what the pool's workers are started with: the settings s,
// checked by iobound.Settle, whose error err is. A pool inside a worker
// process is refused with ErrNotWired.
func (m Pool) workerSpec(s iobound.Settings, err error) (spec, error) {
	if err == nil {
		err = wired()
	}
	if err != nil {
		return spec{}, err
	}
	if _, err := iobound.CertPool(m.RootCAsPEM); err != nil {
		return spec{}, fmt.Errorf("multiproc: RootCAsPEM: %w", err)
	}
	logw := m.LogWriter
	if logw == nil {
		logw = os.Stderr
	}
	return spec{
		version:  protocolVersion,
		procs:    m.procs(),
		bodyCap:  s.BodyCap,
		timeout:  s.Timeout,
		rootsPEM: string(m.RootCAsPEM),
		logw:     logw,
		logMu:    new(sync.Mutex),
	}, nil
}

// deadline is how long the parent waits for the result of task.
func (s spec) deadline(task message) time.Duration {
	if task.Kind == kindFetch {
		return min(s.timeout, math.MaxInt64-ReplyMargin) + ReplyMargin
	}
	return s.timeout
}

// deadlineText says what deadline(task) is made of, for an error message.
func (s spec) deadlineText(task message) string {
	if task.Kind == kindFetch {
		return fmt.Sprintf("the request timeout %v plus a %v margin", s.timeout, ReplyMargin)
	}
	return "the pool's Timeout, which bounds each task"
}

// process is the parent's handle on one worker process. It is used by one
// goroutine at a time.
type process struct {
	index int
	pid   int
	proc  *child.Process
	enc   *encoder
	dec   *decoder
	log   *child.LineWriter
}

// start starts a worker process and completes the handshake. ctx bounds
// the start; life is the worker's lifetime: the process is killed when it
// is done. A run's workers live as long as the run (life is ctx); a kept
// pool's live until it is closed.
func start(ctx, life context.Context, s spec, index int) (*process, error) {
	p, err := launch(ctx, life, s, index)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, p.killNow)
	err = p.handshake(ctx, s)
	stop()
	if err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

// launch forks and executes a worker process, in its turn: the child
// package forks one process at a time, and none once ctx is done.
func launch(ctx, life context.Context, s spec, index int) (*process, error) {
	// The argument is for ps, which then shows which processes are workers
	// and which one; a worker never parses it.
	cmd, err := child.Command(life, workerRole, "", fmt.Sprintf("-multiproc-worker=%d", index))
	if err != nil {
		return nil, fmt.Errorf("multiproc: worker %d: %w", index, err)
	}
	cmd.WaitDelay = waitDelay
	lw := child.NewLineWriter(s.logMu, s.logw, fmt.Sprintf("multiproc worker %d", index)) // until the pid is known
	cmd.Stderr = lw
	cp, err := child.Start(ctx, cmd, child.Options{Forked: s.forked})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("multiproc: worker %d not started: %w", index, err)
		}
		return nil, fmt.Errorf("multiproc: start worker %d: %w", index, iobound.WithDescriptorLimit(err))
	}
	p := &process{
		index: index,
		pid:   cp.PID,
		proc:  cp,
		enc:   newEncoder(child.Quiet(cp.Stdin)),
		dec:   newDecoder(child.Quiet(cp.Stdout)),
		log:   lw,
	}
	lw.SetName("multiproc " + p.name())
	return p, nil
}

func (p *process) name() string { return fmt.Sprintf("worker %d (pid %d)", p.index, p.pid) }

// hint is appended to errors that a binary without child.RunIfChild causes.
const hint = "; " + child.Hint

func (p *process) handshake(ctx context.Context, s spec) error {
	hello := message{
		Type:      msgHello,
		Version:   s.version,
		Worker:    p.index,
		BodyCap:   s.bodyCap,
		TimeoutNS: int64(s.timeout),
		RootCAs:   s.rootsPEM,
	}
	reply, late, err := p.exchange([]message{hello}, handshakeTimeout)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("multiproc: start %s: %w", p.name(), ctx.Err())
	case late:
		return fmt.Errorf("%w: %s did not answer the handshake within %v%s",
			ErrProtocol, p.name(), handshakeTimeout, hint)
	case err != nil && !errors.Is(err, ErrProtocol):
		return fmt.Errorf("%w: %s exited before the handshake (%s)%s",
			ErrWorkerDied, p.name(), p.exitStatus(), hint)
	case err != nil:
		return fmt.Errorf("multiproc: %s handshake: %w%s", p.name(), err, hint)
	case reply.Type == msgError:
		return fmt.Errorf("multiproc: %s refused the handshake: %w", p.name(), errorFrom(reply))
	case reply.Type != msgReady:
		return fmt.Errorf("%w: %s answered hello with %s", ErrProtocol, p.name(), reply.Type)
	case reply.Version != s.version:
		return fmt.Errorf("%w: protocol version mismatch: parent speaks v%d, %s speaks v%d",
			ErrProtocol, s.version, p.name(), reply.Version)
	}
	return nil
}

// do sends the tasks send, and returns the worker's reply to task, which
// it was sent now or before: the worker answers its tasks in the order it
// was sent them. The wait is bounded by task's deadline, which starts now:
// the worker starts task once it has answered the one before. On error the
// worker is gone: it died, it broke the protocol, or it gave no reply
// within the deadline, and was killed; either way it has been reaped.
func (p *process) do(task message, send []message, s spec) (message, error) {
	reply, late, err := p.exchange(send, s.deadline(task))
	if err == nil && (reply.Type != msgResult || reply.ID != task.ID) {
		err = fmt.Errorf("%w: awaited task %d, got %s for task %d", ErrProtocol, task.ID, reply.Type, reply.ID)
	}
	switch {
	case late:
		// Even a reply that came as the deadline passed is dropped: the
		// worker has been sent its SIGKILL and cannot take another task.
		p.kill()
		return message{}, fmt.Errorf("%w: %s gave no result for task %d within %v (%s), so it was killed",
			ErrWorkerTimeout, p.name(), task.ID, s.deadline(task), s.deadlineText(task))
	case err == nil:
		return reply, nil
	case errors.Is(err, ErrProtocol):
		p.kill()
		return message{}, fmt.Errorf("multiproc: %s, killed: %w", p.name(), err)
	default:
		// End of its stdout, or a broken stdin: the worker has exited or
		// is exiting. Reap it for its exit status.
		return message{}, fmt.Errorf("%w: %s died in the middle of task %d (%s)",
			ErrWorkerDied, p.name(), task.ID, p.exitStatus())
	}
}

// exchange sends the messages send, and reads the worker's next reply,
// killing the worker if the reply has not come within d. late reports that
// it was killed (or is being killed: the timer may have fired as the reply
// arrived). It is the one wait on a worker's answer, shared by the
// handshake and every task of both workloads, so that no wait on a worker
// is without a deadline.
func (p *process) exchange(send []message, d time.Duration) (reply message, late bool, err error) {
	timer := time.AfterFunc(d, p.killNow)
	for _, m := range send {
		if err = p.enc.write(m); err != nil {
			break
		}
	}
	if err == nil {
		reply, err = p.dec.read()
	}
	return reply, !timer.Stop(), err
}

// stop closes the worker's stdin, which ends its loop, and reaps it. It
// reports a worker that did not exit cleanly.
func (p *process) stop() error {
	_ = p.proc.Stdin.Close()
	p.wait(stopGrace)
	if !p.proc.State().Success() {
		return fmt.Errorf("multiproc: %s stopped uncleanly (%s)", p.name(), p.exitStatus())
	}
	return nil
}

// kill kills the worker and reaps it.
func (p *process) kill() {
	p.killNow()
	p.wait(0)
}

// killNow kills the worker and leaves the reaping to whoever waits on it:
// it is what a deadline or a cancellation does to a worker in the middle of
// an exchange.
func (p *process) killNow() { _ = p.proc.Cmd.Process.Kill() }

// exitStatus reaps the worker, killing it if it has not exited within
// stopGrace, and describes how it ended.
func (p *process) exitStatus() string {
	p.wait(stopGrace)
	return p.proc.State().String()
}

// wait reaps the worker once, killing it after grace if grace > 0.
func (p *process) wait(grace time.Duration) {
	if grace > 0 {
		t := time.AfterFunc(grace, p.killNow)
		defer t.Stop()
	}
	_ = p.proc.Wait() // the state says all we need; Wait's error repeats it
	p.log.Flush()
}
