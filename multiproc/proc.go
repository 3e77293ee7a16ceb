package multiproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"conclab/iobound"
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

// spec is what every worker of a run is started with.
type spec struct {
	version int // protocolVersion, unless a test says otherwise
	bodyCap int64
	timeout time.Duration
	logw    io.Writer
	logMu   *sync.Mutex // shared by the run's workers: their log lines never interleave
}

// process is the parent's handle on one worker process. It is used by one
// goroutine at a time.
type process struct {
	index int
	pid   int
	cmd   *exec.Cmd
	stdin io.WriteCloser
	enc   *encoder
	dec   *decoder
	log   *lineWriter

	reaped bool
	state  *os.ProcessState
	gone   chan struct{} // closed once reaped; its keeper thread waits for it
}

// start starts a worker process and completes the handshake. The process is
// killed when ctx is done.
func start(ctx context.Context, s spec, index int) (*process, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("multiproc: find own executable: %w", err)
	}
	// The flag is for ps, which then shows which processes are workers; a
	// worker never parses it. A binary that forgot RunWorkerIfChild and
	// parses flags stops at it instead of running its main a second time.
	cmd := exec.CommandContext(ctx, exe, fmt.Sprintf("-multiproc-worker=%d", index))
	cmd.Env = append(os.Environ(), envWorker+"=1")
	cmd.WaitDelay = waitDelay
	lw := &lineWriter{mu: s.logMu, w: s.logw}
	lw.setName(fmt.Sprintf("multiproc worker %d", index)) // until the pid is known
	cmd.Stderr = lw
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("multiproc: worker %d stdin: %w", index, iobound.WithDescriptorLimit(err))
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		// Only Start and Wait close the pipes a Cmd made; without them the
		// stdin pipe's two descriptors would wait for the garbage collector.
		stdin.Close()
		cmd.Stdin.(io.Closer).Close()
		return nil, fmt.Errorf("multiproc: worker %d stdout: %w", index, iobound.WithDescriptorLimit(err))
	}
	setDeathSignal(cmd)
	gone := make(chan struct{})
	if err := spawn(cmd, gone); err != nil {
		return nil, fmt.Errorf("multiproc: start worker %d: %w", index, iobound.WithDescriptorLimit(err))
	}
	p := &process{
		index: index,
		pid:   cmd.Process.Pid,
		cmd:   cmd,
		stdin: stdin,
		enc:   newEncoder(stdin),
		dec:   newDecoder(stdout),
		log:   lw,
		gone:  gone,
	}
	lw.setName("multiproc " + p.name())
	if err := p.handshake(ctx, s); err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

func (p *process) name() string { return fmt.Sprintf("worker %d (pid %d)", p.index, p.pid) }

// hint is appended to errors that a binary without RunWorkerIfChild causes.
const hint = "; does main call multiproc.RunWorkerIfChild first thing?"

func (p *process) handshake(ctx context.Context, s spec) error {
	var late atomic.Bool
	timer := time.AfterFunc(handshakeTimeout, func() {
		late.Store(true)
		_ = p.cmd.Process.Kill()
	})
	defer timer.Stop()

	hello := message{
		Type:      msgHello,
		Version:   s.version,
		Worker:    p.index,
		BodyCap:   s.bodyCap,
		TimeoutNS: int64(s.timeout),
	}
	err := p.enc.write(hello)
	var reply message
	if err == nil {
		reply, err = p.dec.read()
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("multiproc: start %s: %w", p.name(), ctx.Err())
	case late.Load():
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

// do sends one task and returns the worker's reply. On error the worker is
// gone: it died, or it broke the protocol and was killed; either way it has
// been reaped.
func (p *process) do(task message) (message, error) {
	err := p.enc.write(task)
	var reply message
	if err == nil {
		reply, err = p.dec.read()
	}
	if err == nil && (reply.Type != msgResult || reply.ID != task.ID) {
		err = fmt.Errorf("%w: sent task %d, got %s for task %d", ErrProtocol, task.ID, reply.Type, reply.ID)
	}
	switch {
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

// stop closes the worker's stdin, which ends its loop, and reaps it. It
// reports a worker that did not exit cleanly.
func (p *process) stop() error {
	_ = p.stdin.Close()
	p.wait(stopGrace)
	if !p.state.Success() {
		return fmt.Errorf("multiproc: %s stopped uncleanly (%s)", p.name(), p.exitStatus())
	}
	return nil
}

// kill kills the worker and reaps it.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	p.wait(0)
}

// exitStatus reaps the worker, killing it if it has not exited within
// stopGrace, and describes how it ended.
func (p *process) exitStatus() string {
	p.wait(stopGrace)
	return p.state.String()
}

// wait reaps the worker once, killing it after grace if grace > 0.
func (p *process) wait(grace time.Duration) {
	if p.reaped {
		return
	}
	if grace > 0 {
		t := time.AfterFunc(grace, func() { _ = p.cmd.Process.Kill() })
		defer t.Stop()
	}
	_ = p.cmd.Wait() // the state says all we need; Wait's error repeats it
	p.reaped, p.state = true, p.cmd.ProcessState
	close(p.gone)
	p.log.flush()
}

// lineWriter passes a worker's stderr through, line by line, each line
// prefixed with the worker's name.
type lineWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

// maxLine bounds a line the writer holds back waiting for its newline.
const maxLine = 64 << 10

func (l *lineWriter) setName(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prefix = name + ": "
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 && len(l.buf) < maxLine {
			break
		}
		if i < 0 {
			i = len(l.buf) - 1
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[:copy(l.buf, l.buf[i+1:])]
	}
	// A log that cannot be written must not stop the worker: report success.
	return len(b), nil
}

// flush writes a last line that had no newline.
func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	if line[len(line)-1] != '\n' {
		line = append(line, '\n')
	}
	_, _ = io.WriteString(l.w, l.prefix+string(line))
}
