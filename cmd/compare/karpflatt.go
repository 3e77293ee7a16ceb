package main

import (
	"fmt"
	"io"
	"strconv"

	"conclab/bench"
)

// Amdahl's law says a job whose serial fraction is e runs at most
// 1/(e + (1-e)/p) times faster on p processors. The Karp-Flatt metric turns
// that around: from a measured speedup S on p processors it gives the
// serial fraction the run behaved as if it had,
//
//	e = (1/S - 1/p) / (1 - 1/p),
//
// start-up, the longest task, and the machine's other load included. A
// fraction that grows with p means the overhead grows with the workers, not
// that the job has more serial code.

// karpFlatt returns the serial fraction of a run that went speedup times
// faster on p processors than on one, and false where there is none to
// measure: one processor, or no speedup.
func karpFlatt(speedup float64, p int) (float64, bool) {
	if p < 2 || speedup <= 0 {
		return 0, false
	}
	inv := 1 / float64(p)
	return (1/speedup - inv) / (1 - inv), true
}

// fraction prints a serial fraction with three decimals, and one that rounds
// to zero (a speedup of p, computed a hair above it) without a minus sign.
func fraction(e float64) string {
	s := fmt.Sprintf("%.3f", e)
	if s == "-0.000" {
		return "0.000"
	}
	return s
}

// amdahl is the speedup Amdahl's law predicts on p processors for a serial
// fraction e.
func amdahl(e float64, p int) float64 {
	return 1 / (e + (1-e)/float64(max(p, 1)))
}

// writeKarpFlatt prints, for a CPU sweep that began at one worker, each
// count's serial fraction and what Amdahl's law predicts from it for the
// next count, beside what the next count measured.
func writeKarpFlatt(w io.Writer, doc sweepDoc, models []string, markdown bool) error {
	if doc.Workload != bench.WorkloadCPU || len(doc.Counts) < 2 {
		return nil
	}
	if doc.Counts[0] != 1 {
		_, err := fmt.Fprintln(w, "\nThe serial fraction (Karp-Flatt) needs a speedup against one worker: start -workers at 1.")
		return err
	}
	header := []string{"model", "workers", "p", "speedup", "serial e", "Amdahl: next", "measured"}
	var rows [][]string
	slower := false
	for _, m := range models {
		for i, n := range doc.Counts[1:] {
			pt, ok := findPoint(doc.Results, m, n)
			if !ok || pt.Speedup == nil {
				continue
			}
			p := doc.Env.Cores(pt.Workers, pt.Tasks, pt.UsesProcesses)
			e, ok := karpFlatt(*pt.Speedup, p)
			if !ok {
				continue
			}
			slower = slower || e > 1
			predicted, measured := "—", "—"
			if i+2 < len(doc.Counts) {
				next := doc.Counts[i+2]
				predicted = fmt.Sprintf("%.2fx at %d", amdahl(e, doc.Env.Cores(next, pt.Tasks, pt.UsesProcesses)), next)
				if q, ok := findPoint(doc.Results, m, next); ok && q.Speedup != nil {
					measured = fmt.Sprintf("%.2fx", *q.Speedup)
				}
			}
			rows = append(rows, []string{m, strconv.Itoa(n), strconv.Itoa(p),
				fmt.Sprintf("%.2fx", *pt.Speedup), fraction(e), predicted, measured})
		}
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "\nNo count ran on more than one processor: there is no serial fraction to measure (Karp-Flatt).")
		return err
	}
	title := "Serial fraction e from each speedup S on p processors (Karp-Flatt),\n" +
		"e = (1/S - 1/p) / (1 - 1/p), and what Amdahl's law, S = 1 / (e + (1-e)/p),\n" +
		"predicts from it for the next count:"
	if markdown {
		title = "\n" + title + "\n"
	}
	if _, err := fmt.Fprintf(w, "\n%s\n", title); err != nil {
		return err
	}
	if err := bench.Table(w, header, rows, markdown); err != nil {
		return err
	}
	notes := "p counts the workers that can compute at once: goroutines share GOMAXPROCS,\n" +
		"processes the CPUs. Past the cores Amdahl predicts no more gain. An e that grows\n" +
		"with the workers is overhead that grows with them, not serial code.\n"
	if slower {
		notes += "An e above 1 is a run slower than one worker: the added workers cost more\n" +
			"(start-up, switching, a machine busy with other work) than they computed.\n"
	}
	_, err := io.WriteString(w, notes)
	return err
}
