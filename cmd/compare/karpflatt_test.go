package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
)

func TestKarpFlatt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		speedup float64
		p       int
		want    float64
		ok      bool
	}{
		{name: "a perfect speedup has no serial part", speedup: 2, p: 2, want: 0, ok: true},
		{name: "no speedup is all serial", speedup: 1, p: 4, want: 1, ok: true},
		{name: "1.6x on 2 processors is a quarter serial", speedup: 1.6, p: 2, want: 0.25, ok: true},
		{name: "3x on 4 processors is a ninth serial", speedup: 3, p: 4, want: 1.0 / 9, ok: true},
		{name: "slower than one worker is above 1", speedup: 0.5, p: 2, want: 3, ok: true},
		{name: "one processor has nothing to measure", speedup: 1, p: 1, ok: false},
		{name: "no speedup measured", speedup: 0, p: 2, ok: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := karpFlatt(tc.speedup, tc.p)
			require.Equal(t, tc.ok, ok)
			assert.InDelta(t, tc.want, e, 1e-12)
			if ok {
				// Amdahl's law with that fraction gives the speedup back.
				assert.InDelta(t, tc.speedup, amdahl(e, tc.p), 1e-12)
			}
		})
	}
}

func TestFraction(t *testing.T) {
	e, _ := karpFlatt(2.0000001, 2)
	assert.Equal(t, "0.000", fraction(e), "a speedup of p is no serial part, not a negative one")
	assert.Equal(t, "-0.050", fraction(-0.05), "a superlinear speedup keeps its sign")
	assert.Equal(t, "0.250", fraction(0.25))
}

func TestAmdahl(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    float64
		p    int
		want float64
	}{
		{name: "no serial part scales with the processors", e: 0, p: 8, want: 8},
		{name: "all serial never gains", e: 1, p: 8, want: 1},
		{name: "a tenth serial on 10 processors", e: 0.1, p: 10, want: 1 / 0.19},
		{name: "one processor is 1x whatever e", e: 0.3, p: 1, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, amdahl(tc.e, tc.p), 1e-12)
		})
	}
}

// cpuSweep is a CPU sweep of one model over counts with the given medians,
// on a machine of cpus CPUs and gomaxprocs Ps.
func cpuSweep(model string, processes, cpus, gomaxprocs int, counts []int, medians []float64) sweepDoc {
	doc := sweepDoc{Workload: bench.WorkloadCPU, Counts: counts, Tasks: 20,
		Env: bench.Env{CPUs: cpus, GOMAXPROCS: gomaxprocs}}
	for i, n := range counts {
		r := bench.Result{Model: model, Workers: min(n, 20), Tasks: 20, Processes: processes}
		r.Seconds.Median = medians[i]
		doc.Results = append(doc.Results, sweepPoint{Requested: n, Result: r})
	}
	setSweepSpeedups(doc.Results)
	return doc
}

func TestWriteKarpFlatt(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  sweepDoc
		want []string // lines or cells the output must hold
		not  []string
	}{
		{
			name: "goroutines on 2 Ps: the fraction at 2 and Amdahl's prediction for 4",
			doc:  cpuSweep("threaded", 1, 2, 2, []int{1, 2, 4}, []float64{1, 0.625, 0.6}),
			// S = 1.6 at 2: e = 0.25; at 4 workers p is still 2, so Amdahl predicts 1.6x again.
			want: []string{"│ threaded │       2 │ 2 │   1.60x │    0.250 │   1.60x at 4 │    1.67x │",
				"│ threaded │       4 │ 2 │   1.67x │    0.200 │            — │        — │"},
			not: []string{"above 1"},
		},
		{
			name: "processes count the CPUs, not their GOMAXPROCS",
			doc:  cpuSweep("multiproc", 3, 4, 1, []int{1, 2, 4}, []float64{1, 0.6, 1.0 / 3}),
			// S = 1/0.6 at 2: e = 0.2; at 4 workers p = 4: 1/(0.2 + 0.8/4) = 2.5x.
			want: []string{"│ multiproc │       2 │ 2 │   1.67x │    0.200 │   2.50x at 4 │    3.00x │"},
		},
		{
			name: "a run slower than one worker is said to be",
			doc:  cpuSweep("multiproc", 3, 2, 2, []int{1, 2}, []float64{1, 2}),
			want: []string{"│ multiproc │       2 │ 2 │   0.50x │    3.000 │", "An e above 1 is a run slower than one worker"},
		},
		{
			name: "one P leaves nothing to measure",
			doc:  cpuSweep("threaded", 1, 2, 1, []int{1, 2, 4}, []float64{1, 1, 1}),
			want: []string{"No count ran on more than one processor"},
			not:  []string{"Karp-Flatt),"},
		},
		{
			name: "a sweep that does not start at one worker",
			doc:  cpuSweep("threaded", 1, 2, 2, []int{2, 4}, []float64{1, 1}),
			want: []string{"needs a speedup against one worker: start -workers at 1."},
		},
		{
			name: "the io sweep has none",
			doc: func() sweepDoc {
				d := cpuSweep("threaded", 1, 2, 2, []int{1, 2}, []float64{1, 0.5})
				d.Workload = bench.WorkloadIO
				return d
			}(),
			not: []string{"Karp-Flatt", "serial"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, writeKarpFlatt(&b, tc.doc, sweepModelsOf(tc.doc.Results), false))
			for _, w := range tc.want {
				assert.Contains(t, b.String(), w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, b.String(), n)
			}
		})
	}
}
