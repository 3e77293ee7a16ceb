package main

import (
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
)

// The sweep knows a model that runs worker processes by what it declared
// (bench.Traits), whatever its name: its memory gets a column, and a count
// above the CPUs a note.
func TestSweepReadsTraitsNotNames(t *testing.T) {
	over := runtime.NumCPU() + 1
	counts := []int{1, over}
	for _, tc := range []struct {
		name      string
		processes bool
	}{
		{"a model of processes", true},
		{"a model of goroutines", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := sweepDoc{Counts: counts, Tasks: 1000, Workload: bench.WorkloadCPU}
			for _, n := range counts {
				r := bench.Result{Model: "pool", Tasks: 1000, Workers: n, UsesProcesses: tc.processes, PeakRSSBytes: 3 << 20}
				r.Seconds.Median = 0.1
				doc.Results = append(doc.Results, sweepPoint{Requested: n, Result: r})
			}
			var b strings.Builder
			require.NoError(t, writeSweep(&b, doc, options{format: bench.FormatTable}))
			note := "pool at " + strconv.Itoa(over) + ": " + strconv.Itoa(over) + " worker processes"
			if tc.processes {
				assert.Contains(t, b.String(), "rss")
				assert.Contains(t, b.String(), "3.0 MiB")
				assert.Contains(t, strings.Join(sweepNotes(doc, []string{"pool"}), "\n"), note)
			} else {
				assert.NotContains(t, b.String(), "rss")
				assert.NotContains(t, strings.Join(sweepNotes(doc, []string{"pool"}), "\n"), note)
			}
		})
	}
}
