package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"conclab/converter"
	"conclab/internal/units"
)

// Empty reports whether no table of the section has a row.
func (c *ConverterSection) Empty() bool {
	return len(c.Results) == 0 && len(c.Processes) == 0 && len(c.Backpressure) == 0
}

// renderConverter writes the converter's tables, each under its heading
// and followed by what its figures say: the cache variants, the load
// across processes, the backpressure table, whichever ran.
func renderConverter(b *strings.Builder, c *ConverterSection, markdown bool, heading func(string), para func([]string)) error {
	if len(c.Results) > 0 {
		r := c.Results[0]
		shared := sameLoad(c.Results)
		title := "Converter's caches"
		if shared {
			title = fmt.Sprintf("Converter's caches: %d goroutines, %s calls on %s amounts (%s)",
				r.Goroutines, units.Thousands(r.Ops), units.Thousands(int64(r.Keys)), r.Dist)
		}
		if runs := r.Runs; runs > 1 {
			title += fmt.Sprintf(", median ± spread of %d runs", runs)
		}
		heading(title)
		if err := converterTable(b, c.Results, markdown, shared); err != nil {
			return err
		}
		para(converter.Summary(c.Results))
	}
	if len(c.Processes) > 0 {
		p := c.Processes[0]
		procs := fmt.Sprintf("%d processes", p.Procs)
		if p.Procs == 1 {
			procs = "1 process"
		}
		heading(fmt.Sprintf("Converter across %s: one load, %s calls of cost %s, %d goroutines each",
			procs, units.Thousands(p.Ops), p.Cost, p.Goroutines))
		if err := processesTable(b, c.Processes, markdown); err != nil {
			return err
		}
		var lines []string
		for _, r := range c.Processes {
			if r.Failed > 0 {
				lines = append(lines, fmt.Sprintf("%s: %d of %d calls failed, the first with: %s", r.Share, r.Failed, r.Ops, r.Error))
			}
		}
		para(append(lines, c.Notes...))
	}
	if len(c.Backpressure) > 0 {
		r := c.Backpressure[0]
		heading(fmt.Sprintf("Converter's rate service of capacity K: %d goroutines, %d calls a row, with no bound or a semaphore",
			r.Goroutines, r.Calls))
		if err := backpressureTable(b, c.Backpressure, markdown); err != nil {
			return err
		}
		para(converter.BackpressureSummary(c.Backpressure))
	}
	return nil
}

var processesColumns = []string{"sharing", "procs", "time", "ops/s", "hit ratio", "computations", "distinct", "repeated", "failed"}

func processesTable(w io.Writer, results []converter.ProcsResult, markdown bool) error {
	rows := make([][]string, len(results))
	for i, r := range results {
		rows[i] = []string{
			r.Share,
			strconv.Itoa(r.Procs),
			units.Seconds(r.Seconds),
			fmt.Sprintf("%.0f", r.OpsPerSecond),
			fmt.Sprintf("%.3f", r.HitRatio),
			strconv.FormatInt(r.Computations, 10),
			strconv.FormatInt(r.Distinct, 10),
			strconv.FormatInt(r.Repeated, 10),
			strconv.FormatInt(r.Failed, 10),
		}
	}
	return Table(w, processesColumns, rows, markdown)
}

var backpressureColumns = []string{"K", "semaphore", "served/s", "overloaded", "timed out", "mean", "max", "most at once"}

func backpressureTable(w io.Writer, results []converter.BackpressureResult, markdown bool) error {
	rows := make([][]string, len(results))
	for i, r := range results {
		sem := "no"
		if r.Semaphore {
			sem = "yes"
		}
		rows[i] = []string{
			strconv.Itoa(r.Capacity),
			sem,
			fmt.Sprintf("%.0f", r.ServedPerSecond),
			strconv.FormatInt(r.Overloaded, 10),
			strconv.FormatInt(r.TimedOut, 10),
			units.Seconds(r.MeanServedSeconds),
			units.Seconds(r.MaxServedSeconds),
			strconv.FormatInt(r.MaxInFlight, 10),
		}
	}
	return Table(w, backpressureColumns, rows, markdown)
}

// nsPerOp is a converter row's time per call: median ± spread, or the one
// run's time alone, which has no spread to show.
func nsPerOp(r converter.LoadResult) string {
	if r.Runs <= 1 {
		return fmt.Sprintf("%.1f", r.NsPerOp)
	}
	return fmt.Sprintf("%.1f ± %.1f", r.NsPerOp, r.NsPerOpSpread)
}

// sameLoad tells whether every row ran the same load (goroutines, calls,
// keys and their distribution), which the heading then says once; rows that
// differ keep those figures in columns of their own.
func sameLoad(results []converter.LoadResult) bool {
	for _, r := range results[1:] {
		if r.Goroutines != results[0].Goroutines || r.Ops != results[0].Ops ||
			r.Keys != results[0].Keys || r.Dist != results[0].Dist {
			return false
		}
	}
	return true
}
