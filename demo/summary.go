package demo

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"conclab/bench"
)

// Measurement is one model's figures on one workload, as the harness
// measured them. Zero means unknown for every figure but Failed. Tasks and
// Failed decide whether the model is ranked at all: bench.Comparable, the
// predicate every ranking goes through, sees them.
type Measurement struct {
	Model   string  // "sequential", "threaded", "eventloop", "multiproc"
	Workers int     // tasks it ran at once
	Median  float64 // seconds per run
	Speedup float64 // the sequential median over this one
	// CPU is the cores kept busy on average: CPU seconds (user and
	// system, this process and its children) over median × runs.
	CPU            float64
	PeakGoroutines int
	PeakRSSBytes   int64
	Tasks, Failed  int
}

// Measurements is a full run: each model on each workload, and the machine.
type Measurements struct {
	IO, CPU    []Measurement
	CPUs       int // logical CPUs; 0 if unknown
	GOMAXPROCS int // the models' GOMAXPROCS; 0 if unknown
}

// Summary turns the measurements into a few sentences that tell a student
// which model to reach for: "I/O-bound: ...", "CPU-bound: ...", "Memory:
// ...", and a rule of thumb. Every claim is derived from the figures given,
// so a run on another machine, or with GOMAXPROCS=1, says something else.
// A model that failed tasks is named with the reason, and never ranked:
// every comparison of two models (fastest, "took 13× the loop's time", the
// memory line) needs bench.Comparable to agree. It returns nil when there is
// nothing to summarise.
func Summary(m Measurements) []string {
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
func WriteSummary(w io.Writer, m Measurements, width int) error {
	if width <= 0 {
		width = 72
	}
	paras := Summary(m)
	for i, p := range paras {
		paras[i] = wrap(p, width)
	}
	if len(paras) == 0 {
		return nil
	}
	_, err := io.WriteString(w, strings.Join(paras, "\n\n")+"\n")
	return err
}

// wrap breaks a paragraph between words so no line is longer than width,
// unless one word is.
func wrap(p string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(p) {
		l := utf8.RuneCountInString(word)
		switch {
		case n == 0:
		case n+1+l > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += l
	}
	return b.String()
}

// parallel is the share of a core beyond one that counts as running in
// parallel, and the speedup that counts as a real gain: below it the
// difference is within what a noisy machine does between runs.
const parallel = 1.3

func ioLine(m Measurements) string {
	if len(measured(m.IO)) == 0 {
		return ""
	}
	best, ok := fastest(m.IO)
	if !ok {
		return "I/O-bound: no model completed every task, so none is ranked." + failures(m.IO)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "I/O-bound: %s was fastest (%s%s).", best.Model, seconds(best.Median), times(best.Speedup, " sequential"))
	ioCPU := meanCPU(m.IO)
	top, haveCPU := busiest(m.CPU)
	light := ioCPU > 0 && (ioCPU < 0.5 || (haveCPU && ioCPU < top.CPU/3))
	switch {
	case ioCPU <= 0:
	case light && haveCPU:
		fmt.Fprintf(&b, " The io runs kept %.2f cores busy on average, against %.2f for %s on the cpu job: the time went to waiting, not computing.", ioCPU, top.CPU, top.Model)
	case light:
		fmt.Fprintf(&b, " The io runs kept %.2f cores busy on average: the time went to waiting, not computing.", ioCPU)
	default:
		fmt.Fprintf(&b, " The io runs kept %.2f cores busy on average: not CPU-light, so parsing and copying matter here as well as waiting.", ioCPU)
	}
	loop, haveLoop := find(m.IO, "eventloop")
	pool, havePool := find(m.IO, "threaded")
	if light {
		b.WriteString(" Overlap the waits: one event loop when you can, a pool of goroutines when the code must block.")
	}
	if haveLoop && havePool && comparable(loop, pool) && loop.Median > 0 && pool.Median > 0 {
		r := pool.Median / loop.Median
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
	if mp, ok := find(m.IO, "multiproc"); ok && mp.Model != best.Model && comparable(mp, best) && mp.Median > best.Median*parallel {
		fmt.Fprintf(&b, " Processes took %.1f× the fastest: start-up and messages cost, and buy nothing for waiting.", mp.Median/best.Median)
	}
	b.WriteString(failures(m.IO))
	return b.String()
}

func cpuLine(m Measurements) string {
	if len(measured(m.CPU)) == 0 {
		return ""
	}
	best, ok := fastest(m.CPU)
	if !ok {
		return "CPU-bound: no model completed every task, so none is ranked." + failures(m.CPU)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CPU-bound: %s was fastest (%s%s", best.Model, seconds(best.Median), times(best.Speedup, " sequential"))
	if best.CPU > 0 {
		fmt.Fprintf(&b, ", %.1f cores busy", best.CPU)
		if m.CPUs > 0 {
			fmt.Fprintf(&b, " of %d", m.CPUs)
		}
	}
	b.WriteString(").")
	// A pool that failed tasks teaches nothing about parallelism: it is left
	// out of every sentence below.
	pool, havePool := find(m.CPU, "threaded")
	havePool = havePool && rankable(pool)
	poolParallel := havePool && (pool.CPU > parallel || pool.Speedup > parallel)
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
	if mp, ok := find(m.CPU, "multiproc"); ok && havePool && comparable(mp, pool) && mp.Median > 0 && pool.Median > 0 {
		r := mp.Median / pool.Median
		switch {
		case poolParallel && r >= 1/1.1:
			fmt.Fprintf(&b, " Processes took %.2f× the pool's time: in Go they buy isolation (a crash or a leak stays in its process), not speed.", r)
		case r < 1/parallel:
			fmt.Fprintf(&b, " Processes took %.2f× the pool's time: separate processes escaped what held the goroutines back.", r)
		default:
			fmt.Fprintf(&b, " Processes took %.2f× the pool's time.", r)
		}
	}
	if loop, ok := find(m.CPU, "eventloop"); ok && rankable(loop) && loop.Speedup > 0 && loop.Speedup < parallel {
		fmt.Fprintf(&b, " The event loop ran them on one goroutine (%.1f×): cooperative tasks take turns and never compute in parallel, and one that never yields holds up the rest.", loop.Speedup)
	}
	b.WriteString(failures(m.CPU))
	return b.String()
}

func memoryLine(m Measurements) string {
	loop, ok1 := find(m.IO, "eventloop")
	pool, ok2 := find(m.IO, "threaded")
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

func ruleOfThumb(m Measurements) string {
	pool, ok := find(m.CPU, "threaded")
	if ok && rankable(pool) && (pool.CPU > parallel || pool.Speedup > parallel) {
		return "In short: async for I/O when you can, threads when you must, processes for CPU, says the Python rule." +
			" In Go goroutines cover both workloads; reach for an event loop when connections number in the thousands," +
			" and for processes when a task must not take the others down with it."
	}
	return "In short: async for I/O when you can, threads when you must, processes for CPU. This run could not" +
		" show goroutines computing in parallel, so the rule held here as it does in Python."
}

// work is what bench's ranking predicate looks at.
func work(m Measurement) bench.Work {
	return bench.Work{Model: m.Model, Tasks: m.Tasks, Failed: m.Failed}
}

// rankable tells whether m may be ranked at all; comparable whether a and b
// may be ranked against each other. Both are bench's predicate.
func rankable(m Measurement) bool      { return bench.Rankable(work(m)) == nil }
func comparable(a, b Measurement) bool { return bench.Comparable(work(a), work(b)) == nil }

// measured keeps the models that have a median: the others did not run.
func measured(ms []Measurement) []Measurement {
	var out []Measurement
	for _, m := range ms {
		if m.Median > 0 {
			out = append(out, m)
		}
	}
	return out
}

// fastest is the model with the smallest median among those that may be
// ranked against each other; a model that failed tasks is never fastest.
func fastest(ms []Measurement) (Measurement, bool) {
	var best Measurement
	found := false
	for _, m := range measured(ms) {
		if !rankable(m) || (found && !comparable(m, best)) {
			continue
		}
		if !found || m.Median < best.Median {
			best, found = m, true
		}
	}
	return best, found
}

// busiest is the model that kept the most cores busy, of those that did
// every task.
func busiest(ms []Measurement) (Measurement, bool) {
	var top Measurement
	for _, m := range ms {
		if rankable(m) && m.CPU > top.CPU {
			top = m
		}
	}
	return top, top.CPU > 0
}

// meanCPU is the cores kept busy on average by the models that did every
// task: one that failed its requests at once spent no time waiting.
func meanCPU(ms []Measurement) float64 {
	sum, n := 0.0, 0
	for _, m := range ms {
		if rankable(m) && m.CPU > 0 {
			sum += m.CPU
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func find(ms []Measurement, model string) (Measurement, bool) {
	for _, m := range ms {
		if m.Model == model {
			return m, true
		}
	}
	return Measurement{}, false
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
func gain(m Measurement) string {
	var parts []string
	if m.Speedup > 0 {
		parts = append(parts, fmt.Sprintf("%.1f× sequential", m.Speedup))
	}
	if m.CPU > 0 {
		parts = append(parts, fmt.Sprintf("%.1f cores busy", m.CPU))
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
func failures(ms []Measurement) string {
	var b strings.Builder
	for _, m := range measured(ms) {
		if err := bench.Rankable(work(m)); err != nil {
			fmt.Fprintf(&b, " %s.", err)
		}
	}
	return b.String()
}
