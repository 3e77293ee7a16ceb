package demo

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"conclab/eventloop"
	"conclab/iobound"
)

// Defaults for a zero NoLocksConfig.
const (
	DefaultTasks   = 8
	DefaultUpdates = 10_000
)

// timerEvery is how often a task on the loop waits on a timer rather than
// handing the loop straight back: every 100th update, as a coroutine that
// mostly awaits quick things and now and then a slow one. The timers' delays
// differ by task, so tasks come back in a different order from the one in
// which they left, and the interleaving is not a simple round robin.
const timerEvery = 100

// NoLocksConfig sets up the NoLocks demonstration. The zero value is ready
// to use.
type NoLocksConfig struct {
	Tasks   int           // tasks sharing the state; 0 means DefaultTasks
	Updates int           // updates each task makes; 0 means DefaultUpdates
	Timeout time.Duration // deadline of the pool's child process; 0 means DefaultTimeout
	// GOMAXPROCS of the pool's child. 0 means 1: the one processor the
	// event loop uses, so that the comparison is cooperative against
	// preemptive switching and nothing else. With more, two goroutines may
	// also write the map at the same instant, and the runtime stop the
	// child with "fatal error: concurrent map writes".
	GOMAXPROCS int
}

func (c NoLocksConfig) withDefaults() NoLocksConfig {
	c.Tasks = cmpOr(c.Tasks, DefaultTasks)
	c.Updates = cmpOr(c.Updates, DefaultUpdates)
	c.GOMAXPROCS = cmpOr(c.GOMAXPROCS, 1)
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Where the tasks ran, the Variant of a TallyResult.
const (
	// LoopBetweenAwaits is the event loop, each update made between two
	// awaits: read and write in one callback.
	LoopBetweenAwaits = "event loop, update between awaits"
	// LoopAwaitInside is the event loop with an await between an update's
	// read and its write: the write is a later callback.
	LoopAwaitInside = "event loop, await inside the update"
	// Goroutines is one goroutine per task, in a child process.
	Goroutines = "goroutines"
)

// TallyResult is what the shared state held after one way of running the
// tasks.
type TallyResult struct {
	Variant  string // LoopBetweenAwaits, LoopAwaitInside or Goroutines
	Expected int    // tasks × updates
	Count    int    // the shared counter at the end
	Mapped   int    // the sum of the shared map's values at the end
	// InChild reports that the tasks ran in a child process (Goroutines),
	// with GOMAXPROCS set to GOMAXPROCS.
	InChild    bool
	GOMAXPROCS int
	// Fatal is the runtime's message when it stopped the child instead
	// ("fatal error: concurrent map writes", or "concurrent map read and
	// map write"); Count and Mapped are then 0.
	Fatal string
	// RaceDetector reports that the race detector reported the child.
	RaceDetector bool
}

// LostCount is how many increments of the counter were overwritten.
func (r TallyResult) LostCount() int { return r.Expected - r.Count }

// LostMapped is how many increments of the map were overwritten.
func (r TallyResult) LostMapped() int { return r.Expected - r.Mapped }

// NoLocksReport is the NoLocks demonstration.
type NoLocksReport struct {
	Config  NoLocksConfig // with its defaults filled in
	Results []TallyResult // LoopBetweenAwaits, LoopAwaitInside, Goroutines
	// RaceBuild reports that this binary was built with -race, so that the
	// loop's tasks ran in this process under the race detector.
	RaceBuild bool
}

// NoLocks runs the same tasks three ways, each sharing a counter and a map
// with no lock: on an event loop, updating between awaits; on an event loop
// with an await inside each update; and on goroutines, in a child process
// (the binary re-executed: it must call child.RunIfChild first), so that
// their data race stays out of the caller.
func NoLocks(ctx context.Context, cfg NoLocksConfig) (NoLocksReport, error) {
	cfg = cfg.withDefaults()
	rep := NoLocksReport{Config: cfg, RaceBuild: raceBuild}
	expected := cfg.Tasks * cfg.Updates
	for _, v := range []struct {
		name        string
		awaitInside bool
	}{{LoopBetweenAwaits, false}, {LoopAwaitInside, true}} {
		t, err := loopTally(ctx, cfg.Tasks, cfg.Updates, v.awaitInside)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", v.name, err)
		}
		rep.Results = append(rep.Results, TallyResult{Variant: v.name, Expected: expected, Count: t.count, Mapped: t.mapped()})
	}
	run, err := startChild(ctx, fmt.Sprintf("nolock %d %d", cfg.Tasks, cfg.Updates),
		childOptions{gomaxprocs: cfg.GOMAXPROCS, timeout: cfg.Timeout})
	if err != nil {
		return rep, fmt.Errorf("%s: %w", Goroutines, err)
	}
	pool := TallyResult{Variant: Goroutines, Expected: expected, InChild: true, GOMAXPROCS: cfg.GOMAXPROCS,
		RaceDetector: strings.Contains(run.stderr, raceWarning)}
	if pool.Fatal = fatalError(run.stderr); pool.Fatal == "" && !parseTally(run.stdout, &pool) {
		return rep, fmt.Errorf("%s: child exited with status %d without a tally: %s",
			Goroutines, run.exitCode, firstLines(run.stderr, 3))
	}
	rep.Results = append(rep.Results, pool)
	return rep, nil
}

// tally is the state the tasks share with no lock: how many updates they
// made in all, and per site, as a downloader's tasks would count responses.
type tally struct {
	count  int
	bySite map[string]int
}

// newTally starts both sites at zero, so that no update allocates. A
// goroutine can be switched out in the middle of a map write wherever the
// write calls into the runtime (an allocation, a call that honours a
// pending preemption request), and another goroutine writing the map then
// makes the runtime stop the program. With no allocation that is rare on
// one processor, and the goroutines mostly just lose updates, as Python's
// threads would.
func newTally() *tally {
	return &tally{bySite: map[string]int{iobound.PathBig: 0, iobound.PathSmall: 0}}
}

// snapshot is what an update read, to write back one higher.
type snapshot struct{ count, site int }

// read and write are the two halves of one update. Whether anything else
// can run between them is the whole lesson: on the loop, only at an await;
// on goroutines, at any instruction.
func (t *tally) read(site string) snapshot { return snapshot{t.count, t.bySite[site]} }

func (t *tally) write(site string, s snapshot) {
	t.count = s.count + 1
	t.bySite[site] = s.site + 1
}

func (t *tally) mapped() int {
	n := 0
	for _, v := range t.bySite {
		n += v
	}
	return n
}

// siteOf is the site a task counts its updates under.
func siteOf(task int) string {
	if task%2 == 0 {
		return iobound.PathBig
	}
	return iobound.PathSmall
}

// loopTally runs the tasks on a fresh event loop. Each task is a chain of
// callbacks, one per update; between two updates it hands the loop back,
// as a coroutine does at an await: mostly with CallSoon (asyncio's
// sleep(0)), every timerEvery-th time on a timer. With awaitInside, it also
// awaits between an update's read and its write: the write is a callback
// of its own, and the other tasks run first.
func loopTally(ctx context.Context, tasks, updates int, awaitInside bool) (*tally, error) {
	loop, err := eventloop.New()
	if err != nil {
		return nil, err
	}
	defer loop.Close()
	t := newTally()
	for task := range tasks {
		site := siteOf(task)
		made := 0
		var update func()
		awaitNext := func() {
			if made++; made == updates {
				return // the task is done
			}
			if made%timerEvery == 0 {
				loop.CallLater(time.Duration(task%4)*50*time.Microsecond, update)
			} else {
				loop.CallSoon(update)
			}
		}
		update = func() {
			s := t.read(site)
			if awaitInside {
				loop.CallSoon(func() { // the await: everyone else runs first
					t.write(site, s)
					awaitNext()
				})
				return
			}
			t.write(site, s) // no await since the read: nothing else ran
			awaitNext()
		}
		loop.CallSoon(update)
	}
	if err := loop.Run(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// tallyOnPool runs the same updates on one goroutine per task and returns
// the child's report, "COUNT MAPPED". Every yieldEvery-th update yields
// between its read and its write: a switch the scheduler could make at any
// instruction is made there, where it costs updates, so the loss shows on
// every run, on one processor too. The gate holds the goroutines until all
// exist, so that they overlap.
func tallyOnPool(tasks, updates int) string {
	t := newTally()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for task := range tasks {
		site := siteOf(task)
		wg.Go(func() {
			<-gate
			for i := range updates {
				s := t.read(site) // the data race: every goroutine reads and writes t
				if i%yieldEvery == 0 {
					runtime.Gosched()
				}
				t.write(site, s)
			}
		})
	}
	close(gate)
	wg.Wait()
	return fmt.Sprintf("%d %d", t.count, t.mapped())
}

// parseTally reads the child's "tally COUNT MAPPED" line.
func parseTally(lines []string, r *TallyResult) bool {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "tally" {
			continue
		}
		count, err1 := strconv.Atoi(f[1])
		mapped, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			return false
		}
		r.Count, r.Mapped = count, mapped
		return true
	}
	return false
}

// Write explains the report for a terminal.
func (r NoLocksReport) Write(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "%d tasks share a counter and a map (updates per site) with no lock, and each\n"+
		"makes %d updates (%d expected). An update reads both, then writes\n"+
		"both back one higher.\n\n",
		c.Tasks, c.Updates, c.Tasks*c.Updates)
	fmt.Fprintf(&b, "  %-38s %9s %9s %9s %9s\n", "where the tasks ran", "counter", "lost", "map", "lost")
	for _, t := range r.Results {
		name := t.Variant
		if t.InChild {
			name = fmt.Sprintf("%s, GOMAXPROCS=%d (child)", name, t.GOMAXPROCS)
		}
		if t.Fatal != "" {
			fmt.Fprintf(&b, "  %-38s stopped by the runtime: %s\n", name, t.Fatal)
			continue
		}
		fmt.Fprintf(&b, "  %-38s %9d %9d %9d %9d\n", name, t.Count, t.LostCount(), t.Mapped, t.LostMapped())
	}
	for _, t := range r.Results {
		b.WriteString("\n")
		lost := t.LostCount() > 0 || t.LostMapped() > 0 || t.Fatal != ""
		switch {
		case t.Variant == LoopBetweenAwaits && !lost:
			b.WriteString("On the event loop every callback runs to its end before the next one starts,\n" +
				"all on one goroutine: between two awaits a task has the state to itself, so no\n" +
				"update was lost. That is why asyncio code needs no lock for state it reads and\n" +
				"writes between two awaits.")
			if r.RaceBuild {
				b.WriteString(" This binary was built with -race: the detector watched the\n" +
					"loop in this process and had nothing to report, since one goroutine made every access.")
			}
			b.WriteString("\n")
		case t.Variant == LoopBetweenAwaits:
			fmt.Fprintf(&b, "The loop lost updates between awaits (%d and %d), which one goroutine\n"+
				"running one callback at a time cannot do: this is a bug in the demonstration.\n",
				t.LostCount(), t.LostMapped())
		case t.Variant == LoopAwaitInside && lost:
			b.WriteString("An await between the read and the write gives that up: the other tasks ran at\n" +
				"the await, and the write put back a count that was stale by then. Updates were\n" +
				"lost on one goroutine, with no data race at all. State held across an await\n" +
				"needs asyncio.Lock, or no await inside the update.\n")
		case t.Variant == LoopAwaitInside:
			b.WriteString("The await inside the update lost nothing this time, but only because no other\n" +
				"task ran at it.\n")
		case t.Variant == Goroutines && t.Fatal != "":
			fmt.Fprintf(&b, "The goroutines ran the same update with no lock, %s: two of\n"+
				"them were inside the map at the same time, one writing, and the runtime stopped\n"+
				"the whole child (a fatal error, not a panic). The counter's lost updates are\n"+
				"silent; the map's corruption is caught, when two writes overlap.\n", processors(t.GOMAXPROCS))
		case t.Variant == Goroutines && lost:
			fmt.Fprintf(&b, "The goroutines ran the same update with no lock, %s.\n"+
				"The scheduler may switch goroutines between any two instructions; here a\n"+
				"runtime.Gosched between the read and the write, every %dth update, makes a\n"+
				"switch happen exactly there, so that the loss shows on every run: a goroutine\n"+
				"wrote back a stale count over the others' updates. Goroutines need a\n"+
				"sync.Mutex (or sync/atomic) for this, on one processor as on many.\n",
				processors(t.GOMAXPROCS), yieldEvery)
		case t.Variant == Goroutines:
			b.WriteString("The goroutines lost nothing this time, yet the code is still wrong: a data race\n" +
				"is a bug whether or not a run shows it.\n")
		}
		if t.Variant != Goroutines {
			continue
		}
		switch {
		case t.RaceDetector:
			b.WriteString("The race detector (this binary was built with -race) reported it in the child.\n")
		case !r.RaceBuild:
			b.WriteString("Build with -race and the race detector reports the goroutines' version,\n" +
				"and has nothing to say about the loop's.\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// processors says where the goroutines ran.
func processors(n int) string {
	if n == 1 {
		return "on one processor as the loop"
	}
	return fmt.Sprintf("on %d processors", n)
}
