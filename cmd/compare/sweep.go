package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/guptarohit/asciigraph"

	"conclab/bench"
	"conclab/internal/units"
	"conclab/iobound"
)

// SweepSchema names the JSON document of `compare sweep -format json`.
const SweepSchema = "conclab.sweep/v1"

// sweepDoc is the sweep's JSON output: every model's result at every count.
type sweepDoc struct {
	Schema   string       `json:"schema"`
	Env      bench.Env    `json:"env"`
	Workload string       `json:"workload"`
	Tasks    int          `json:"tasks"`
	Latency  *float64     `json:"latency_seconds,omitempty"` // io on the embedded server
	Counts   []int        `json:"counts"`
	Results  []sweepPoint `json:"results"`
}

// sweepPoint is one model at one count. Speedup is against the same model
// at the first count of the list.
type sweepPoint struct {
	Requested int `json:"requested"` // the count asked for; workers is what ran at once
	bench.Result
}

// plateau is how close to its best time a count must come for adding
// workers beyond it to be called not worth it.
const plateau = 1.10

// runSweep runs the pool models at each worker count and prints a table and
// a chart of time against workers.
func runSweep(ctx context.Context, o options, stdout, stderr io.Writer) (code int) {
	var svg *pendingFile
	if o.svg != "" {
		var err error
		if svg, err = createPending(o.svg); err != nil {
			fmt.Fprintf(stderr, "compare: -svg: %v (see compare help sweep)\n", oneLine(err))
			return exitUsage
		}
		defer svg.discard()
	}
	doc := sweepDoc{Schema: SweepSchema, Env: bench.CurrentEnv(), Workload: o.workload, Counts: o.sweep}
	if o.gomaxprocs > 0 {
		doc.Env.GOMAXPROCS = o.gomaxprocs
	}
	runner := bench.Runner{Runs: o.runs, Warmup: o.warmup, ShortWarmup: true, Progress: progressFor(stderr)}
	var err error
	var work bench.IOWorkload
	numbers := make([]int, o.count)
	for i := range numbers {
		numbers[i] = o.base + i
	}
	if o.workload == bench.WorkloadIO {
		work = bench.IOWorkload{URLs: iobound.Repeat(o.urls, o.repeat)}
		if o.urls == nil {
			child, serr := iobound.StartChild(ctx, iobound.Config{Latency: o.latency})
			if serr != nil {
				fmt.Fprintf(stderr, "compare: starting the embedded server: %v\n", oneLine(serr))
				return exitFailed
			}
			defer func() {
				if cerr := child.Close(); cerr != nil && code == exitOK {
					fmt.Fprintf(stderr, "compare: %v\n", oneLine(cerr))
					code = exitFailed
				}
			}()
			runner.Exclude = append(runner.Exclude, child.PID())
			work = bench.IOWorkload{URLs: child.URLs(o.repeat), Embedded: true, Latency: o.latency}
			doc.Latency = new(o.latency.Seconds())
		}
		doc.Tasks = len(work.URLs)
	} else {
		doc.Tasks = len(numbers)
	}
	fmt.Fprintf(stderr, "sweep: %s, %d tasks, workers %s, %s\n", o.workload, doc.Tasks, joinInts(o.sweep), plan(o))

	restore := limitProcs(o.gomaxprocs)
	for _, spec := range o.models {
		for _, n := range o.sweep {
			m := spec.sweep(o, n)
			var sec []bench.Result
			if o.workload == bench.WorkloadIO {
				var s *bench.IOSection
				s, err = runner.IO(ctx, []bench.Model{m}, work)
				if s != nil {
					sec = s.Results
				}
			} else {
				var s *bench.CPUSection
				s, err = runner.CPU(ctx, []bench.Model{m}, numbers)
				if s != nil {
					sec = s.Results
				}
			}
			if err != nil || len(sec) == 0 {
				break
			}
			doc.Results = append(doc.Results, sweepPoint{Requested: n, Result: sec[0]})
		}
		if err != nil {
			break
		}
	}
	restore()
	setSweepSpeedups(doc.Results)
	var failed []string
	for _, p := range doc.Results {
		if p.Failed > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d of %d", pointWork(p).Model, p.Failed, p.Tasks))
		}
	}

	if len(doc.Results) > 0 {
		var rerr error
		if o.format == bench.FormatJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			rerr = enc.Encode(doc)
		} else {
			rerr = writeSweep(stdout, doc, o)
		}
		err = errors.Join(err, rerr)
	}
	if svg != nil {
		if err == nil && ctx.Err() == nil {
			err = writeSweepSVG(svg, doc, o.svg, stderr)
		} else {
			fmt.Fprintf(stderr, "svg: not written, the sweep did not complete; %s is as it was\n", o.svg)
		}
	}
	return exitStatus(ctx, err, failed, o.ignoreFailure, stderr)
}

// pointWork is what ranking a point looks at, named with its count so that
// a reason reads "threaded at 50 workers failed 3 of 160 tasks".
func pointWork(p sweepPoint) bench.Work {
	w := p.Work()
	w.Model = fmt.Sprintf("%s at %s", p.Model, workers(p.Requested))
	return w
}

// setSweepSpeedups sets each point's speedup against the same model at the
// first count, where the two may be compared (bench.Comparable): a count
// whose run failed tasks, or whose first count did, has none.
func setSweepSpeedups(points []sweepPoint) {
	first := map[string]sweepPoint{}
	for i := range points {
		p := &points[i]
		if _, ok := first[p.Model]; !ok {
			first[p.Model] = *p
		}
		ref := first[p.Model]
		p.Speedup = nil
		if p.Seconds.Median > 0 && bench.Comparable(pointWork(ref), pointWork(*p)) == nil {
			p.Speedup = new(ref.Seconds.Median / p.Seconds.Median)
		}
	}
}

// sweepModelsOf lists the models of the points, in order.
func sweepModelsOf(points []sweepPoint) []string {
	var names []string
	for _, p := range points {
		if len(names) == 0 || names[len(names)-1] != p.Model {
			names = append(names, p.Model)
		}
	}
	return names
}

// usesProcesses reports whether the model declared that it runs its tasks
// in worker processes, whose memory the table then shows.
func usesProcesses(points []sweepPoint, model string) bool {
	for _, p := range points {
		if p.Model == model {
			return p.UsesProcesses
		}
	}
	return false
}

func findPoint(points []sweepPoint, model string, n int) (sweepPoint, bool) {
	for _, p := range points {
		if p.Model == model && p.Requested == n {
			return p, true
		}
	}
	return sweepPoint{}, false
}

// writeSweep prints the table, the chart and what they show.
func writeSweep(w io.Writer, doc sweepDoc, o options) error {
	markdown := o.format == bench.FormatMarkdown
	models := sweepModelsOf(doc.Results)
	title := fmt.Sprintf("Sweep, CPU-bound: %d sums of squares, median of %d run(s) at each worker count", doc.Tasks, o.runs)
	if doc.Workload == bench.WorkloadIO {
		title = fmt.Sprintf("Sweep, I/O-bound: %d GETs, median of %d run(s) at each worker count", doc.Tasks, o.runs)
		if doc.Latency != nil {
			title = fmt.Sprintf("Sweep, I/O-bound: %d GETs, %s latency, median of %d run(s) at each worker count",
				doc.Tasks, o.latency, o.runs)
		}
	}
	if markdown {
		title = "### " + title + "\n"
	}
	fmt.Fprintln(w, title)

	header := []string{"workers"}
	bounded := doc.Workload == bench.WorkloadIO && doc.Latency != nil && *doc.Latency > 0
	if bounded {
		header = append(header, "bound")
	}
	for _, m := range models {
		header = append(header, m, "speedup")
		if usesProcesses(doc.Results, m) {
			header = append(header, "rss")
		}
	}
	var rows [][]string
	for _, n := range doc.Counts {
		row := []string{strconv.Itoa(n)}
		if bounded {
			bound := "n/a"
			for _, m := range models {
				if p, ok := findPoint(doc.Results, m, n); ok && p.BoundSeconds != nil {
					bound = seconds(*p.BoundSeconds)
				}
			}
			row = append(row, bound)
		}
		for _, m := range models {
			p, ok := findPoint(doc.Results, m, n)
			switch {
			case !ok:
				row = append(row, "", "")
			case p.Speedup == nil:
				row = append(row, seconds(p.Seconds.Median), "—")
			default:
				row = append(row, seconds(p.Seconds.Median), fmt.Sprintf("%.2fx", *p.Speedup))
			}
			if usesProcesses(doc.Results, m) {
				rss := ""
				if ok {
					rss = fmt.Sprintf("%.1f MiB", float64(p.PeakRSSBytes)/(1<<20))
				}
				row = append(row, rss)
			}
		}
		rows = append(rows, row)
	}
	if err := bench.Table(w, header, rows, markdown); err != nil {
		return err
	}

	chart := sweepChart(doc, models)
	if chart != "" {
		if markdown {
			fmt.Fprintf(w, "\n```text\n%s\n```\n", chart)
		} else {
			fmt.Fprintf(w, "\n%s\n", chart)
		}
	}
	fmt.Fprintln(w)
	for _, l := range sweepNotes(doc, models) {
		if markdown {
			l = "- " + l
		}
		fmt.Fprintln(w, l)
	}
	return writeKarpFlatt(w, doc, models, markdown)
}

// sweepChart plots each model's median in milliseconds against the worker
// counts, which sit evenly spaced on the x axis whatever their values.
func sweepChart(doc sweepDoc, models []string) string {
	if len(doc.Counts) < 2 {
		return ""
	}
	var series [][]float64
	var legend []string
	chars := []asciigraph.CharSet{asciigraph.DefaultCharSet, asciigraph.CreateCharSet("•"), asciigraph.CreateCharSet("*")}
	for i, m := range models {
		var ys []float64
		for _, n := range doc.Counts {
			// The line stops at the first count that was not run or that
			// failed tasks: a point that skipped work would dip for it.
			p, ok := findPoint(doc.Results, m, n)
			if !ok || bench.Rankable(p.Work()) != nil {
				break
			}
			ys = append(ys, p.Seconds.Median*1e3)
		}
		if len(ys) < 2 {
			continue
		}
		series = append(series, ys)
		mark := "───"
		if i > 0 {
			mark = strings.Repeat(chars[i%len(chars)].Horizontal, 3)
		}
		legend = append(legend, mark+" "+m)
	}
	if len(series) == 0 {
		return ""
	}
	const step = 8 // columns between two counts
	last := float64(len(doc.Counts) - 1)
	plot := asciigraph.PlotMany(series,
		asciigraph.Height(12),
		asciigraph.Width(step*(len(doc.Counts)-1)+1),
		asciigraph.LowerBound(0),
		asciigraph.Precision(0),
		asciigraph.SeriesChars(chars[:len(series)]...),
		asciigraph.XAxisRange(0, last),
		asciigraph.XAxisTickCount(len(doc.Counts)),
		asciigraph.XAxisValueFormatter(func(v float64) string {
			i := min(max(int(math.Round(v)), 0), len(doc.Counts)-1)
			return strconv.Itoa(doc.Counts[i])
		}),
	)
	return "median ms\n" + plot + "\n" + strings.Repeat(" ", 10) + "workers (evenly spaced, not to scale)    " + strings.Join(legend, "   ")
}

// sweepNotes say where adding workers stopped paying, and what the counts
// past the tasks and past the cores did. Only the counts that may be
// compared with each other (bench.Comparable) are ranked; each other count
// gets a line that says why not.
func sweepNotes(doc sweepDoc, models []string) []string {
	var lines []string
	for _, m := range models {
		var pts []sweepPoint
		for _, n := range doc.Counts {
			p, ok := findPoint(doc.Results, m, n)
			if !ok {
				continue
			}
			if err := bench.Rankable(pointWork(p)); err != nil {
				lines = append(lines, err.Error()+".")
				continue
			}
			if len(pts) > 0 {
				if err := bench.Comparable(pointWork(pts[0]), pointWork(p)); err != nil {
					lines = append(lines, err.Error()+".")
					continue
				}
			}
			pts = append(pts, p)
		}
		if len(pts) < 2 {
			continue
		}
		best := pts[0]
		for _, p := range pts {
			if p.Seconds.Median < best.Seconds.Median {
				best = p
			}
		}
		knee := best
		for _, p := range pts {
			if p.Seconds.Median <= best.Seconds.Median*plateau {
				knee = p
				break
			}
		}
		last := pts[len(pts)-1]
		switch {
		case best.Requested == last.Requested && knee.Requested == last.Requested:
			lines = append(lines, fmt.Sprintf("%s was still getting faster at %s (%s).", m, workers(last.Requested), seconds(last.Seconds.Median)))
		case last.Seconds.Median > best.Seconds.Median*plateau:
			// The first count past the best that fell out of the plateau
			// again: the sentence names where the plateau ended, not a
			// range it claims to hold over.
			slow := last
			for _, p := range pts {
				if p.Requested > best.Requested && p.Seconds.Median > best.Seconds.Median*plateau {
					slow = p
					break
				}
			}
			slower := fmt.Sprintf("%s at %s", seconds(last.Seconds.Median), workers(last.Requested))
			if slow.Requested != last.Requested {
				slower = fmt.Sprintf("more than %.0f%% slower at %s, %s at %d", (plateau-1)*100, workers(slow.Requested), seconds(last.Seconds.Median), last.Requested)
			}
			lines = append(lines, fmt.Sprintf("%s: fastest at %s (%s), within %.0f%% of that first at %s; more workers made it slower again: %s.",
				m, workers(best.Requested), seconds(best.Seconds.Median), (plateau-1)*100, workers(knee.Requested), slower))
		default:
			lines = append(lines, fmt.Sprintf("%s: within %.0f%% of its best (%s at %s) from %s on: more workers stopped paying there.",
				m, (plateau-1)*100, seconds(best.Seconds.Median), workers(best.Requested), workers(knee.Requested)))
		}
	}
	if over := doc.Counts[len(doc.Counts)-1]; over > doc.Tasks {
		lines = append(lines, fmt.Sprintf("A pool never runs more tasks at once than there are (%d): counts above that start no more workers.", doc.Tasks))
	}
	cpus := runtime.NumCPU()
	for _, p := range doc.Results {
		if !p.UsesProcesses || p.Requested != doc.Counts[len(doc.Counts)-1] || p.Workers <= cpus {
			continue
		}
		what := "they overlap their waits like goroutines, but each costs a start-up and its own memory"
		if doc.Workload == bench.WorkloadCPU {
			what = "no more of them compute at once, and each costs a start-up and its own memory"
		}
		lines = append(lines, fmt.Sprintf("%s at %d: %d worker processes on %d CPUs take turns on the cores; %s (%s a run starting up, %.1f MiB peak).",
			p.Model, p.Requested, p.Workers, cpus, what, seconds(p.Startup), float64(p.PeakRSSBytes)/(1<<20)))
	}
	return lines
}

// seconds formats a time with a unit that keeps three or four digits.
func seconds(s float64) string { return units.Seconds(s) }

func workers(n int) string { return units.Plural(n, "worker") }

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
