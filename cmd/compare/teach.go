package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

	"conclab/bench"
	"conclab/demo"
	"conclab/timeline"
)

// summaryWidth is where the decision summary's paragraphs wrap.
const summaryWidth = 80

// render writes the report. In the text formats each table is followed by
// its timelines (-timeline), and a whole comparison ends with the decision
// summary; the other formats are bench's alone.
func render(w io.Writer, rep bench.Report, o options) error {
	text := o.format == bench.FormatTable || o.format == bench.FormatMarkdown
	v := view(w, o)
	if !text || (o.timeline == "" && !o.full()) {
		return bench.RenderView(w, rep, o.format, v)
	}
	markdown := o.format == bench.FormatMarkdown
	for i, part := range splitReport(rep) {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := bench.RenderView(w, part, o.format, v); err != nil {
			return err
		}
		if o.timeline != "" {
			if err := writeTimelines(w, part, o, markdown); err != nil {
				return err
			}
		}
	}
	if o.full() && (rep.IO != nil || rep.CPU != nil) {
		return writeSummary(w, rep, markdown)
	}
	return nil
}

// splitReport returns one report per part that ran, in the order the tables
// are printed, so that each table can be followed by its pictures.
func splitReport(rep bench.Report) []bench.Report {
	var parts []bench.Report
	empty := bench.Report{Schema: rep.Schema, Env: rep.Env}
	if rep.IO != nil {
		p := empty
		p.IO = rep.IO
		parts = append(parts, p)
	}
	if rep.CPU != nil {
		p := empty
		p.CPU = rep.CPU
		parts = append(parts, p)
	}
	if rep.Converter != nil {
		p := empty
		p.Converter = rep.Converter
		parts = append(parts, p)
	}
	return parts
}

// timelineRuns turns each model's last measured run into a timeline, the
// I/O runs first.
func timelineRuns(rep bench.Report) []timeline.Run {
	var runs []timeline.Run
	add := func(workload string, results []bench.Result) {
		for _, r := range results {
			label := fmt.Sprintf("%s, %s, last of %d runs", r.Model, workload, r.Runs)
			if r.Runs == 1 {
				label = fmt.Sprintf("%s, %s", r.Model, workload)
			}
			run := r.Timeline(label)
			run.Group = r.Model // one colour per model in the SVG picture
			runs = append(runs, run)
		}
	}
	if rep.IO != nil {
		add(bench.WorkloadIO, rep.IO.Results)
	}
	if rep.CPU != nil {
		add(bench.WorkloadCPU, rep.CPU.Results)
	}
	return runs
}

func timelineOptions(o options) timeline.Options {
	return timeline.Options{ByTask: o.timeline == viewTasks}
}

// writeTimelines draws the part's runs under its table.
func writeTimelines(w io.Writer, part bench.Report, o options, markdown bool) error {
	runs := timelineRuns(part)
	if len(runs) == 0 {
		return nil
	}
	title := "Timelines of each model's last run: one row per worker goroutine (w0, w1, ...) or process (pid)"
	if o.timeline == viewTasks {
		title = "Timelines of each model's last run: one row per task, in order of start, with the lane it ran in"
	}
	pic := timeline.String(runs, timelineOptions(o))
	var err error
	if markdown {
		_, err = fmt.Fprintf(w, "\n#### %s\n\n```text\n%s```\n", title, pic)
	} else {
		_, err = fmt.Fprintf(w, "\n%s\n\n%s", title, pic)
	}
	return err
}

// writeSVG writes the timelines of every run to f and renames it into
// place.
func writeSVG(f *pendingFile, rep bench.Report, o options, stderr io.Writer) error {
	runs := timelineRuns(rep)
	opt := timelineOptions(o)
	opt.SameScale = o.out.svgAxis != axisOwn
	err := timeline.WriteSVG(f, runs, opt)
	if err == nil {
		err = f.commit()
	}
	if err != nil {
		return fmt.Errorf("-svg %s: %w", o.svg, err)
	}
	fmt.Fprintf(stderr, "svg: %d timeline(s) written to %s\n", len(runs), o.svg)
	return nil
}

// writeSummary turns the report into the decision summary.
func writeSummary(w io.Writer, rep bench.Report, markdown bool) error {
	title := "What to use, from these measurements"
	if markdown {
		title = "### " + title + "\n"
	}
	if _, err := fmt.Fprintf(w, "\n%s\n", title); err != nil {
		return err
	}
	return demo.WriteSummary(w, rep, summaryWidth)
}

// limitProcs sets GOMAXPROCS to n for this process and, through the
// environment, for every child started until restore is called: the
// process pool's workers. n of 0 changes nothing. The environment is the
// process's, so compare calls it around one part at a time, never
// concurrently.
func limitProcs(n int) (restore func()) {
	if n <= 0 {
		return func() {}
	}
	const env = "GOMAXPROCS"
	prev := runtime.GOMAXPROCS(n)
	old, had := os.LookupEnv(env)
	_ = os.Setenv(env, strconv.Itoa(n))
	return func() {
		if had {
			_ = os.Setenv(env, old)
			runtime.GOMAXPROCS(prev)
			return
		}
		// Back to the runtime's own choice, which follows the CPU limit.
		_ = os.Unsetenv(env)
		runtime.SetDefaultGOMAXPROCS()
	}
}
