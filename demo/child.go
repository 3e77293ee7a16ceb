package demo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"conclab/internal/child"
)

// childRole is the child role of a process started to run one
// demonstration; its configuration says which one and with what parameters
// ("counter 8 100000").
const childRole = "demo"

func init() {
	child.Register(childRole, func() int { return runChild(child.Config(), os.Stdout, os.Stderr) })
}

// childHello is the first line a child writes, so the parent can tell a
// child that ran the demonstration from a binary that ignored the marker.
const childHello = "conclab demo child"

// stderrCap bounds what the parent keeps of a child's standard error: a
// fatal error or SIGQUIT prints every goroutine's stack, and the race
// detector a report per race. A small child's dump fits many times over;
// the cap only keeps a runaway child from filling the parent's memory.
const stderrCap = 1 << 20

var (
	// ErrNoChildHook reports that the re-executed binary did not run the
	// demonstration: its main (or TestMain) does not call child.RunIfChild
	// (package conclab/internal/child) first.
	ErrNoChildHook = errors.New("demo: the binary does not call child.RunIfChild first")
	// ErrChildTimeout reports that a child was stopped at its deadline.
	ErrChildTimeout = errors.New("demo: child process timed out")
)

// childDemo is a demonstration that runs in a child: how many numbers it
// takes, and the function that runs it and returns the exit status.
type childDemo struct {
	args int
	run  func(args []int, stdout io.Writer) int
}

// childDemoNamed returns the demonstration a child runs for the name that
// starts its spec. Several of them never return: the runtime stops the
// process with a fatal error, or the parent stops it with SIGQUIT, which is
// the point.
func childDemoNamed(name string) (childDemo, bool) {
	switch name {
	case "mapwrites":
		return childDemo{2, func(a []int, out io.Writer) int {
			writeMapUnsafely(a[0], time.Duration(a[1])*time.Millisecond)
			fmt.Fprintln(out, "survived") // the runtime did not notice
			return 0
		}}, true
	case "counter":
		return childDemo{2, func(a []int, out io.Writer) int {
			fmt.Fprintln(out, "final", countUnsafely(a[0], a[1]))
			return 0
		}}, true
	case "nolock":
		return childDemo{2, func(a []int, out io.Writer) int {
			fmt.Fprintln(out, "tally", tallyOnPool(a[0], a[1]))
			return 0
		}}, true
	case "lockorder":
		return childDemo{1, func(a []int, out io.Writer) int {
			return invertLocks(out, time.Duration(a[0])*time.Millisecond)
		}}, true
	case "asleep":
		return childDemo{0, func(_ []int, out io.Writer) int {
			return waitForNobody(out)
		}}, true
	case "asleep-timer":
		return childDemo{1, func(a []int, out io.Writer) int {
			return waitForNobodyWithTimer(out, time.Duration(a[0])*time.Millisecond)
		}}, true
	case "preempt":
		return childDemo{2, func(a []int, out io.Writer) int {
			return timerBehindSpinner(out, a[0], time.Duration(a[1])*time.Microsecond)
		}}, true
	}
	return childDemo{}, false
}

// runChild runs the demonstration spec names and returns the exit status.
func runChild(spec string, stdout, stderr io.Writer) int {
	fields := strings.Fields(spec)
	if len(fields) == 0 {
		fmt.Fprintf(stderr, "demo child: bad request %q\n", spec)
		return 2
	}
	d, ok := childDemoNamed(fields[0])
	if !ok {
		fmt.Fprintf(stderr, "demo child: unknown demonstration %q\n", fields[0])
		return 2
	}
	args := make([]int, 0, len(fields)-1)
	for _, f := range fields[1:] {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			fmt.Fprintf(stderr, "demo child: bad parameter %q in %q\n", f, spec)
			return 2
		}
		args = append(args, n)
	}
	if len(args) != d.args {
		fmt.Fprintf(stderr, "demo child: bad request %q: %s takes %d numbers\n", spec, fields[0], d.args)
		return 2
	}
	fmt.Fprintln(stdout, childHello)
	return d.run(args, stdout)
}

// childOptions says how to run one child.
type childOptions struct {
	gomaxprocs int    // GOMAXPROCS of the child; 0 leaves it as it is
	godebug    string // settings added to the child's GODEBUG, such as "asyncpreemptoff=1"
	// timeout bounds the whole child: past it the child is killed and
	// startChild returns ErrChildTimeout.
	timeout time.Duration
	// armLine and patience are a watchdog: once the child has written the
	// line armLine, it has patience to exit. Past that it is sent SIGQUIT,
	// and the Go runtime in it prints every goroutine's stack to standard
	// error and exits with status 2. That is how a hang is told apart from
	// slow work, and how its stacks are seen. Empty armLine: no watchdog.
	armLine  string
	patience time.Duration
}

// childRun is what the parent learned from one child.
type childRun struct {
	stdout   []string // lines after the hello line
	stderr   string   // the first stderrCap bytes
	exitCode int      // -1 if it was killed by a signal
	quit     bool     // the watchdog sent SIGQUIT
}

// startChild re-executes the current binary as a demo child, waits for it
// and collects its output. The child runs with the race detector told not
// to stop it or change its exit status, so that a race-built binary's child
// reports the race and carries on like any other, and with every
// goroutine's stack printed on a fatal error or SIGQUIT.
func startChild(ctx context.Context, spec string, o childOptions) (childRun, error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(parent, o.timeout)
	defer cancel()
	// The watchdog cancels its own context, so that exec's Cancel can tell
	// its SIGQUIT apart from a deadline or a caller's cancellation, which
	// kill.
	watched, quit := context.WithCancel(ctx)
	defer quit()
	var quitting atomic.Bool
	// The argument makes a test binary that lacks the hook run no test (the
	// child package's own marker argument already stops one that parses
	// flags): it does not run the demonstration, and the missing hello line
	// says so.
	cmd, err := child.Command(watched, childRole, spec, "-test.run=^$")
	if errors.Is(err, child.ErrNested) {
		// A child that got here did not stop in child.RunIfChild: it would
		// start children of its own.
		return childRun{}, fmt.Errorf("%w: %w", ErrNoChildHook, err)
	}
	if err != nil {
		return childRun{}, fmt.Errorf("demo: %w", err)
	}
	cmd.Cancel = func() error {
		if quitting.Load() && ctx.Err() == nil {
			return quitProcess(cmd.Process)
		}
		return cmd.Process.Kill()
	}
	cmd.Env = append(cmd.Env, "GORACE=halt_on_error=0 exitcode=0", "GOTRACEBACK=all")
	if o.gomaxprocs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(o.gomaxprocs))
	}
	if o.godebug != "" {
		cmd.Env = append(cmd.Env, "GODEBUG="+strings.TrimPrefix(os.Getenv("GODEBUG")+","+o.godebug, ","))
	}
	stdout := &lineWatch{line: o.armLine}
	if o.armLine != "" {
		dog := time.AfterFunc(time.Hour, func() {
			quitting.Store(true)
			quit()
		})
		dog.Stop()
		defer dog.Stop()
		stdout.armed = func() { dog.Reset(o.patience) }
	}
	stderr := &capped{max: stderrCap}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// After SIGQUIT the child has this long to print its stacks and exit
	// before it is killed.
	cmd.WaitDelay = time.Second
	runErr := runCmd(watched, cmd)
	if ctx.Err() != nil && (cmd.ProcessState == nil || !cmd.ProcessState.Exited()) {
		if err := parent.Err(); err != nil {
			return childRun{}, fmt.Errorf("demo: child stopped: %w", err)
		}
		return childRun{}, fmt.Errorf("%w after %v", ErrChildTimeout, o.timeout)
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return childRun{}, fmt.Errorf("demo: running child: %w", runErr)
	}
	run := childRun{stderr: stderr.String(), exitCode: cmd.ProcessState.ExitCode(), quit: quitting.Load()}
	sc := bufio.NewScanner(&stdout.buf)
	hello := false
	for sc.Scan() {
		if !hello {
			hello = sc.Text() == childHello
			continue
		}
		run.stdout = append(run.stdout, sc.Text())
	}
	if !hello {
		return run, ErrNoChildHook
	}
	return run, nil
}

// runCmd starts cmd and waits for it.
func runCmd(ctx context.Context, cmd *exec.Cmd) error {
	p, err := child.Start(ctx, cmd, child.Options{})
	if err != nil {
		return err
	}
	return p.Wait()
}

// lineWatch keeps a child's standard output and calls armed once, when a
// whole line equal to line has arrived. exec writes to it from one
// goroutine only.
type lineWatch struct {
	buf   bytes.Buffer
	line  string
	armed func()
	seen  bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if !w.seen && w.armed != nil && bytes.Contains(w.buf.Bytes(), []byte("\n"+w.line+"\n")) {
		w.seen = true
		w.armed()
	}
	return len(p), nil
}

// raceSeparator frames every report of the race detector.
const raceSeparator = "=================="

// fatalError returns the runtime's "fatal error: ..." line from a child's
// standard error, or "" when there is none. In a race-built child the
// detector writes to the same stream from another thread, and its
// separator can land on the same line; no runtime message holds one, so
// the line is cut there.
func fatalError(stderr string) string {
	i := strings.Index(stderr, "fatal error:")
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(stderr[i:], "\n")
	line, _, _ = strings.Cut(line, raceSeparator)
	return strings.TrimSpace(line)
}

// capped keeps the first max bytes written to it and discards the rest,
// so a child cannot fill the parent's memory.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (c *capped) String() string { return c.buf.String() }
