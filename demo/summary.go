package demo

import (
	"fmt"
	"io"
	"strings"

	"conclab/bench"
	"conclab/internal/text"
)

// workloads is what the summary reads of a report: the harness's results
// of each workload, and the machine. Zero means unknown for every figure
// of a result but Failed; Tasks and Failed decide whether a model is
// ranked at all (bench.Comparable, the predicate every ranking goes
// through, sees them).
type workloads struct {
	IO, CPU    []bench.Result
	CPUs       int // logical CPUs; 0 if unknown
	GOMAXPROCS int // the models' GOMAXPROCS; 0 if unknown
}

func workloadsOf(rep bench.Report) workloads {
	m := workloads{CPUs: rep.Env.CPUs, GOMAXPROCS: rep.Env.GOMAXPROCS}
	if rep.IO != nil {
		m.IO = rep.IO.Results
	}
	if rep.CPU != nil {
		m.CPU = rep.CPU.Results
	}
	return m
}

// Summary turns the harness's report into a few sentences that tell a
// student which model to reach for: "I/O-bound: ...", "CPU-bound: ...",
// "Memory: ...", and a rule of thumb. Every claim is derived from the figures given,
// so a run on another machine, or with GOMAXPROCS=1, says something else.
// A model that failed tasks is named with the reason, and never ranked:
// every comparison of two models (fastest, "took 13× the loop's time", the
// memory line) needs bench.Comparable to agree. It returns nil when there is
// nothing to summarise.
func Summary(rep bench.Report) []string {
	m := workloadsOf(rep)
	var lines []string
	if l := ioLine(m); l != "" {
		lines = append(lines, l)
	}
	if l := cpuLine(m); l != "" {
		lines = append(lines, l)
	}
	if l := memoryLine(m); l != "" {
		lines = append(lines, l)
	}
	if len(lines) > 0 {
		lines = append(lines, ruleOfThumb(m))
	}
	return lines
}

// WriteSummary writes Summary's sentences as paragraphs wrapped at width
// columns (72 if width is zero or less).
func WriteSummary(w io.Writer, rep bench.Report, width int) error {
	if width <= 0 {
		width = 72
	}
	paras := Summary(rep)
	for i, p := range paras {
		paras[i] = text.Wrap(p, width, "")
	}
	if len(paras) == 0 {
		return nil
	}
	_, err := io.WriteString(w, strings.Join(paras, "\n\n")+"\n")
	return err
}

// parallel is the share of a core beyond one that counts as running in
// parallel, and the speedup that counts as a real gain: below it the
// difference is within what a noisy machine does between runs.
const parallel = 1.3

func ioLine(m workloads) string {
	if len(measured(m.IO)) == 0 {
		return ""
	}
	best, ok := fastest(m.IO)
	if !ok {
		return "I/O-bound: no model completed every task, so none is ranked." + failures(m.IO)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "I/O-bound: %s was fastest (%s%s).", best.Model, seconds(best.Seconds.Median), times(speedup(best), " sequential"))
	ioCPU := meanCPU(m.IO)
	top, haveCPU := busiest(m.CPU)
	light := ioCPU > 0 && (ioCPU < 0.5 || (haveCPU && ioCPU < cores(top)/3))
	switch {
	case ioCPU <= 0:
	case light && haveCPU:
		fmt.Fprintf(&b, " The io runs kept %.2f cores busy on average, against %.2f for %s on the cpu job: the time went to waiting, not computing.", ioCPU, cores(top), top.Model)
	case light:
		fmt.Fprintf(&b, " The io runs kept %.2f cores busy on average: the time went to waiting, not computing.", ioCPU)
	default:
		fmt.Fprintf(&b, " The io runs kept %.2f cores busy on average: not CPU-light, so parsing and copying matter here as well as waiting.", ioCPU)
	}
	loop, haveLoop := loopOf(m.IO)
	pool, havePool := poolOf(m.IO)
	if light {
		b.WriteString(" Overlap the waits: one event loop when you can, a pool of goroutines when the code must block.")
	}
	if haveLoop && havePool && comparable(loop, pool) && loop.Seconds.Median > 0 && pool.Seconds.Median > 0 {
		r := pool.Seconds.Median / loop.Seconds.Median
		switch {
		case r > parallel && pool.Workers > 0 && loop.Workers > pool.Workers:
			fmt.Fprintf(&b, " The pool took %.1f× the loop's time: it had %d requests in flight, the loop %d.", r, pool.Workers, loop.Workers)
		case r > parallel:
			fmt.Fprintf(&b, " The pool took %.1f× the loop's time.", r)
		case r < 1/parallel:
			fmt.Fprintf(&b, " The loop took %.1f× the pool's time.", 1/r)
		default:
			b.WriteString(" The pool and the loop were within 30% of each other.")
		}
	}
	if mp, ok := processesOf(m.IO); ok && mp.Model != best.Model && comparable(mp, best) && mp.Seconds.Median > best.Seconds.Median*parallel {
		fmt.Fprintf(&b, " Processes took %.1f× the fastest: start-up and messages cost, and buy nothing for waiting.", mp.Seconds.Median/best.Seconds.Median)
	}
	b.WriteString(failures(m.IO))
	return b.String()
}

func cpuLine(m workloads) string {
	if len(measured(m.CPU)) == 0 {
		return ""
	}
	best, ok := fastest(m.CPU)
	if !ok {
		return "CPU-bound: no model completed every task, so none is ranked." + failures(m.CPU)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CPU-bound: %s was fastest (%s%s", best.Model, seconds(best.Seconds.Median), times(speedup(best), " sequential"))
	if cores(best) > 0 {
		fmt.Fprintf(&b, ", %.1f cores busy", cores(best))
		if m.CPUs > 0 {
			fmt.Fprintf(&b, " of %d", m.CPUs)
		}
	}
	b.WriteString(").")
	// A pool that failed tasks teaches nothing about parallelism: it is left
	// out of every sentence below.
	pool, havePool := poolOf(m.CPU)
	havePool = havePool && rankable(pool)
	poolParallel := havePool && (cores(pool) > parallel || speedup(pool) > parallel)
	switch {
	case poolParallel && best.Model == pool.Model:
		b.WriteString(" Its goroutines ran the sums in parallel: Go has no GIL, so goroutines are enough for CPU work; Python needs processes here.")
	case poolParallel:
		fmt.Fprintf(&b, " The pool of goroutines ran the sums in parallel (%s): Go has no GIL, so goroutines are enough for CPU work; Python needs processes here.", gain(pool))
	case havePool && m.GOMAXPROCS == 1:
		fmt.Fprintf(&b, " With GOMAXPROCS=1 the pool of goroutines used one core (%s): that is all Python's GIL leaves to threads.", gain(pool))
	case havePool:
		fmt.Fprintf(&b, " The pool of goroutines gained nothing (%s): no core was free to run a second goroutine.", gain(pool))
	}
	if mp, ok := processesOf(m.CPU); ok && havePool && comparable(mp, pool) && mp.Seconds.Median > 0 && pool.Seconds.Median > 0 {
		r := mp.Seconds.Median / pool.Seconds.Median
		switch {
		case poolParallel && r >= 1/1.1:
			fmt.Fprintf(&b, " Processes took %.2f× the pool's time: in Go they buy isolation (a crash or a leak stays in its process), not speed.", r)
		case r < 1/parallel:
			fmt.Fprintf(&b, " Processes took %.2f× the pool's time: separate processes escaped what held the goroutines back.", r)
		default:
			fmt.Fprintf(&b, " Processes took %.2f× the pool's time.", r)
		}
	}
	if loop, ok := loopOf(m.CPU); ok && rankable(loop) && speedup(loop) > 0 && speedup(loop) < parallel {
		fmt.Fprintf(&b, " The event loop ran them on one goroutine (%.1f×): cooperative tasks take turns and never compute in parallel, and one that never yields holds up the rest.", speedup(loop))
	}
	b.WriteString(failures(m.CPU))
	return b.String()
}

func memoryLine(m workloads) string {
	loop, ok1 := loopOf(m.IO)
	pool, ok2 := poolOf(m.IO)
	if !ok1 || !ok2 || !comparable(loop, pool) || loop.PeakGoroutines <= 0 || pool.PeakGoroutines <= 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Memory: ")
	if loop.Tasks > 0 {
		fmt.Fprintf(&b, "for %d requests ", loop.Tasks)
	}
	fmt.Fprintf(&b, "the event loop peaked at %d goroutines%s, the pool at %d%s.",
		loop.PeakGoroutines, rss(loop.PeakRSSBytes), pool.PeakGoroutines, rss(pool.PeakRSSBytes))
	if loop.PeakGoroutines < pool.PeakGoroutines {
		b.WriteString(" A connection in flight costs the loop a buffer and a timer, a goroutine a stack of a few KB:" +
			" with thousands of connections the loop wins on memory, though goroutines keep the gap far smaller than Python's threads.")
	} else {
		b.WriteString(" Here the loop did not save goroutines; its gain on memory shows with thousands of connections.")
	}
	return b.String()
}

func ruleOfThumb(m workloads) string {
	pool, ok := poolOf(m.CPU)
	if ok && rankable(pool) && (cores(pool) > parallel || speedup(pool) > parallel) {
		return "In short: async for I/O when you can, threads when you must, processes for CPU, says the Python rule." +
			" In Go goroutines cover both workloads; reach for an event loop when connections number in the thousands," +
			" and for processes when a task must not take the others down with it."
	}
	return "In short: async for I/O when you can, threads when you must, processes for CPU. This run could not" +
		" show goroutines computing in parallel, so the rule held here as it does in Python."
}

// work is what bench's ranking predicate looks at.
func work(m bench.Result) bench.Work {
	return bench.Work{Model: m.Model, Tasks: m.Tasks, Failed: m.Failed}
}

// rankable tells whether m may be ranked at all; comparable whether a and b
// may be ranked against each other. Both are bench's predicate.
func rankable(m bench.Result) bool      { return bench.Rankable(work(m)) == nil }
func comparable(a, b bench.Result) bool { return bench.Comparable(work(a), work(b)) == nil }

// measured keeps the models that have a median: the others did not run.
func measured(ms []bench.Result) []bench.Result {
	var out []bench.Result
	for _, m := range ms {
		if m.Seconds.Median > 0 {
			out = append(out, m)
		}
	}
	return out
}

// fastest is the model with the smallest median among those that may be
// ranked against each other; a model that failed tasks is never fastest.
func fastest(ms []bench.Result) (bench.Result, bool) {
	var best bench.Result
	found := false
	for _, m := range measured(ms) {
		if !rankable(m) || (found && !comparable(m, best)) {
			continue
		}
		if !found || m.Seconds.Median < best.Seconds.Median {
			best, found = m, true
		}
	}
	return best, found
}

// busiest is the model that kept the most cores busy, of those that did
// every task.
func busiest(ms []bench.Result) (bench.Result, bool) {
	var top bench.Result
	for _, m := range ms {
		if rankable(m) && cores(m) > cores(top) {
			top = m
		}
	}
	return top, cores(top) > 0
}

// meanCPU is the cores kept busy on average by the models that did every
// task: one that failed its requests at once spent no time waiting.
func meanCPU(ms []bench.Result) float64 {
	sum, n := 0.0, 0
	for _, m := range ms {
		if rankable(m) && cores(m) > 0 {
			sum += cores(m)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// The summary speaks of three kinds of model, known by what each declared
// of itself (bench.Traits), never by its name: the event loop, on one
// goroutine yet not the baseline; the pool of goroutines, neither on one
// goroutine nor in processes; and the pool of processes.
func loopOf(rs []bench.Result) (bench.Result, bool) {
	return first(rs, func(r bench.Result) bool { return r.OneGoroutine && !r.UsesProcesses && r.Model != bench.Baseline })
}

func poolOf(rs []bench.Result) (bench.Result, bool) {
	return first(rs, func(r bench.Result) bool { return !r.OneGoroutine && !r.UsesProcesses })
}

func processesOf(rs []bench.Result) (bench.Result, bool) {
	return first(rs, func(r bench.Result) bool { return r.UsesProcesses })
}

func first(rs []bench.Result, is func(bench.Result) bool) (bench.Result, bool) {
	for _, r := range rs {
		if is(r) {
			return r, true
		}
	}
	return bench.Result{}, false
}

// speedup is r's speedup over the baseline, 0 when unknown.
func speedup(r bench.Result) float64 {
	if r.Speedup == nil {
		return 0
	}
	return *r.Speedup
}

// cores is the cores r kept busy on average: its CPU seconds (user and
// system, this process and its children) over the wall time of its
// measured runs; 0 when unknown.
func cores(r bench.Result) float64 {
	if wall := r.Seconds.Mean * float64(r.Runs); wall > 0 {
		return r.CPUSeconds / wall
	}
	return 0
}

func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.3f s", s)
	}
	return fmt.Sprintf("%.2f s", s)
}

// times writes a speedup as ", 3.2× sequential", or nothing if unknown.
func times(x float64, what string) string {
	if x <= 0 {
		return ""
	}
	return fmt.Sprintf(", %.1f×%s", x, what)
}

// gain writes a model's speedup and cores, as far as they are known.
func gain(m bench.Result) string {
	var parts []string
	if speedup(m) > 0 {
		parts = append(parts, fmt.Sprintf("%.1f× sequential", speedup(m)))
	}
	if cores(m) > 0 {
		parts = append(parts, fmt.Sprintf("%.1f cores busy", cores(m)))
	}
	if len(parts) == 0 {
		return "no figures"
	}
	return strings.Join(parts, ", ")
}

func rss(b int64) string {
	if b <= 0 {
		return ""
	}
	return fmt.Sprintf(" and %.1f MiB", float64(b)/(1<<20))
}

// failures names every measured model that may not be ranked, with the
// predicate's reason: a run that skipped work is not comparable with one
// that did it all.
func failures(ms []bench.Result) string {
	var b strings.Builder
	for _, m := range measured(ms) {
		if err := bench.Rankable(work(m)); err != nil {
			fmt.Fprintf(&b, " %s.", err)
		}
	}
	return b.String()
}
