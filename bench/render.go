package bench

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"golang.org/x/perf/benchfmt"

	"conclab/converter"
	"conclab/internal/text"
	"conclab/internal/units"
)

// Format is an output format of Render.
type Format string

// The output formats.
const (
	FormatTable    Format = "table"    // text tables with summaries, for people
	FormatMarkdown Format = "markdown" // the same as Markdown
	FormatCSV      Format = "csv"      // hyperfine's CSV columns
	FormatJSON     Format = "json"     // the Report, schema conclab.compare/v1 (fields are only ever added)
	FormatBench    Format = "bench"    // Go benchmark lines, for benchstat
)

// Formats lists every format, in the order -h shows them.
func Formats() []Format {
	return []Format{FormatTable, FormatMarkdown, FormatCSV, FormatJSON, FormatBench}
}

// ErrFormat is returned for an unknown format name.
var ErrFormat = errors.New("unknown format")

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	f := Format(s)
	if !slices.Contains(Formats(), f) {
		names := make([]string, len(Formats()))
		for i, f := range Formats() {
			names[i] = string(f)
		}
		return "", fmt.Errorf("%w %q (one of %s)", ErrFormat, s, strings.Join(names, ", "))
	}
	return f, nil
}

// Render writes the report in the given format, its tables in the default
// View.
func Render(w io.Writer, rep Report, f Format) error {
	return RenderView(w, rep, f, View{})
}

// RenderView is Render with the tables of the text formats in view v.
func RenderView(w io.Writer, rep Report, f Format, v View) error {
	switch f {
	case FormatTable, FormatMarkdown:
		return renderText(w, rep, f == FormatMarkdown, v)
	case FormatCSV:
		return renderCSV(w, rep)
	case FormatJSON:
		return renderJSON(w, rep)
	case FormatBench:
		return renderBench(w, rep)
	}
	_, err := ParseFormat(string(f))
	return err
}

func renderJSON(w io.Writer, rep Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("bench: json: %w", err)
	}
	return nil
}

// renderCSV writes hyperfine's --export-csv columns, one row per model and
// workload, times in seconds; user and system are CPU seconds per run. The
// converter has no such times and is left out.
func renderCSV(w io.Writer, rep Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"command", "mean", "stddev", "median", "user", "system", "min", "max"})
	for _, s := range sections(rep) {
		for _, r := range s.results {
			_ = cw.Write([]string{
				s.workload + " " + r.Model,
				num(r.Seconds.Mean), num(r.Seconds.Stddev), num(r.Seconds.Median),
				num(r.UserSeconds), num(r.SystemSeconds),
				num(r.Seconds.Min), num(r.Seconds.Max),
			})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("bench: csv: %w", err)
	}
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// renderBench writes Go benchmark-format lines (with x/perf's benchfmt, as
// go test writes them: goos, goarch, pkg and cpu lines, then one line per
// measured run with GOMAXPROCS as the name's -N suffix), so that benchstat
// compares the models from one file:
//
//	benchstat -col /model -ignore /workers out.txt
//
// (the worker count differs between models, so it is ignored to line the
// rows up). benchstat wants at least 6 runs of each for a confidence
// interval; compare warns below that. Each converter load is one line, with
// its hit ratio and computations per call as extra metrics, as its
// benchmarks report them.
func renderBench(w io.Writer, rep Report) error {
	bw := benchfmt.NewWriter(w)
	config := []benchfmt.Config{
		{Key: "goos", Value: []byte(rep.Env.OS), File: true},
		{Key: "goarch", Value: []byte(rep.Env.Arch), File: true},
		{Key: "pkg", Value: []byte("conclab/cmd/compare"), File: true},
	}
	if rep.Env.CPUModel != "" {
		config = append(config, benchfmt.Config{Key: "cpu", Value: []byte(rep.Env.CPUModel), File: true})
	}
	suffix := ""
	if p := rep.Env.GOMAXPROCS; p > 1 {
		suffix = "-" + strconv.Itoa(p)
	}
	write := func(name string, iters int, values ...benchfmt.Value) error {
		res := &benchfmt.Result{Config: config, Name: benchfmt.Name(name + suffix), Iters: iters, Values: values}
		if err := bw.Write(res); err != nil {
			return fmt.Errorf("bench: bench lines: %w", err)
		}
		return nil
	}
	for _, s := range sections(rep) {
		name := strings.ToUpper(s.workload)
		for _, r := range s.results {
			for _, t := range r.Seconds.Times {
				if err := write(fmt.Sprintf("%s/model=%s/workers=%d", name, r.Model, r.Workers), 1,
					benchfmt.Value{Value: math.Round(t * 1e9), Unit: "ns/op"}); err != nil {
					return err
				}
			}
		}
	}
	if rep.Converter != nil {
		for _, c := range rep.Converter.Results {
			computations := 0.0
			if c.Ops > 0 {
				computations = float64(c.Computations) / float64(c.Ops)
			}
			samples := c.NsPerOpSamples // one line per run, for benchstat
			if len(samples) == 0 {
				samples = []float64{c.NsPerOp}
			}
			for _, ns := range samples {
				if err := write(fmt.Sprintf("Convert/cache=%s/cost=%s/dist=%s/goroutines=%d", c.Cache, c.Cost, c.Dist, c.Goroutines), int(c.Ops),
					benchfmt.Value{Value: ns, Unit: "ns/op"},
					benchfmt.Value{Value: c.HitRatio, Unit: "hit-ratio"},
					benchfmt.Value{Value: computations, Unit: "computations/op"}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// BenchstatRuns is the fewest runs per model for which benchstat computes
// a confidence interval.
const BenchstatRuns = 6

// section is one workload's rows, for the renderers that treat both alike.
type section struct {
	workload string
	source   string // io only
	title    string
	results  []Result
	ref      string
}

// The original article's Python timings, shown for orientation only.
const (
	refIO  = "Reference, the original article's Python (another language on another machine): 160 sites: sequential 14.3 s, threads 3.7 s, asyncio 2.6 s, multiprocessing 5.7 s."
	refCPU = "Reference, the original article's Python (another language on another machine): sequential 10.4 s, multiprocessing 2.5 s."
)

func sections(rep Report) []section {
	var out []section
	if s := rep.IO; s != nil {
		title := fmt.Sprintf("I/O-bound: %d GETs from real sites", s.Requests)
		if s.Source == SourceEmbedded {
			title = fmt.Sprintf("I/O-bound: %d GETs from the embedded server, no latency", s.Requests)
		}
		if s.Source == SourceEmbedded && s.LatencySeconds != nil && *s.LatencySeconds > 0 {
			title = fmt.Sprintf("I/O-bound: %d GETs from the embedded server, %s latency per response",
				s.Requests, units.Seconds(*s.LatencySeconds))
		}
		out = append(out, section{WorkloadIO, s.Source, title, s.Results, refIO})
	}
	if s := rep.CPU; s != nil {
		title := fmt.Sprintf("CPU-bound: sum of squares below each of %d numbers", len(s.Numbers))
		if len(s.Numbers) > 0 {
			title += fmt.Sprintf(", %d … %d", s.Numbers[0], s.Numbers[len(s.Numbers)-1])
		}
		out = append(out, section{WorkloadCPU, "", title, s.Results, refCPU})
	}
	return out
}

// renderText writes one table per workload with its summary, warnings and
// reference line, as plain text or Markdown.
func renderText(w io.Writer, rep Report, markdown bool, v View) error {
	var b strings.Builder
	heading := func(s string) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if markdown {
			b.WriteString("### ")
		}
		b.WriteString(s + "\n")
		if markdown {
			b.WriteString("\n")
		}
	}
	para := func(lines []string) {
		if len(lines) == 0 {
			return
		}
		if markdown {
			b.WriteString("\n")
			for _, l := range lines {
				b.WriteString("- " + l + "\n")
			}
			return
		}
		for _, l := range lines {
			b.WriteString(text.Wrap(l, MaxNarrowWidth, "  ") + "\n")
		}
	}
	secs := sections(rep)
	tables, err := drawTables(secs, markdown, v)
	if err != nil {
		return err
	}
	for i, s := range secs {
		heading(s.title)
		b.WriteString(tables[i])
		para(append(append(Summary(s.results), notes(s)...), s.ref))
	}
	if c := rep.Converter; c != nil {
		if err := renderConverter(&b, c, markdown, heading, para); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// View chooses how much of each workload's table the text formats show.
// The default table is narrow enough for a 100-column terminal or a
// projector: model, workers, median ± standard deviation, speedup, bound,
// efficiency, failed. The wide table adds the resource columns (CPU time
// per run, goroutines, threads, processes, peak resident set) and, for the
// I/O workload, the load figures hey and oha print (requests per second and
// the latency percentiles of the requests).
type View struct {
	// Wide asks for the wide tables.
	Wide bool
	// Width, when positive, is the width of the screen the tables go to:
	// a wide table that fits it is printed, one that would wrap is not.
	Width int
}

// MaxNarrowWidth is the widest the default tables may be, in columns.
const MaxNarrowWidth = 100

// The columns of a workload's default table.
var resultColumns = []string{"model", "workers", "median ± σ", "speedup", "bound", "efficiency", "failed"}

// The columns the wide table adds, with the unit of each figure in its
// header: cpu s/run is user+system time per measured run, peak RSS the
// resident set in MiB.
var wideColumns = []string{"cpu s/run", "goroutines", "threads", "procs", "peak RSS MiB"}

// The columns the wide table of the I/O workload adds after those: the load
// figures as hey and oha print them, requests per second and the latency
// percentiles of the requests.
var loadColumns = []string{"req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"}

// drawTables draws each workload's table: wide when v asks for it, or when
// v.Width is known and every wide table fits it; narrow otherwise.
func drawTables(secs []section, markdown bool, v View) ([]string, error) {
	draw := func(wide bool) ([]string, error) {
		tables := make([]string, len(secs))
		for i, s := range secs {
			var b strings.Builder
			if err := drawResults(&b, s, markdown, wide); err != nil {
				return nil, err
			}
			tables[i] = b.String()
		}
		return tables, nil
	}
	if !v.Wide && v.Width <= 0 {
		return draw(false)
	}
	tables, err := draw(true)
	if err == nil && !v.Wide && slices.ContainsFunc(tables, func(t string) bool { return textWidth(t) > v.Width }) {
		return draw(false)
	}
	return tables, err
}

// textWidth is the widest line of text, in runes.
func textWidth(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

func drawResults(w io.Writer, s section, markdown, wide bool) error {
	results := s.results
	header := slices.Clone(resultColumns)
	if !slices.ContainsFunc(results, func(r Result) bool { return spread(r.Seconds) }) {
		header[2] = "median"
	}
	load := wide && s.workload == WorkloadIO
	if wide {
		header = append(header, wideColumns...)
	}
	if load {
		header = append(header, loadColumns...)
	}
	rows := make([][]string, len(results))
	for i, r := range results {
		// The predicate decides, whatever the report carries: a figure
		// that would rank a model that may not be ranked is not printed.
		speedup := optional(r.Speedup, func(v float64) string { return fmt.Sprintf("%.2fx", v) })
		if speedupNotCompared(results, r) {
			speedup = notCompared
		}
		efficiency := optional(r.Efficiency, func(v float64) string { return fmt.Sprintf("%.2f", v) })
		if Rankable(r.Work()) != nil {
			efficiency = notCompared
		}
		rows[i] = []string{
			r.Model,
			strconv.Itoa(r.Workers),
			medianSpread(r.Seconds),
			speedup,
			optional(r.BoundSeconds, units.Seconds),
			efficiency,
			strconv.Itoa(r.Failed),
		}
		if wide {
			rows[i] = append(rows[i],
				fmt.Sprintf("%.3f", r.CPUSecondsPerRun),
				strconv.Itoa(r.PeakGoroutines),
				strconv.Itoa(r.PeakThreads),
				strconv.Itoa(r.Processes),
				mib(r.PeakRSSBytes),
			)
		}
		if load {
			rows[i] = append(rows[i], optional(r.RequestsPerSecond, func(v float64) string { return fmt.Sprintf("%.0f", v) }))
			if p := r.RequestSeconds; p != nil {
				rows[i] = append(rows[i], ms(p.P50), ms(p.P90), ms(p.P99), ms(p.Max))
			} else {
				rows[i] = append(rows[i], "n/a", "n/a", "n/a", "n/a")
			}
		}
	}
	return Table(w, header, rows, markdown)
}

// medianSpread is the time cell: the median and, for more than one run, the
// standard deviation, both in the median's unit ("660.0 ± 10.0 ms").
func medianSpread(s Seconds) string {
	if !spread(s) {
		return units.Seconds(s.Median)
	}
	unit, scale := "s", 1.0
	switch a := math.Abs(s.Median); {
	case a >= 1 || a == 0:
	case a >= 1e-3:
		unit, scale = "ms", 1e3
	case a >= 1e-6:
		unit, scale = "µs", 1e6
	default:
		unit, scale = "ns", 1e9
	}
	prec := 1
	if unit == "s" {
		prec = 3
	}
	return fmt.Sprintf("%.*f ± %.*f %s", prec, s.Median*scale, prec, s.Stddev*scale, unit)
}

// ms formats seconds in milliseconds, the one unit of the latency columns.
func ms(s float64) string {
	switch v := s * 1e3; {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// mib formats a byte count in MiB, the one memory unit of every table and
// sentence.
func mib(n int64) string { return fmt.Sprintf("%.1f", float64(n)/(1<<20)) }

// notCompared fills a cell whose figure would rank a model that may not be
// ranked; "n/a" is for a figure that is unknown.
const notCompared = "—"

// speedupNotCompared tells whether r's speedup is missing because r or the
// sequential row may not be ranked, rather than unknown.
func speedupNotCompared(results []Result, r Result) bool {
	seq, ok := baseline(results)
	return Rankable(r.Work()) != nil || (ok && Comparable(seq.Work(), r.Work()) != nil)
}

// converterColumns leave out the distribution, keys, goroutines and calls,
// the same on every row in compare: the heading says them once (see
// renderConverter), and rows that differ get them back as columns.
// ns/op is wall time over calls, the inverse of throughput (ops/s, in the
// JSON), so the table shows one of the two.
var converterColumns = []string{"cache", "cost", "ns/op", "hit ratio", "computations", "entries"}

func converterTable(w io.Writer, results []converter.LoadResult, markdown, shared bool) error {
	rows := make([][]string, len(results))
	for i, c := range results {
		capacity := "unbounded"
		if c.Capacity != nil {
			capacity = strconv.Itoa(*c.Capacity)
		}
		rows[i] = []string{
			c.Cache,
			c.Cost,
			nsPerOp(c),
			fmt.Sprintf("%.3f", c.HitRatio),
			strconv.FormatInt(c.Computations, 10),
			fmt.Sprintf("%d / %s", c.Entries, capacity),
		}
		if !shared {
			rows[i] = slices.Insert(rows[i], 2, fmt.Sprintf("%s %d", c.Dist, c.Keys), strconv.Itoa(c.Goroutines), strconv.FormatInt(c.Ops, 10))
		}
	}
	header := converterColumns
	if !shared {
		header = slices.Insert(slices.Clone(header), 2, "keys", "goroutines", "calls")
	}
	return Table(w, header, rows, markdown)
}

// Table draws rows as compare's tables look: box-drawn (or markdown), the
// first column left-aligned and the numbers right-aligned.
func Table(w io.Writer, header []string, rows [][]string, markdown bool) error {
	align := make(tw.Alignment, len(header))
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0] = tw.AlignLeft
	r := tw.Renderer(renderer.NewBlueprint())
	if markdown {
		r = renderer.NewMarkdown()
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return fmt.Errorf("bench: table: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("bench: table: %w", err)
	}
	return nil
}

// Summary compares the fastest model with each of the others: "eventloop
// ran 152.3 ± 4.1 times faster than sequential". Like the speedup column it
// compares medians, so the two always agree; the ± is the error propagation
// of the two relative standard deviations, and is left out when either model
// ran once (one run has no spread to propagate; hyperfine prints none
// either). Only models that may be ranked against each other (Comparable)
// are compared; for each other model the line says why not ("eventloop
// failed 3 of 6 tasks: not compared"), and the fastest is the fastest of the
// others.
func Summary(results []Result) []string {
	if len(results) < 2 {
		return nil
	}
	var fastest *Result
	for i, r := range results {
		if Rankable(r.Work()) == nil && r.Seconds.Median > 0 && (fastest == nil || r.Seconds.Median < fastest.Seconds.Median) {
			fastest = &results[i]
		}
	}
	var lines []string
	for _, r := range results {
		if fastest != nil && r.Model == fastest.Model {
			continue
		}
		err := Rankable(r.Work())
		if err == nil && fastest != nil {
			err = Comparable(fastest.Work(), r.Work())
		}
		switch {
		case err != nil:
			lines = append(lines, err.Error())
		case fastest != nil:
			ratio, sd := Ratio(r.Seconds.Median, r.Seconds.Stddev, fastest.Seconds.Median, fastest.Seconds.Stddev)
			times := fmt.Sprintf("%.2f", ratio)
			if spread(r.Seconds) && spread(fastest.Seconds) {
				times += fmt.Sprintf(" ± %.2f", sd)
			}
			lines = append(lines, fmt.Sprintf("%s ran %s times faster than %s", fastest.Model, times, r.Model))
		}
	}
	return lines
}

// spread tells whether s has a spread to show: more than one run.
func spread(s Seconds) bool { return len(s.Times) > 1 }

// notes are the warnings under a table: statistical outliers, failed tasks,
// unknown bounds.
func notes(s section) []string {
	results := s.results
	var lines []string
	for _, r := range results {
		if out := Outliers(r.Seconds.Times); len(out) > 0 {
			lines = append(lines, fmt.Sprintf("Warning: %s had %d statistical outlier(s) among %d runs (modified z-score beyond %.1f); "+
				"more warm-up (-warmup) or more runs (-runs) on a quieter machine may help.",
				r.Model, len(out), len(r.Seconds.Times), OutlierThreshold))
		}
	}
	for _, r := range results {
		if r.Startup > 0 {
			lines = append(lines, fmt.Sprintf("%s spent %s a run starting up before its first task (included in its times).",
				r.Model, units.Seconds(r.Startup)))
		}
		if r.PoolStartupSeconds != nil {
			lines = append(lines, fmt.Sprintf("%s's pool was started once, before its runs, in %s (not in its times).",
				r.Model, units.Seconds(*r.PoolStartupSeconds)))
		}
	}
	dashes := false
	for _, r := range results {
		if r.Failed > 0 {
			lines = append(lines, fmt.Sprintf("%s's first failure: %s", r.Model, r.FirstError))
		}
		dashes = dashes || speedupNotCompared(results, r)
	}
	if dashes {
		lines = append(lines, notCompared+" is a figure not compared: a model is ranked only when it, and the model it is measured against, completed every task.")
	}
	if len(results) > 0 && results[0].BoundSeconds == nil {
		seq, hasSeq := baseline(results)
		switch {
		case s.workload == WorkloadIO && s.source == SourceURLs:
			lines = append(lines, "Bounds and efficiency are n/a: real sites have no known latency.")
		case s.workload == WorkloadIO:
			lines = append(lines, "Bounds and efficiency are n/a: with no latency there is no bound to approach.")
		case hasSeq && Rankable(seq.Work()) != nil:
			lines = append(lines, "Bounds are n/a: they divide the sequential time, and the sequential row failed tasks.")
		default:
			lines = append(lines, "Speedup, bounds and efficiency are n/a without the sequential row.")
		}
	}
	return lines
}

func optional(v *float64, f func(float64) string) string {
	if v == nil {
		return "n/a"
	}
	return f(*v)
}
