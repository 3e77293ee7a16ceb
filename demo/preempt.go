package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"conclab/cpubound"
	"conclab/internal/units"
)

// DefaultPreemptN is the task of a zero PreemptConfig: the event loop's
// starvation demonstration's (eventloop.Starve, about 60 ms), so that the
// rows read side by side.
const DefaultPreemptN = 100_000_000

// forcePreempt is the runtime's time slice, forcePreemptNS in
// runtime/proc.go: sysmon preempts a goroutine that has run this long
// without the scheduler running anything else on its P.
const forcePreempt = 10 * time.Millisecond

// ErrNegativeDelay is wrapped by Preempt's error for a timer due before
// the task starts.
var ErrNegativeDelay = errors.New("demo: negative delay")

// PreemptConfig sets up the Preempt demonstration. The zero value is ready
// to use.
type PreemptConfig struct {
	N int // the task sums the squares below N; 0 means DefaultPreemptN
	// Delay is when the timer is due, after the task is started. 0 makes
	// it due at once, as in eventloop.Starve: it still waits for a
	// processor to run it.
	Delay   time.Duration
	Timeout time.Duration // deadline of each child process; 0 means DefaultTimeout
}

func (c PreemptConfig) withDefaults() PreemptConfig {
	c.N = cmpOr(c.N, DefaultPreemptN)
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// PreemptRun is one child: a busy goroutine and a timer.
type PreemptRun struct {
	GOMAXPROCS      int  // as the child saw it
	AsyncPreemptOff bool // the child ran with GODEBUG=asyncpreemptoff=1
	Task            time.Duration
	Late            time.Duration // how long after its deadline the timer's goroutine ran
	TimerFirst      bool          // the timer's goroutine ran before the task had finished
}

// Label is the run's row name.
func (r PreemptRun) Label() string {
	if r.AsyncPreemptOff {
		return fmt.Sprintf("goroutine, %d P, no async", r.GOMAXPROCS)
	}
	if r.GOMAXPROCS == 1 {
		return "goroutine, 1 P"
	}
	return fmt.Sprintf("goroutine, %d Ps", r.GOMAXPROCS)
}

// PreemptReport is the Preempt demonstration.
type PreemptReport struct {
	Config PreemptConfig // with its defaults filled in
	// Runs are GOMAXPROCS 1, GOMAXPROCS 2, and GOMAXPROCS 1 with
	// asynchronous preemption off.
	Runs []PreemptRun
}

// Preempt starts, in a child process each, a goroutine that computes a sum
// of squares (a loop with no function call in it) and a timer due Delay
// later, and measures how late the timer's goroutine ran: with GOMAXPROCS
// 1 and 2, then 1 again with asynchronous preemption off. The figures are
// shown, not promised: they vary with the machine and its load. The binary
// must call child.RunIfChild first.
func Preempt(ctx context.Context, cfg PreemptConfig) (PreemptReport, error) {
	cfg = cfg.withDefaults()
	rep := PreemptReport{Config: cfg}
	if err := cpubound.Check(cfg.N); err != nil {
		return rep, err
	}
	if cfg.Delay < 0 {
		return rep, fmt.Errorf("%w: timer delay %v", ErrNegativeDelay, cfg.Delay)
	}
	spec := fmt.Sprintf("preempt %d %d", cfg.N, cfg.Delay.Microseconds())
	for _, c := range []struct {
		procs   int
		noAsync bool
	}{{1, false}, {2, false}, {1, true}} {
		o := childOptions{gomaxprocs: c.procs, timeout: cfg.Timeout}
		if c.noAsync {
			o.godebug = "asyncpreemptoff=1"
		}
		run, err := startChild(ctx, spec, o)
		if err != nil {
			return rep, fmt.Errorf("preemption, GOMAXPROCS=%d: %w", c.procs, err)
		}
		pr := PreemptRun{AsyncPreemptOff: c.noAsync}
		if !parsePreempt(run.stdout, &pr) {
			return rep, fmt.Errorf("preemption, GOMAXPROCS=%d: child exited with status %d without a report: %s",
				c.procs, run.exitCode, firstLines(run.stderr+strings.Join(run.stdout, "\n"), 3))
		}
		rep.Runs = append(rep.Runs, pr)
	}
	return rep, nil
}

// timerBehindSpinner is the child: a timer due after delay, and the main
// goroutine summing the squares below n. cpubound's loop calls no function
// (its 128-bit multiply and add are compiler intrinsics), so nothing in it
// gives the scheduler a chance: only preemption from outside (sysmon, by
// signal) can take the processor from it. The timer's function runs on a
// goroutine of its own once a P runs the timer: at once if another P is
// idle, else when this one is taken back. It writes "preempt LATE_NS
// TASK_NS TIMER_FIRST GOMAXPROCS".
func timerBehindSpinner(out io.Writer, n int, delay time.Duration) int {
	type firing struct {
		late  time.Duration
		first bool
	}
	var finished atomic.Bool
	fired := make(chan firing, 1)
	// sysmon measures a goroutine's time slice from when the scheduler last
	// gave it the P. Yielding first starts a fresh slice with the task,
	// rather than one this goroutine began at start-up.
	runtime.Gosched()
	deadline := time.Now().Add(delay)
	t := time.AfterFunc(delay, func() {
		fired <- firing{late: time.Since(deadline), first: !finished.Load()}
	})
	defer t.Stop()
	start := time.Now()
	sum, err := cpubound.SumOfSquares(n)
	// An atomic store compiles to an instruction, not a call: a preemption
	// requested during the loop takes effect at the next call (time.Since's),
	// after the task is marked finished.
	finished.Store(true)
	task := time.Since(start)
	f := <-fired // the timer has fired, or will: it is due and nothing stops it
	if want, _ := cpubound.Expected(n); err != nil || sum != want {
		fmt.Fprintf(out, "wrong sum of squares below %d: %v, %v\n", n, sum, err)
		return 1
	}
	fmt.Fprintf(out, "preempt %d %d %t %d\n", f.late.Nanoseconds(), task.Nanoseconds(), f.first, runtime.GOMAXPROCS(0))
	return 0
}

// parsePreempt reads the child's report line.
func parsePreempt(lines []string, r *PreemptRun) bool {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 5 || f[0] != "preempt" {
			continue
		}
		late, err1 := strconv.ParseInt(f[1], 10, 64)
		task, err2 := strconv.ParseInt(f[2], 10, 64)
		first, err3 := strconv.ParseBool(f[3])
		procs, err4 := strconv.Atoi(f[4])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			return false
		}
		r.Late, r.Task, r.TimerFirst, r.GOMAXPROCS = time.Duration(late), time.Duration(task), first, procs
		return true
	}
	return false
}

// Write explains the report for a terminal, in the columns of the event
// loop's starvation table so that the two can be printed one after the
// other.
func (r PreemptReport) Write(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "The same sum of squares below %d on a goroutine, and a timer due %s\n"+
		"after it started, each pair in a child process with its GOMAXPROCS:\n\n", c.N, units.Milliseconds(c.Delay))
	fmt.Fprintf(&b, "  %-24s %12s %15s  %s\n", "task", "task took", "timer late by", "the timer ran")
	for _, run := range r.Runs {
		when := "after the task ended"
		if run.TimerFirst {
			when = "while the task ran"
		}
		fmt.Fprintf(&b, "  %-24s %12s %15s  %s\n", run.Label(), units.Milliseconds(run.Task), units.Milliseconds(run.Late), when)
	}
	for _, run := range r.Runs {
		b.WriteString("\n")
		switch {
		case run.AsyncPreemptOff && !run.TimerFirst:
			fmt.Fprintf(&b, "With asynchronous preemption off (GODEBUG=asyncpreemptoff=1, as before Go\n"+
				"1.14) a goroutine can be preempted only at a function call, whose stack check\n"+
				"doubles as a check for a preemption request. The loop calls no function, so\n"+
				"the timer waited %s, the whole task, as behind the event loop's task\n"+
				"that never yields.\n", units.Milliseconds(run.Late))
		case run.AsyncPreemptOff:
			fmt.Fprintf(&b, "With asynchronous preemption off the timer still ran before the task ended,\n"+
				"%s late: the loop reached a function call after all (a garbage collection\n"+
				"or a race-detector build can add one).\n", units.Milliseconds(run.Late))
		case run.GOMAXPROCS == 1 && run.TimerFirst:
			fmt.Fprintf(&b, "With one P the busy goroutine held the only processor. The timer's goroutine\n"+
				"ran %s late (%s into the task), when the scheduler took the P back.\n"+
				"That is sysmon's doing: a runtime thread that needs no P, wakes every 20 µs\n"+
				"(backing off to every 10 ms while it finds nothing to do) and preempts a\n"+
				"goroutine that has held its P for %s (forcePreemptNS in runtime/proc.go).\n"+
				"Since Go 1.14 it does so by a signal, asynchronously, so even a loop with no\n"+
				"function call stops. A busy goroutine thus keeps a P for at least %s,\n"+
				"and longer by up to two of sysmon's sleeps: a mechanism, not a promise.\n",
				units.Milliseconds(run.Late), units.Milliseconds(run.Late+c.Delay), units.Milliseconds(forcePreempt), units.Milliseconds(forcePreempt))
		case run.GOMAXPROCS == 1:
			fmt.Fprintf(&b, "With one P the task (%s) ended before sysmon took the P from it (after\n"+
				"%s, forcePreemptNS): give it a larger N to see the preemption.\n", units.Milliseconds(run.Task), units.Milliseconds(forcePreempt))
		default:
			fmt.Fprintf(&b, "With %d Ps the timer's goroutine ran on an idle P (%s late): the busy\n"+
				"goroutine held up nobody. Goroutines starve each other only when every P is\n"+
				"busy.\n", run.GOMAXPROCS, units.Milliseconds(run.Late))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
