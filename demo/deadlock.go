package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"conclab/internal/units"
)

// DefaultPatience is how long a zero DeadlockConfig's watchdog lets a child
// go on once it has reached the point where it should be stuck.
const DefaultPatience = time.Second

// The lines a deadlock child writes when it reaches its point: the
// watchdog's patience starts there, not at the child's start, so that a
// slow start on a busy machine is not taken for a hang.
const (
	inversionArmed = "A holds m1 and wants m2; B holds m2 and wants m1"
	asleepArmed    = "main waits on a channel nobody sends on"
)

// DeadlockConfig sets up the Deadlock demonstration. The zero value is
// ready to use.
type DeadlockConfig struct {
	// Patience is the watchdog's: how long a child may go on once it
	// should be stuck before it is declared hung and sent SIGQUIT. 0 means
	// DefaultPatience.
	Patience time.Duration
	// Timeout bounds each child; 0 means DefaultTimeout.
	Timeout time.Duration
}

func (c DeadlockConfig) withDefaults() DeadlockConfig {
	if c.Patience <= 0 {
		c.Patience = DefaultPatience
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// DeadlockRun is how one child ended.
type DeadlockRun struct {
	// Quit reports that the watchdog ran out of patience and sent the
	// child SIGQUIT: it was hung, and the runtime had not said so.
	Quit bool
	// Fatal is the runtime's message when it stopped the child itself:
	// "fatal error: all goroutines are asleep - deadlock!".
	Fatal    string
	ExitCode int
	// Stacks are the goroutines that show the deadlock, trimmed to the
	// frames from where each waits out to the demonstration's function.
	Stacks []Goroutine
}

// DeadlockReport is the Deadlock demonstration.
type DeadlockReport struct {
	Config DeadlockConfig // with its defaults filled in
	// Inversion is the lock-order inversion between two goroutines, found
	// by the watchdog.
	Inversion DeadlockRun
	// Asleep is the main goroutine waiting on a channel nobody sends on,
	// and nothing else alive: the runtime finds it.
	Asleep DeadlockRun
	// AsleepWithTimer is the same wait with a timer pending: the runtime
	// cannot tell, and the watchdog finds it.
	AsleepWithTimer DeadlockRun
	// CanQuit reports that a child can be sent SIGQUIT for its stacks
	// (not on Windows, where a hung child is only killed).
	CanQuit bool
	// Cgo reports that this binary was built with CGO_ENABLED=1. Package
	// net then links the C resolver, and in a program that can call C the
	// runtime never reports "all goroutines are asleep": C code could call
	// back into Go and wake one.
	Cgo bool
}

// Deadlock runs three children that never finish: two goroutines taking
// two locks in opposite orders, then the main goroutine waiting on a
// channel nobody sends on, alone and then with a timer pending. It shows
// who found each hang, the runtime or a watchdog (a timeout, then SIGQUIT
// for the stacks), and the stacks that show it. The binary must call
// child.RunIfChild first.
func Deadlock(ctx context.Context, cfg DeadlockConfig) (DeadlockReport, error) {
	cfg = cfg.withDefaults()
	rep := DeadlockReport{Config: cfg, CanQuit: canQuit, Cgo: cgoBuild()}
	holdMs := cfg.Timeout.Milliseconds()
	for _, c := range []struct {
		run   *DeadlockRun
		spec  string
		armed string
		funcs []string
	}{
		{&rep.Inversion, fmt.Sprintf("lockorder %d", holdMs), inversionArmed, []string{funcOf(lockM1ThenM2), funcOf(lockM2ThenM1)}},
		{&rep.Asleep, "asleep", asleepArmed, []string{funcOf(waitForNobody)}},
		{&rep.AsleepWithTimer, fmt.Sprintf("asleep-timer %d", holdMs), asleepArmed, []string{funcOf(waitForNobodyWithTimer)}},
	} {
		run, err := startChild(ctx, c.spec, childOptions{timeout: cfg.Timeout, armLine: c.armed, patience: cfg.Patience})
		if err != nil {
			return rep, fmt.Errorf("deadlock child %q: %w", c.spec, err)
		}
		*c.run = DeadlockRun{Quit: run.quit, ExitCode: run.exitCode}
		c.run.Fatal = fatalError(run.stderr)
		for _, g := range parseStacks(run.stderr) {
			if _, ok := g.in(c.funcs...); ok {
				c.run.Stacks = append(c.run.Stacks, g.trimmed(c.funcs...))
			}
		}
	}
	return rep, nil
}

// invertLocks is the lock-order inversion. A locks m1 then m2, B locks m2
// then m1; the handshake makes each take its first lock before either
// tries its second, so the inversion happens on every run, not only when
// the scheduler happens to interleave them so. The main goroutine then
// waits for both with a deadline of hold, as a server's request handler
// would: that pending timer is enough for the runtime not to call it a
// deadlock, so only a watchdog outside can.
func invertLocks(out io.Writer, hold time.Duration) int {
	var m1, m2 sync.Mutex
	aHolds, bHolds := make(chan struct{}), make(chan struct{})
	done := make(chan struct{}, 2)
	go lockM1ThenM2(&m1, &m2, aHolds, bHolds, done)
	go lockM2ThenM1(&m1, &m2, bHolds, aHolds, done)
	<-aHolds
	<-bHolds
	fmt.Fprintln(out, inversionArmed)
	deadline := time.After(hold)
	for range 2 {
		select {
		case <-done:
		case <-deadline:
			fmt.Fprintln(out, "gave up")
			return 3
		}
	}
	fmt.Fprintln(out, "both finished") // never: each waits for the other's lock
	return 0
}

// lockM1ThenM2 is goroutine A: it holds m1, tells B, waits until B holds
// m2, and then wants m2.
func lockM1ThenM2(m1, m2 *sync.Mutex, iHold chan<- struct{}, otherHolds <-chan struct{}, done chan<- struct{}) {
	m1.Lock()
	defer m1.Unlock()
	close(iHold)
	<-otherHolds
	m2.Lock() // waits for B, which waits for us
	defer m2.Unlock()
	done <- struct{}{}
}

// lockM2ThenM1 is goroutine B: the same two locks, in the other order.
func lockM2ThenM1(m1, m2 *sync.Mutex, iHold chan<- struct{}, otherHolds <-chan struct{}, done chan<- struct{}) {
	m2.Lock()
	defer m2.Unlock()
	close(iHold)
	<-otherHolds
	m1.Lock() // waits for A, which waits for us
	defer m1.Unlock()
	done <- struct{}{}
}

// waitForNobody receives on a channel nobody sends on, with no other
// goroutine and no timer in the program: the runtime sees that nothing can
// ever wake it and stops the program with "fatal error: all goroutines are
// asleep - deadlock!". It never returns.
func waitForNobody(out io.Writer) int {
	nobody := make(chan struct{})
	fmt.Fprintln(out, asleepArmed)
	<-nobody
	return 0
}

// waitForNobodyWithTimer is the same wait with one timer pending, as a
// server always has one (an idle-connection reaper, a ticker, a deadline).
// The timer could wake a goroutine, so the runtime cannot call this a
// deadlock; the child hangs until the watchdog outside stops it, or its
// own timer ends it after hold.
func waitForNobodyWithTimer(out io.Writer, hold time.Duration) int {
	t := time.AfterFunc(hold, func() {
		fmt.Fprintln(out, "gave up")
		os.Exit(3)
	})
	defer t.Stop()
	nobody := make(chan struct{})
	fmt.Fprintln(out, asleepArmed)
	<-nobody
	return 0
}

// Write explains the report for a terminal.
func (r DeadlockReport) Write(w io.Writer) error {
	var b strings.Builder
	p := units.Milliseconds(r.Config.Patience)
	b.WriteString("1. A lock-order inversion: goroutine A locks m1 then m2, goroutine B locks m2\n" +
		"   then m1, in a child process. A handshake makes both take their first lock\n" +
		"   before either tries its second.\n")
	writeHang(&b, r.Inversion, p, r.CanQuit)
	if len(r.Inversion.Stacks) > 0 {
		b.WriteString("   Each waits in Lock for the mutex the other holds, and neither will ever\n" +
			"   unlock: the stacks name the two functions and the lines of their second Lock.\n" +
			"   The cure is one lock order for the whole program (m1 before m2, everywhere),\n" +
			"   or one lock where two were.\n")
	}
	b.WriteString("\n2. The main goroutine receives on a channel nobody sends on, and nothing else\n" +
		"   is alive, in a child process:\n")
	a := r.Asleep
	switch {
	case a.Fatal != "":
		fmt.Fprintf(&b, "   the runtime stopped it at once, exit status %d:\n     | %s\n", a.ExitCode, a.Fatal)
		writeStacks(&b, a.Stacks)
	case r.Cgo:
		writeHang(&b, a, p, r.CanQuit)
		b.WriteString("   The runtime did not call it a deadlock: this binary was built with cgo\n" +
			"   (CGO_ENABLED=1, and package net links the C resolver). In a program that can\n" +
			"   call C the runtime never does, since C code could call back into Go and wake\n" +
			"   a goroutine (golang/go#25538). Built with CGO_ENABLED=0, the same child gets\n" +
			"   Go's own \"fatal error: all goroutines are asleep - deadlock!\".\n")
	default:
		writeHang(&b, a, p, r.CanQuit)
		b.WriteString("   The runtime did not call it a deadlock: something in this binary (a timer,\n" +
			"   a goroutine in a system call) could still wake a goroutine.\n")
	}
	b.WriteString("\n3. The same wait with one timer pending (a server always has one):\n")
	writeHang(&b, r.AsleepWithTimer, p, r.CanQuit)
	b.WriteString("\nThe runtime reports \"all goroutines are asleep\" only when no goroutine can run\n" +
		"and nothing could wake one: no thread running Go code, in a system call or\n" +
		"waiting in the network poller, no timer pending, and no cgo. A real server always\n" +
		"has a listener in the poller, timers, a signal handler: its deadlocked goroutines\n" +
		"just stop, and the process stays up. Find them as here: a timeout that notices no\n" +
		"progress, then the goroutines' stacks (SIGQUIT, or /debug/pprof/goroutine?debug=2\n" +
		"from net/http/pprof), and look for goroutines waiting in Lock or on a channel.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// cgoBuild reports that this binary was built with CGO_ENABLED=1, as its
// build information records.
func cgoBuild() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" {
			return s.Value == "1"
		}
	}
	return false
}

// writeHang says how a child that should hang ended, and shows its stacks.
func writeHang(b *strings.Builder, run DeadlockRun, patience string, canQuit bool) {
	switch {
	case run.Fatal != "":
		fmt.Fprintf(b, "   the runtime stopped it, exit status %d:\n     | %s\n", run.ExitCode, run.Fatal)
	case run.Quit && canQuit:
		fmt.Fprintf(b, "   no progress %s after it should have stopped: the watchdog sent SIGQUIT,\n"+
			"   and the runtime printed every goroutine's stack and exited with status %d.\n", patience, run.ExitCode)
	case run.Quit:
		fmt.Fprintf(b, "   no progress %s after it should have stopped: the watchdog killed it\n"+
			"   (no SIGQUIT here, so no stacks).\n", patience)
	default:
		fmt.Fprintf(b, "   it ended on its own, exit status %d: it was not stuck after all.\n", run.ExitCode)
	}
	writeStacks(b, run.Stacks)
}

// writeStacks prints trimmed stacks as the runtime does, without the
// arguments and the directories.
func writeStacks(b *strings.Builder, stacks []Goroutine) {
	for _, g := range stacks {
		fmt.Fprintf(b, "     | goroutine %d [%s]:\n", g.ID, g.State)
		for _, f := range g.Frames {
			fmt.Fprintf(b, "     |   %s  %s\n", f.Func, f.Pos)
		}
	}
}
