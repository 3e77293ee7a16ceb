package bench

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"conclab/converter"
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

// Render writes the report in the given format.
func Render(w io.Writer, rep Report, f Format) error {
	switch f {
	case FormatTable, FormatMarkdown:
		return renderText(w, rep, f == FormatMarkdown)
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

// renderBench writes Go benchmark-format lines, one per measured run, so that
// benchstat compares the models from one file:
//
//	benchstat -col /model -ignore /workers out.txt
//
// (the worker count differs between models, so it is ignored to line the
// rows up). Each converter load is one line, with its hit ratio and
// computations per call as extra metrics, as its benchmarks report them.
func renderBench(w io.Writer, rep Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "goos: %s\ngoarch: %s\npkg: conclab/cmd/compare\n", rep.Env.OS, rep.Env.Arch)
	for _, s := range sections(rep) {
		name := "Benchmark" + strings.ToUpper(s.workload)
		for _, r := range s.results {
			for _, t := range r.Seconds.Times {
				fmt.Fprintf(&b, "%s/model=%s/workers=%d \t       1\t%12.0f ns/op\n", name, r.Model, r.Workers, t*1e9)
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
				fmt.Fprintf(&b, "BenchmarkConvert/cache=%s/cost=%s/dist=%s/goroutines=%d \t%8d\t%12.1f ns/op\t%8.4f hit-ratio\t%8.4f computations/op\n",
					c.Cache, c.Cost, c.Dist, c.Goroutines, c.Ops, ns, c.HitRatio, computations)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

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
func renderText(w io.Writer, rep Report, markdown bool) error {
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
			b.WriteString(l + "\n")
		}
	}
	for _, s := range sections(rep) {
		heading(s.title)
		if err := resultTable(&b, s.results, markdown); err != nil {
			return err
		}
		para(append(append(Summary(s.results), notes(s)...), s.ref))
	}
	if c := rep.Converter; c != nil {
		if err := renderConverter(&b, c, markdown, heading, para); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// The columns of a workload's table.
var resultColumns = []string{"model", "workers", "median", "±stddev", "min", "speedup", "bound",
	"efficiency", "failed", "cpu s", "goroutines", "threads", "procs", "rss"}

func resultTable(w io.Writer, results []Result, markdown bool) error {
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
			units.Seconds(r.Seconds.Median),
			"±" + units.Seconds(r.Seconds.Stddev),
			units.Seconds(r.Seconds.Min),
			speedup,
			optional(r.BoundSeconds, units.Seconds),
			efficiency,
			strconv.Itoa(r.Failed),
			fmt.Sprintf("%.2f", r.CPUSeconds),
			strconv.Itoa(r.PeakGoroutines),
			strconv.Itoa(r.PeakThreads),
			strconv.Itoa(r.Processes),
			bytesIEC(r.PeakRSSBytes),
		}
	}
	return Table(w, resultColumns, rows, markdown)
}

// notCompared fills a cell whose figure would rank a model that may not be
// ranked; "n/a" is for a figure that is unknown.
const notCompared = "—"

// speedupNotCompared tells whether r's speedup is missing because r or the
// sequential row may not be ranked, rather than unknown.
func speedupNotCompared(results []Result, r Result) bool {
	seq, ok := baseline(results)
	return Rankable(r.Work()) != nil || (ok && Comparable(seq.Work(), r.Work()) != nil)
}

// converterColumns leave out the distribution, keys and goroutines, the
// same on every row: the heading says them once (see renderConverter).
// ns/op is wall time over calls, the inverse of throughput (ops/s, in the
// JSON), so the table shows one of the two.
var converterColumns = []string{"cache", "cost", "ns/op", "hit ratio", "computations", "entries"}

func converterTable(w io.Writer, results []converter.LoadResult, markdown bool) error {
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
	}
	return Table(w, converterColumns, rows, markdown)
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

// Summary compares the fastest model (by mean, as hyperfine does) with each
// of the others: "eventloop ran 152.3 ± 4.1 times faster than sequential",
// the ± by error propagation of the two relative standard deviations. Only
// models that may be ranked against each other (Comparable) are compared;
// for each other model the line says why not ("eventloop failed 3 of 6
// tasks: not compared"), and the fastest is the fastest of the others.
func Summary(results []Result) []string {
	if len(results) < 2 {
		return nil
	}
	var fastest *Result
	for i, r := range results {
		if Rankable(r.Work()) == nil && r.Seconds.Mean > 0 && (fastest == nil || r.Seconds.Mean < fastest.Seconds.Mean) {
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
			ratio, sd := Ratio(r.Seconds.Mean, r.Seconds.Stddev, fastest.Seconds.Mean, fastest.Seconds.Stddev)
			lines = append(lines, fmt.Sprintf("%s ran %.2f ± %.2f times faster than %s", fastest.Model, ratio, sd, r.Model))
		}
	}
	return lines
}

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

// bytesIEC formats a byte count in binary units.
func bytesIEC(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, u := float64(n), 0
	for f >= unit && u < 4 {
		f /= unit
		u++
	}
	return fmt.Sprintf("%.1f %ciB", f, "BKMGT"[u])
}
