package child

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"
)

// RoleEnv is the environment variable that marks a child process: its value
// is the role the child was started in.
const RoleEnv = "CONCLAB_CHILD_ROLE"

// configEnv carries the parent's settings for the child, as the role
// defines them (often JSON).
const configEnv = "CONCLAB_CHILD_CONFIG"

// flagPrefix starts the argument every child gets. A role never parses it;
// it shows in ps which processes are children, and a binary that forgot
// RunIfChild and parses flags stops at it instead of running its main, or
// all its tests, a second time.
const flagPrefix = "-conclab-child="

// Hint is the advice that errors caused by a missing hook carry.
const Hint = "does main (or TestMain) call child.RunIfChild first thing?"

var (
	// ErrNested reports a child that tried to start a child: a process in
	// a role must not run the parent's code.
	ErrNested = errors.New("child: this process is itself a child; " + Hint)
	// ErrUnknownRole reports a role no package registered.
	ErrUnknownRole = errors.New("child: unknown role")
	// ErrHandshake reports a child that did not announce itself as agreed:
	// a line that is not the JSON expected, or no line within the deadline.
	ErrHandshake = errors.New("child: handshake failed")
	// ErrExited reports a child that exited before its handshake.
	ErrExited = errors.New("child: exited before its handshake")
)

var roles = struct {
	sync.Mutex
	m map[string]func() int
}{m: map[string]func() int{}}

// Register makes run the body of a child started in role name: RunIfChild
// calls it and exits with the status it returns. Call it from an init
// function. Registering a name twice panics, as a program error.
func Register(name string, run func() int) {
	roles.Lock()
	defer roles.Unlock()
	if name == "" || run == nil {
		panic("child: Register needs a name and a function")
	}
	if _, dup := roles.m[name]; dup {
		panic("child: role " + name + " registered twice")
	}
	roles.m[name] = run
}

func lookup(name string) (func() int, bool) {
	roles.Lock()
	defer roles.Unlock()
	run, ok := roles.m[name]
	return run, ok
}

// RunIfChild returns at once in a process that is no child. In a child it
// runs the registered role and exits with its status, or exits with status
// 2 when the role is unknown. Call it first thing in main and in TestMain,
// before anything reads flags, starts goroutines or writes to stdout.
func RunIfChild() {
	role := Role()
	if role == "" {
		return
	}
	run, ok := lookup(role)
	if !ok {
		fmt.Fprintf(os.Stderr, "%v %q (known: %s)\n", ErrUnknownRole, role, strings.Join(known(), ", "))
		os.Exit(2)
	}
	os.Exit(run())
}

func known() []string {
	roles.Lock()
	defer roles.Unlock()
	names := make([]string, 0, len(roles.m))
	for n := range roles.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Role is the role this process was started in, "" in a process that is
// no child.
func Role() string { return os.Getenv(RoleEnv) }

// Config is the configuration the parent passed to Command.
func Config() string { return os.Getenv(configEnv) }

// Command returns a command that runs this binary again in role, with
// config for Config and args after the role's marker argument. The caller
// may set its Env (append to it), Stdout, Stderr, WaitDelay and Cancel
// before Start; a nil Stdin or Stdout becomes a pipe. ctx kills the child
// when done, as with exec.CommandContext.
func Command(ctx context.Context, role, config string, args ...string) (*exec.Cmd, error) {
	if r := Role(); r != "" {
		return nil, fmt.Errorf("%w (role %s)", ErrNested, r)
	}
	if _, ok := lookup(role); !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownRole, role)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("child: find own executable: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{flagPrefix + role}, args...)...)
	cmd.Env = append(os.Environ(), RoleEnv+"="+role, configEnv+"="+config)
	return cmd, nil
}

// Process is a started child.
type Process struct {
	Cmd *exec.Cmd
	PID int
	// Stdin and Stdout are the parent's ends of the pipes Start made; nil
	// where the command came with its own.
	Stdin, Stdout *os.File

	once    sync.Once
	waitErr error
}

// Options are the rarely needed settings of Start.
type Options struct {
	// Forked, when set, is called right after the fork, before the next
	// fork may start: tests count forks with it.
	Forked func(pid int)
}

// Start starts cmd from the keeper thread, in its turn: forks are taken
// one at a time, and none once ctx is done. It makes pipes for a nil Stdin
// and Stdout, and closes both ends of each on failure. The caller must
// call Wait (or Kill) on the process it returns.
func Start(ctx context.Context, cmd *exec.Cmd, o Options) (*Process, error) {
	p := &Process{Cmd: cmd}
	var theirs []*os.File // the child's ends, closed in the parent once it has them
	fail := func(err error) (*Process, error) {
		for _, f := range append(theirs, p.Stdin, p.Stdout) {
			if f != nil {
				_ = f.Close()
			}
		}
		return nil, err
	}
	if cmd.Stdin == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return fail(fmt.Errorf("child: stdin pipe: %w", err))
		}
		cmd.Stdin, p.Stdin = r, w
		theirs = append(theirs, r)
	}
	if cmd.Stdout == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return fail(fmt.Errorf("child: stdout pipe: %w", err))
		}
		cmd.Stdout, p.Stdout = w, r
		theirs = append(theirs, w)
	}
	setDeathSignal(cmd)
	if err := fork(ctx, cmd, o.Forked); err != nil {
		return fail(err)
	}
	for _, f := range theirs {
		_ = f.Close()
	}
	p.PID = cmd.Process.Pid
	return p, nil
}

// Wait waits for the child to exit, once; later calls return the first
// call's result. It closes the parent's pipe ends and lets the keeper
// thread go once no child is left.
func (p *Process) Wait() error {
	p.once.Do(func() {
		p.waitErr = p.Cmd.Wait()
		for _, f := range []*os.File{p.Stdin, p.Stdout} {
			if f != nil {
				_ = f.Close()
			}
		}
		release()
	})
	return p.waitErr
}

// Kill kills the child and waits for it.
func (p *Process) Kill() error {
	_ = p.Cmd.Process.Kill()
	return p.Wait()
}

// State is the child's exit state, nil until Wait has returned.
func (p *Process) State() *os.ProcessState { return p.Cmd.ProcessState }

// maxHandshake bounds the handshake line.
const maxHandshake = 64 << 10

// Handshake reads the child's announcement, one JSON line on its stdout,
// into v. It gives up when ctx is done or timeout has passed, and then
// kills the child; it does the same when the line is not what v expects.
// Errors wrap ErrHandshake, ErrExited (with the exit status) or ctx's
// error.
func (p *Process) Handshake(ctx context.Context, timeout time.Duration, v any) error {
	if p.Stdout == nil {
		return fmt.Errorf("%w: no stdout pipe", ErrHandshake)
	}
	_ = p.Stdout.SetReadDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { _ = p.Stdout.SetReadDeadline(time.Now()) })
	line, err := readLine(p.Stdout)
	stop()
	_ = p.Stdout.SetReadDeadline(time.Time{})
	switch {
	case ctx.Err() != nil:
		_ = p.Kill()
		return fmt.Errorf("child: waiting for pid %d's handshake: %w", p.PID, ctx.Err())
	case errors.Is(err, os.ErrDeadlineExceeded):
		_ = p.Kill()
		return fmt.Errorf("%w: pid %d did not announce itself within %v; %s", ErrHandshake, p.PID, timeout, Hint)
	case errors.Is(err, io.EOF):
		_ = p.Kill() // it is exiting: reap it for its status
		return fmt.Errorf("%w: pid %d (%v); %s", ErrExited, p.PID, p.State(), Hint)
	case err != nil:
		_ = p.Kill()
		return fmt.Errorf("%w: pid %d: %w", ErrHandshake, p.PID, err)
	}
	if err := json.Unmarshal(line, v); err != nil {
		_ = p.Kill()
		return fmt.Errorf("%w: pid %d announced %.80q: %w; %s", ErrHandshake, p.PID, line, err, Hint)
	}
	return nil
}

// readLine reads up to and without the first newline, a byte at a time so
// that nothing after the line is taken from the pipe.
func readLine(f *os.File) ([]byte, error) {
	var line []byte
	b := make([]byte, 1)
	for len(line) < maxHandshake {
		n, err := f.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return line, nil
			}
			line = append(line, b[0])
			continue
		}
		if err != nil {
			return line, err
		}
	}
	return line, fmt.Errorf("line longer than %d bytes", maxHandshake)
}

// Announce writes v as the child's handshake: one JSON line on w, the
// child's standard output.
func Announce(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("child: announce: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("child: announce: %w", err)
	}
	return nil
}
