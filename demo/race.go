package demo

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for a zero RaceConfig.
const (
	DefaultGoroutines = 8
	DefaultIncrements = 100_000
	DefaultRounds     = 3
	DefaultMapWrites  = 2 * time.Second
	DefaultTimeout    = 30 * time.Second
)

// yieldEvery is how often an increment yields to the scheduler. The
// unsynchronised counter yields between its read and its write, holding a
// stale value while the other goroutines move on: that widens the window a
// preemption would otherwise hit only by chance, so updates are lost even on
// one core. The other two variants yield as often, outside their critical
// step, so the three do the same work. Every variant holds its goroutines at
// a gate until all exist: otherwise the first could finish before the last
// is started, and nothing would race at all.
const yieldEvery = 1000

// RaceConfig sets up the race demonstrations. The zero value is ready to use.
type RaceConfig struct {
	Goroutines int           // goroutines racing; 0 means DefaultGoroutines
	Increments int           // increments per goroutine; 0 means DefaultIncrements
	Rounds     int           // child processes tried for the map race; 0 means DefaultRounds
	MapWrites  time.Duration // how long each map child keeps writing; 0 means DefaultMapWrites
	Timeout    time.Duration // deadline of each child process; 0 means DefaultTimeout
	GOMAXPROCS int           // GOMAXPROCS of the children; 0 leaves it as it is
}

func (c RaceConfig) withDefaults() RaceConfig {
	c.Goroutines = cmpOr(c.Goroutines, DefaultGoroutines)
	c.Increments = cmpOr(c.Increments, DefaultIncrements)
	c.Rounds = cmpOr(c.Rounds, DefaultRounds)
	if c.MapWrites <= 0 {
		c.MapWrites = DefaultMapWrites
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

func cmpOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// MapResult is what the map demonstration saw.
type MapResult struct {
	// Triggered reports that the runtime caught the concurrent writes and
	// stopped the child.
	Triggered bool
	// Fatal is the runtime's message, "fatal error: concurrent map writes".
	Fatal string
	// Trace is the start of the child's standard error from the fatal
	// line on, without file positions: the message, the goroutine that
	// was writing and the functions it was in.
	Trace string
	// ExitCode is the last child's exit status: 2 after a fatal error, 0
	// if it wrote for its whole time without being caught.
	ExitCode int
	// Rounds is the number of children started.
	Rounds int
	// RaceDetector reports that the race detector (in a binary built with
	// -race) reported the data race in the child.
	RaceDetector bool
}

// MapWrites re-executes the current binary as children that write one map
// from several goroutines with no lock, until the runtime stops one with its
// fatal error or Rounds children have written for their whole time. The
// fatal error cannot be recovered, so it happens in a child: the caller
// reads it from the child's standard error and carries on. The binary must
// call child.RunIfChild first.
func MapWrites(ctx context.Context, cfg RaceConfig) (MapResult, error) {
	cfg = cfg.withDefaults()
	var res MapResult
	spec := fmt.Sprintf("mapwrites %d %d", cfg.Goroutines, cfg.MapWrites.Milliseconds())
	for res.Rounds < cfg.Rounds {
		res.Rounds++
		run, err := startChild(ctx, spec, childOptions{gomaxprocs: cfg.GOMAXPROCS, timeout: cfg.Timeout})
		if err != nil {
			return res, fmt.Errorf("map race, round %d: %w", res.Rounds, err)
		}
		res.ExitCode = run.exitCode
		res.RaceDetector = res.RaceDetector || strings.Contains(run.stderr, raceWarning)
		if res.Fatal = fatalError(run.stderr); res.Fatal != "" {
			res.Triggered = true
			res.Trace = traceHead(run.stderr[strings.Index(run.stderr, "fatal error:"):], 4)
			return res, nil
		}
		if !slices.Contains(run.stdout, "survived") {
			return res, fmt.Errorf("map race, round %d: child exited with status %d and no fatal error: %s",
				res.Rounds, run.exitCode, firstLines(run.stderr, 3))
		}
	}
	return res, nil
}

// raceWarning starts every report of the race detector.
const raceWarning = "WARNING: DATA RACE"

// writeMapUnsafely writes one map from several goroutines with no lock for
// at most d. It returns only if the runtime did not notice; usually it does,
// and stops the process with "fatal error: concurrent map writes".
func writeMapUnsafely(goroutines int, d time.Duration) {
	m := make(map[int]int)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-gate
			for i := 0; i%256 != 0 || time.Now().Before(deadline); i++ {
				m[g<<20|i&1023] = i // the data race: every goroutine writes m
			}
		})
	}
	close(gate)
	wg.Wait()
}

// Counter variants.
const (
	Unsynchronised = "unsynchronised"
	Mutex          = "sync.Mutex"
	Atomic         = "sync/atomic"
)

// CounterResult is one way of incrementing a shared counter.
type CounterResult struct {
	Variant  string // Unsynchronised, Mutex or Atomic
	Expected int64  // goroutines × increments
	Final    int64  // the counter at the end
	Lost     int64  // Expected - Final: increments overwritten by a stale write
	Elapsed  time.Duration
	// InChild reports that the variant ran in a child process, as the
	// unsynchronised one does so that its data race stays out of the
	// caller (and out of the caller's race detector).
	InChild bool
	// RaceDetector reports that the race detector reported the data race
	// (only a binary built with -race has one).
	RaceDetector bool
}

// Counters increments a shared counter from Goroutines goroutines,
// Increments times each, three ways: without synchronisation (in a child
// process, the binary re-executed), under a sync.Mutex, and with an atomic
// add. The binary must call child.RunIfChild first.
func Counters(ctx context.Context, cfg RaceConfig) ([]CounterResult, error) {
	cfg = cfg.withDefaults()
	expected := int64(cfg.Goroutines) * int64(cfg.Increments)
	run, err := startChild(ctx, fmt.Sprintf("counter %d %d", cfg.Goroutines, cfg.Increments),
		childOptions{gomaxprocs: cfg.GOMAXPROCS, timeout: cfg.Timeout})
	if err != nil {
		return nil, fmt.Errorf("unsynchronised counter: %w", err)
	}
	racy := CounterResult{Variant: Unsynchronised, Expected: expected, InChild: true,
		RaceDetector: strings.Contains(run.stderr, raceWarning)}
	if !parseFinal(run.stdout, &racy) {
		return nil, fmt.Errorf("unsynchronised counter: child exited with status %d without a count: %s",
			run.exitCode, firstLines(run.stderr, 3))
	}
	results := []CounterResult{racy}
	for _, v := range []struct {
		name  string
		count func(goroutines, increments int) int64
	}{{Mutex, countMutex}, {Atomic, countAtomic}} {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s counter: %w", v.name, err)
		}
		start := time.Now()
		final := v.count(cfg.Goroutines, cfg.Increments)
		results = append(results, CounterResult{Variant: v.name, Expected: expected, Final: final,
			Lost: expected - final, Elapsed: time.Since(start)})
	}
	return results, nil
}

// parseFinal reads the child's "final COUNT NANOSECONDS" line.
func parseFinal(lines []string, r *CounterResult) bool {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "final" {
			continue
		}
		final, err1 := strconv.ParseInt(f[1], 10, 64)
		ns, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		r.Final, r.Lost, r.Elapsed = final, r.Expected-final, time.Duration(ns)
		return true
	}
	return false
}

// countUnsafely is the data race: each increment reads the counter, may
// yield, and writes back what it read plus one, overwriting whatever the
// other goroutines wrote meanwhile. It returns the final count and the time
// taken, as the child's report line.
func countUnsafely(goroutines, increments int) string {
	start := time.Now()
	var n int64
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for range goroutines {
		wg.Go(func() {
			<-gate
			for i := range increments {
				v := n // read ...
				if i%yieldEvery == 0 {
					runtime.Gosched()
				}
				n = v + 1 // ... write: not one step, so not safe
			}
		})
	}
	close(gate)
	wg.Wait()
	return fmt.Sprintf("%d %d", n, time.Since(start).Nanoseconds())
}

func countMutex(goroutines, increments int) int64 {
	var (
		mu sync.Mutex
		n  int64
		wg sync.WaitGroup
	)
	gate := make(chan struct{})
	for range goroutines {
		wg.Go(func() {
			<-gate
			for i := range increments {
				if i%yieldEvery == 0 {
					runtime.Gosched()
				}
				mu.Lock()
				n++ // read and write with no other goroutine in between
				mu.Unlock()
			}
		})
	}
	close(gate)
	wg.Wait()
	return n
}

func countAtomic(goroutines, increments int) int64 {
	var (
		n  atomic.Int64
		wg sync.WaitGroup
	)
	gate := make(chan struct{})
	for range goroutines {
		wg.Go(func() {
			<-gate
			for i := range increments {
				if i%yieldEvery == 0 {
					runtime.Gosched()
				}
				n.Add(1) // one indivisible read-modify-write instruction
			}
		})
	}
	close(gate)
	wg.Wait()
	return n.Load()
}

// RaceReport is both demonstrations.
type RaceReport struct {
	Config   RaceConfig // with its defaults filled in
	Map      MapResult
	Counters []CounterResult
	// RaceBuild reports that this binary was built with -race.
	RaceBuild bool
}

// Race runs both demonstrations: the map race, then the counters.
func Race(ctx context.Context, cfg RaceConfig) (RaceReport, error) {
	cfg = cfg.withDefaults()
	rep := RaceReport{Config: cfg, RaceBuild: raceBuild}
	var err error
	if rep.Map, err = MapWrites(ctx, cfg); err != nil {
		return rep, err
	}
	if rep.Counters, err = Counters(ctx, cfg); err != nil {
		return rep, err
	}
	return rep, nil
}

// Write explains the report for a terminal.
func (r RaceReport) Write(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	m := r.Map
	fmt.Fprintf(&b, "1. A map written by %d goroutines with no lock, in a child process:\n", c.Goroutines)
	if m.Triggered {
		fmt.Fprintf(&b, "   round %d: the child died with exit status %d:\n", m.Rounds, m.ExitCode)
		for _, l := range strings.Split(m.Trace, "\n") {
			fmt.Fprintf(&b, "     | %s\n", l)
		}
		b.WriteString("   The runtime saw two writes at once and stopped the whole program: this\n" +
			"   fatal error cannot be recovered, which is why it ran in a child.\n")
	} else {
		fmt.Fprintf(&b, "   %d children wrote for %v each and the runtime never caught them (exit status %d).\n",
			m.Rounds, c.MapWrites, m.ExitCode)
		b.WriteString("   The check is best-effort: it needs two goroutines inside a map write at\n" +
			"   the same instant, which is rare on one core (GOMAXPROCS=1). The race is\n" +
			"   still there; the map may be silently corrupt.\n")
	}
	fmt.Fprintf(&b, "\n2. A counter incremented by %d goroutines, %d times each (%d expected):\n",
		c.Goroutines, c.Increments, int64(c.Goroutines)*int64(c.Increments))
	for _, cr := range r.Counters {
		fmt.Fprintf(&b, "   %-15s %12d  lost %10d (%5.1f%%)  %8.1f ms", cr.Variant, cr.Final, cr.Lost,
			100*float64(cr.Lost)/float64(max(cr.Expected, 1)), float64(cr.Elapsed)/float64(time.Millisecond))
		if cr.InChild {
			b.WriteString("  (child process)")
		}
		b.WriteByte('\n')
	}
	for _, cr := range r.Counters {
		if cr.Variant != Unsynchronised {
			continue
		}
		if cr.Lost > 0 {
			fmt.Fprintf(&b, "   The unsynchronised increments read, then wrote: a goroutine that read a\n"+
				"   stale value wrote it back and erased the others' increments. (Every %dth\n"+
				"   increment calls runtime.Gosched between its read and its write, so that a\n"+
				"   switch lands there and the loss shows on every run, on one core too.)\n", yieldEvery)
		} else {
			b.WriteString("   No increment was lost this time, yet the code is still wrong: a data race\n" +
				"   is a bug whether or not a run shows it. Run it again, or on more cores.\n")
		}
		switch {
		case cr.RaceDetector:
			b.WriteString("   The race detector (this binary was built with -race) reported it in the child.\n")
		case r.RaceBuild:
			b.WriteString("   This binary was built with -race, yet the detector did not report the child.\n")
		default:
			b.WriteString("   Build with -race (go run -race ./cmd/compare demo race) and the race\n" +
				"   detector names the two lines that race, whether or not updates were lost.\n")
		}
	}
	b.WriteString("   A sync.Mutex makes read-and-write one step for one goroutine at a time;\n" +
		"   sync/atomic does it in one instruction, without parking anybody.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// traceHead keeps the first n lines of a goroutine trace that name
// something: the message, the goroutine, the functions (not their files).
func traceHead(s string, n int) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if len(keep) == n {
			break
		}
		l, _, _ = strings.Cut(l, raceSeparator) // the race detector's, interleaved
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "\t") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}
