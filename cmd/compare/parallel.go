package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"conclab/bench"
	"conclab/internal/text"
	"conclab/internal/units"
	"conclab/iobound"
	"conclab/multiproc"
)

// compare demo parallel fills the seed's table (who decides when to switch
// tasks, and on how many processors) with figures: every model on both
// workloads, once with GOMAXPROCS=1 and once with N. The pool of goroutines
// still gains on I/O with one P, and gains on CPU only with more: waiting
// needs no processor, computing does.

// Defaults of `compare demo parallel`: a short I/O workload, so that both
// passes take about 15 s on two cores. The bounds keep a sequential I/O run
// under 8 s.
const (
	defaultParallelLatency = defaultSweepLatency
	defaultParallelRuns    = 3
	maxParallelLatency     = 50 * time.Millisecond
	maxParallelRuns        = 10
)

// defaultParallelProcs is the second pass's GOMAXPROCS: every CPU, and at
// least 2, so that there is a second column to compare with.
func defaultParallelProcs() int { return min(max(2, runtime.NumCPU()), maxGOMAXPROCS) }

// seedRow is a row of the seed's table: the Python module a model stands
// for and who decides when its tasks switch.
type seedRow struct{ python, switching string }

var (
	seedBaseline  = seedRow{"(none)", "no switching"}
	seedThreading = seedRow{"threading", "Go's scheduler (preemptive)"}
	seedAsyncio   = seedRow{"asyncio", "the task (cooperative)"}
	seedProcesses = seedRow{"multiprocessing", "the OS (preemptive)"}
)

// seedOf finds a model's row from what it declared of itself (bench.Traits)
// and ran with on the I/O workload: worker processes; one goroutine with
// many requests in flight, an event loop; one goroutine with one, the
// baseline; else a pool of goroutines.
func seedOf(io bench.Result) seedRow {
	switch {
	case io.UsesProcesses:
		return seedProcesses
	case io.OneGoroutine && io.Workers > 1:
		return seedAsyncio
	case io.OneGoroutine:
		return seedBaseline
	}
	return seedThreading
}

// parallelLesson is what the two passes measured: one report per
// GOMAXPROCS, in the order of Procs.
type parallelLesson struct {
	Procs   []int
	Reports []bench.Report
	CPUs    int
	Latency float64 // seconds per response
	Runs    int
}

// runParallel runs both workloads on every model at each GOMAXPROCS and
// prints the seed's table with what it measured.
func runParallel(ctx context.Context, o options, stdout, stderr io.Writer) int {
	lesson := parallelLesson{Procs: []int{1, o.gomaxprocs}, CPUs: runtime.NumCPU(), Latency: o.latency.Seconds(), Runs: o.runs}
	fmt.Fprintf(stderr, "demo parallel: io and cpu on every model, at GOMAXPROCS %s\n", joinInts(lesson.Procs))
	var err error
	for _, p := range lesson.Procs {
		rep := bench.NewReport()
		rep.Env.GOMAXPROCS = p
		err = measure(ctx, parallelOptions(o, p), &rep, stderr)
		if rep.IO == nil || rep.CPU == nil {
			break
		}
		lesson.Reports = append(lesson.Reports, rep)
		if err != nil {
			break
		}
	}
	var failed []string
	if len(lesson.Reports) == len(lesson.Procs) {
		err = errors.Join(err, writeParallel(stdout, lesson))
		for i, rep := range lesson.Reports {
			for _, f := range failedTasks(rep) {
				failed = append(failed, fmt.Sprintf("%s at GOMAXPROCS=%d", f, lesson.Procs[i]))
			}
		}
	}
	return exitStatus(ctx, err, failed, false, stderr)
}

// parallelOptions are compare's defaults for both workloads, every model,
// with the demo's runs and latency, at GOMAXPROCS p.
func parallelOptions(o options, p int) options {
	po := o
	po.parts = []string{subIO, subCPU}
	po.models = modelSpecs()
	po.warmup = defaultWarmup
	po.repeat = iobound.DefaultRepeat
	po.timeout = iobound.DefaultTimeout
	po.count, po.base = defaultCount, defaultBase
	po.workers = defaultWorker
	po.procs = min(multiproc.DefaultProcs(), maxProcs)
	po.conns = defaultConns
	po.gomaxprocs = p
	return po
}

// gained is the speedup from which the notes call a change a gain, not
// noise.
const gained = 1.3

// busyMachine is the share of a core below which a sequential computation
// tells that something else had the CPU.
const busyMachine = 0.8

// parallelCell is one model at one GOMAXPROCS: its speedups over sequential
// (nil where it may not be ranked) and the cores it kept busy on the sums.
type parallelCell struct {
	io, cpu *float64
	cores   float64
	workers int
}

func (l parallelLesson) cell(model string, i int) (parallelCell, bool) {
	rep := l.Reports[i]
	var c parallelCell
	found := false
	for _, r := range rep.IO.Results {
		if r.Model == model {
			c.io, found = r.Speedup, true
		}
	}
	for _, r := range rep.CPU.Results {
		if r.Model == model {
			c.cpu, found = r.Speedup, true
			c.workers = r.Workers
			if r.Seconds.Mean > 0 {
				c.cores = r.CPUSecondsPerRun / r.Seconds.Mean
			}
		}
	}
	return c, found
}

func (l parallelLesson) models() []string {
	var names []string
	for _, r := range l.Reports[0].CPU.Results {
		names = append(names, r.Model)
	}
	return names
}

// seed is the model's row of the seed's table, from the first pass.
func (l parallelLesson) seed(model string) seedRow {
	for _, r := range l.Reports[0].IO.Results {
		if r.Model == model {
			return seedOf(r)
		}
	}
	return seedRow{}
}

// cellOf is the figures of the first model of the seed's row at pass i.
func (l parallelLesson) cellOf(row seedRow, i int) (parallelCell, bool) {
	for _, m := range l.models() {
		if l.seed(m) == row {
			return l.cell(m, i)
		}
	}
	return parallelCell{}, false
}

func times(s *float64) string {
	if s == nil {
		return "—"
	}
	return fmt.Sprintf("%.2fx", *s)
}

// writeParallel prints the seed's table with the measured speedups, and what
// they show.
func writeParallel(w io.Writer, l parallelLesson) error {
	n := l.Procs[len(l.Procs)-1]
	fmt.Fprintf(w, "Concurrency is not parallelism: the seed's table, measured on %s at GOMAXPROCS 1 and %d.\n",
		units.Plural(l.CPUs, "CPU"), n)
	fmt.Fprintf(w, "io: %d GETs, %s latency each; cpu: %d sums of squares; median of %s.\n",
		l.Reports[0].IO.Requests, units.Seconds(l.Latency), len(l.Reports[0].CPU.Numbers), units.Plural(l.Runs, "run"))
	fmt.Fprintln(w, "io, cpu: speedup over sequential at the same GOMAXPROCS; cores: CPU time over wall time on the sums.")
	header := []string{"model", "in the seed", "who switches tasks", "Ps", "io", "cpu", "cores"}
	var rows [][]string
	var notes []string
	for _, m := range l.models() {
		seed := l.seed(m)
		for i, p := range l.Procs {
			c, ok := l.cell(m, i)
			if !ok {
				continue
			}
			row := []string{m, seed.python, seed.switching}
			if i > 0 {
				row = []string{"", "", ""}
			}
			rows = append(rows, append(row, strconv.Itoa(p), times(c.io), times(c.cpu), fmt.Sprintf("%.1f", c.cores)))
		}
	}
	for i, rep := range l.Reports {
		for _, part := range []struct {
			workload string
			results  []bench.Result
		}{{bench.WorkloadIO, rep.IO.Results}, {bench.WorkloadCPU, rep.CPU.Results}} {
			for _, r := range part.results {
				if err := bench.Rankable(r.Work()); err != nil {
					notes = append(notes, fmt.Sprintf("%s at GOMAXPROCS=%d: %s.", part.workload, l.Procs[i], err))
				}
			}
		}
	}
	if err := seedTable(w, header, rows); err != nil {
		return err
	}
	for _, s := range notes {
		fmt.Fprintln(w, s)
	}
	fmt.Fprintln(w)
	_, err := io.WriteString(w, wrapParagraphs(parallelNotes(l), summaryWidth))
	return err
}

// seedTable is bench.Table with the seed's words aligned left, as words
// are, and the figures right.
func seedTable(w io.Writer, header []string, rows [][]string) error {
	align := tw.Alignment{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft}
	for range header[len(align):] {
		align = append(align, tw.AlignRight)
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

// parallelNotes says what the table shows, from its figures: the sentences
// whose figures are missing (a model not run, or not ranked) are left out.
func parallelNotes(l parallelLesson) []string {
	last := len(l.Procs) - 1
	n := l.Procs[last]
	get := l.cellOf
	var out []string
	for i, p := range l.Procs {
		if sq, ok := get(seedBaseline, i); ok && sq.cores > 0 && sq.cores < busyMachine {
			out = append(out, fmt.Sprintf("Warning: at GOMAXPROCS=%d the sequential sums kept only %.1f of a core busy: "+
				"the machine was busy with other work, and the cpu figures say more about that work than about the models.", p, sq.cores))
			break
		}
	}
	if t1, ok := get(seedThreading, 0); ok && t1.io != nil {
		s := fmt.Sprintf("Concurrency without parallelism: with one P the pool of goroutines ran the GETs %s faster than sequential", times(t1.io))
		if *t1.io < gained {
			s = fmt.Sprintf("With one P the pool of goroutines ran the GETs only %s faster than sequential: this run shows no concurrency to speak of", times(t1.io))
		}
		if tn, ok := get(seedThreading, last); ok && tn.io != nil {
			s += fmt.Sprintf(" (%s with %d)", times(tn.io), n)
		}
		if *t1.io >= gained {
			s += ". A goroutine waiting for a response holds no P, so all of them waited at once on one"
		}
		if e1, ok := get(seedAsyncio, 0); ok && e1.io != nil {
			s += fmt.Sprintf("; the event loop, one goroutine, ran them %s faster", times(e1.io))
		}
		out = append(out, s+".")
	}
	t1, ok1 := get(seedThreading, 0)
	tn, okn := get(seedThreading, last)
	switch {
	case !ok1 || !okn || t1.cpu == nil || tn.cpu == nil:
	case *tn.cpu >= gained && *tn.cpu >= *t1.cpu*gained && tn.cores >= gained:
		out = append(out, fmt.Sprintf("Parallelism needs processors: on the sums the same pool ran %s with one P (%.1f core busy) "+
			"and %s with %d (%.1f cores): a P runs one goroutine at a time, so only a second P computes a second sum at once.",
			times(t1.cpu), t1.cores, times(tn.cpu), n, tn.cores))
	default:
		out = append(out, fmt.Sprintf("On the sums the pool ran %s with one P and %s with %d, %.1f cores busy: "+
			"a second P did not compute a second sum at once here, so the other CPUs were busy with other work (compare the cores column with the CPUs). "+
			"On an idle machine the pool gains about %dx with %d Ps.",
			times(t1.cpu), times(tn.cpu), n, tn.cores, min(n, l.CPUs), n))
	}
	if en, ok := get(seedAsyncio, last); ok && en.cpu != nil {
		s := "The event loop is one goroutine whatever GOMAXPROCS, so it computes on one core at a time"
		if *en.cpu < gained {
			s += fmt.Sprintf(": %s on the sums with %d Ps, %.1f core busy", times(en.cpu), n, en.cores)
		}
		out = append(out, s+". Its tasks switch only where a task chooses to (an await), so it overlaps waits, never computations.")
	}
	if m1, ok := get(seedProcesses, 0); ok && m1.cpu != nil {
		s := fmt.Sprintf("The %d worker processes had one P each under GOMAXPROCS=1 and still kept %.1f cores busy (%s): "+
			"the OS runs processes on every CPU, whatever GOMAXPROCS says inside each. Python needs processes for that; Go's goroutines get it from GOMAXPROCS.",
			m1.workers, m1.cores, times(m1.cpu))
		if m1.cores < gained {
			s = fmt.Sprintf("The %d worker processes had one P each under GOMAXPROCS=1 and kept %.1f cores busy here (%s). "+
				"The OS may run processes on every CPU whatever GOMAXPROCS says inside each, but in this run they did not use more than one.",
				m1.workers, m1.cores, times(m1.cpu))
		}
		out = append(out, s)
	}
	out = append(out, "In the seed (Python) threading and asyncio run on one processor, threading because of the GIL, "+
		"and multiprocessing on many. Goroutines are threading's row with every processor.")
	return out
}

// wrapParagraphs wraps each paragraph to width columns, a blank line between
// two.
func wrapParagraphs(paras []string, width int) string {
	var b strings.Builder
	for i, p := range paras {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(text.Wrap(p, width, "") + "\n")
	}
	return b.String()
}

// parallelFlags are the flags of `compare demo parallel`.
func parallelFlags(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.runs, "runs", defaultParallelRuns, 1, maxParallelRuns, "measured runs per model at each GOMAXPROCS, after one warm-up")
	durationVar(fs, &r.latency, "latency", defaultParallelLatency, 0, maxParallelLatency, "the embedded server's wait before each response")
	intVar(fs, &r.gomaxprocs, "gomaxprocs", defaultParallelProcs(), 2, maxGOMAXPROCS,
		"the second pass's GOMAXPROCS (the first has 1), worker processes included; the embedded server keeps its own")
}
