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
	"time"
)

// childEnv marks a process started to run one demonstration: its value says
// which one and with what parameters ("counter 8 100000").
const childEnv = "CONCLAB_DEMO_CHILD"

// childHello is the first line a child writes, so the parent can tell a
// child that ran the demonstration from a binary that ignored the marker.
const childHello = "conclab demo child"

// stderrCap bounds what the parent keeps of a child's standard error: a
// fatal error prints a goroutine trace, and the race detector a report per
// race, but the first lines are the ones worth showing.
const stderrCap = 64 << 10

var (
	// ErrNoChildHook reports that the re-executed binary did not run the
	// demonstration: its main (or TestMain) does not call
	// RunChildIfRequested first.
	ErrNoChildHook = errors.New("demo: the binary does not call demo.RunChildIfRequested")
	// ErrChildTimeout reports that a child was stopped at its deadline.
	ErrChildTimeout = errors.New("demo: child process timed out")
)

// RunChildIfRequested runs a demonstration and exits if this process was
// started as a demo child; otherwise it returns at once. A binary that uses
// MapWrites, Counters or Race calls it first thing in main, and a test binary
// in TestMain, because those functions re-execute the current binary and the
// demonstration must run before anything else does.
func RunChildIfRequested() {
	spec, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	os.Exit(runChild(spec, os.Stdout, os.Stderr))
}

// runChild runs the demonstration spec names and returns the exit status.
// A child that races the map usually never returns from here: the runtime
// stops it with a fatal error, which is the point.
func runChild(spec string, stdout, stderr io.Writer) int {
	fields := strings.Fields(spec)
	args := make([]int, 0, 2)
	for _, f := range fields[min(1, len(fields)):] {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			fmt.Fprintf(stderr, "demo child: bad parameter %q in %q\n", f, spec)
			return 2
		}
		args = append(args, n)
	}
	if len(fields) == 0 || len(args) != 2 {
		fmt.Fprintf(stderr, "demo child: bad request %q\n", spec)
		return 2
	}
	fmt.Fprintln(stdout, childHello)
	switch fields[0] {
	case "mapwrites":
		if writeMapUnsafely(args[0], time.Duration(args[1])*time.Millisecond) {
			fmt.Fprintln(stdout, "survived")
		}
		return 0
	case "counter":
		fmt.Fprintln(stdout, "final", countUnsafely(args[0], args[1]))
		return 0
	}
	fmt.Fprintf(stderr, "demo child: unknown demonstration %q\n", fields[0])
	return 2
}

// childRun is what the parent learned from one child.
type childRun struct {
	stdout   []string // lines after the hello line
	stderr   string   // the first stderrCap bytes
	exitCode int      // -1 if it was killed by a signal
}

// startChild re-executes the current binary as a demo child, waits for it
// and collects its output. The child runs with the race detector told not
// to stop it or change its exit status, so that a race-built binary's child
// reports the race and carries on like any other.
func startChild(ctx context.Context, spec string, gomaxprocs int, timeout time.Duration) (childRun, error) {
	if _, nested := os.LookupEnv(childEnv); nested {
		// A child that got here did not stop in RunChildIfRequested: it
		// would start children of its own.
		return childRun{}, ErrNoChildHook
	}
	exe, err := os.Executable()
	if err != nil {
		return childRun{}, fmt.Errorf("demo: finding the current binary: %w", err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	// The argument makes a test binary that lacks the hook run no test, and
	// makes any other binary stop at an unknown flag: neither runs the
	// demonstration, and both are caught by the missing hello line.
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+spec, "GORACE=halt_on_error=0 exitcode=0")
	if gomaxprocs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(gomaxprocs))
	}
	var stdout bytes.Buffer
	stderr := &capped{max: stderrCap}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()
	if ctx.Err() != nil && (cmd.ProcessState == nil || !cmd.ProcessState.Exited()) {
		if err := parent.Err(); err != nil {
			return childRun{}, fmt.Errorf("demo: child stopped: %w", err)
		}
		return childRun{}, fmt.Errorf("%w after %v", ErrChildTimeout, timeout)
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return childRun{}, fmt.Errorf("demo: running child: %w", runErr)
	}
	run := childRun{stderr: stderr.String(), exitCode: cmd.ProcessState.ExitCode()}
	sc := bufio.NewScanner(&stdout)
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
