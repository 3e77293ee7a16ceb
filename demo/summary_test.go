package demo_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
	"conclab/demo"
)

// full is a plausible run on two cores; the cases below change one thing.
func full() measurements {
	return measurements{
		CPUs: 2, GOMAXPROCS: 2,
		IO: []measurement{
			{Model: "sequential", Workers: 1, Median: 3.3, Speedup: 1, CPU: 0.08, PeakGoroutines: 4, Tasks: 160},
			{Model: "threaded", Workers: 5, Median: 0.68, Speedup: 4.9, CPU: 0.2, PeakGoroutines: 14, Tasks: 160},
			{Model: "eventloop", Workers: 160, Median: 0.05, Speedup: 66, CPU: 0.3, PeakGoroutines: 2, Tasks: 160},
			{Model: "multiproc", Workers: 2, Median: 1.7, Speedup: 1.9, CPU: 0.3, PeakGoroutines: 5, Tasks: 160},
		},
		CPU: []measurement{
			{Model: "sequential", Workers: 1, Median: 0.4, Speedup: 1, CPU: 1, Tasks: 20},
			{Model: "threaded", Workers: 5, Median: 0.22, Speedup: 1.8, CPU: 1.9, Tasks: 20},
			{Model: "eventloop", Workers: 20, Median: 0.41, Speedup: 0.98, CPU: 1, Tasks: 20},
			{Model: "multiproc", Workers: 2, Median: 0.24, Speedup: 1.7, CPU: 1.8, Tasks: 20},
		},
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name   string
		change func(*measurements)
		want   []string
		not    []string
		lines  int
	}{
		{
			name:  "a full run names each workload's fastest model and ends with the rule",
			lines: 4,
			want: []string{"I/O-bound: eventloop was fastest (0.050 s, 66.0× sequential).",
				"CPU-bound: threaded was fastest (0.220 s, 1.8× sequential, 1.9 cores busy of 2).",
				"the time went to waiting", "Go has no GIL", "in Go they buy isolation", "Memory: for 160 requests the event loop peaked at 2 goroutines",
				"In Go goroutines cover both workloads"},
			not: []string{"not compared", "none is ranked"},
		},
		{
			name: "the winner comes from the numbers, not from the model's name",
			change: func(m *measurements) {
				m.IO[1].Median, m.IO[2].Median = 0.04, 0.6
				m.CPU[1].Median, m.CPU[3].Median = 0.3, 0.21
			},
			want: []string{"I/O-bound: threaded was fastest (0.040 s", "The loop took 15.0× the pool's time.",
				"CPU-bound: multiproc was fastest (0.210 s", "The pool of goroutines ran the sums in parallel (1.8× sequential, 1.9 cores busy)"},
			not: []string{"eventloop was fastest"},
		},
		{
			name: "io that kept the cores busy is not called CPU-light",
			change: func(m *measurements) {
				for i := range m.IO {
					m.IO[i].CPU = 1.5
				}
			},
			want: []string{"kept 1.50 cores busy on average: not CPU-light"},
			not:  []string{"waiting, not computing", "Overlap the waits"},
		},
		{
			name: "with GOMAXPROCS=1 the pool shows what the GIL leaves to threads",
			change: func(m *measurements) {
				m.GOMAXPROCS = 1
				m.CPU[1] = measurement{Model: "threaded", Workers: 5, Median: 0.41, Speedup: 0.98, CPU: 1, Tasks: 20}
				m.CPU[3].Median, m.CPU[3].Speedup = 0.23, 1.74
			},
			want: []string{"CPU-bound: multiproc was fastest", "With GOMAXPROCS=1 the pool of goroutines used one core (1.0× sequential, 1.0 cores busy)",
				"Processes took 0.56× the pool's time: separate processes escaped", "the rule held here as it does in Python"},
			not: []string{"Go has no GIL"},
		},
		{
			name: "a pool with no free core gains nothing, and says why",
			change: func(m *measurements) {
				m.CPU[1] = measurement{Model: "threaded", Median: 0.4, Speedup: 1.0, CPU: 1.0, Tasks: 20}
				m.CPU[3] = measurement{Model: "multiproc", Median: 0.42, Speedup: 0.95, CPU: 1.0, Tasks: 20}
			},
			want: []string{"The pool of goroutines gained nothing", "Processes took 1.05× the pool's time."},
		},
		{
			name: "failed tasks make a time incomparable",
			change: func(m *measurements) {
				m.IO[3].Failed = 3
			},
			want: []string{"multiproc failed 3 of 160 tasks: not compared."},
			not:  []string{"Processes took 34"},
		},
		{
			name: "the quickest model that failed tasks is not the fastest, and nothing is compared with it",
			change: func(m *measurements) {
				m.IO[2].Failed = 160
			},
			want: []string{"I/O-bound: threaded was fastest (0.680 s, 4.9× sequential).", "eventloop failed 160 of 160 tasks: not compared."},
			not:  []string{"eventloop was fastest", "the loop's time", "Memory"},
		},
		{
			name: "when every model failed none is ranked",
			change: func(m *measurements) {
				for i := range m.IO {
					m.IO[i].Failed = 160
				}
			},
			want: []string{"I/O-bound: no model completed every task, so none is ranked. sequential failed 160 of 160 tasks: not compared.",
				"multiproc failed 160 of 160 tasks: not compared."},
			not: []string{"I/O-bound: eventloop", "Processes took 34", "the loop's time", "Memory"},
		},
		{
			name: "a pool of goroutines that failed sums teaches nothing about parallelism",
			change: func(m *measurements) {
				m.CPU[1].Failed = 2
			},
			want: []string{"CPU-bound: multiproc was fastest (0.240 s", "threaded failed 2 of 20 tasks: not compared.",
				"This run could not show goroutines computing in parallel"},
			not: []string{"Go has no GIL", "the pool's time"},
		},
		{
			name: "only one workload gives its line and the rule",
			change: func(m *measurements) {
				m.IO = nil
			},
			lines: 2,
			want:  []string{"CPU-bound:"},
			not:   []string{"I/O-bound", "Memory"},
		},
		{
			name: "without goroutine counts there is no memory line",
			change: func(m *measurements) {
				for i := range m.IO {
					m.IO[i].PeakGoroutines = 0
				}
			},
			lines: 3,
			not:   []string{"Memory"},
		},
		{
			name: "unknown figures are left out, not printed as zero",
			change: func(m *measurements) {
				for _, ms := range [][]measurement{m.IO, m.CPU} {
					for i := range ms {
						ms[i].Speedup, ms[i].CPU = 0, 0
					}
				}
				m.CPUs = 0
			},
			want: []string{"I/O-bound: eventloop was fastest (0.050 s).", "CPU-bound: threaded was fastest (0.220 s)."},
			not:  []string{"0.0×", "cores busy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := full()
			if tt.change != nil {
				tt.change(&m)
			}
			lines := demo.Summary(m.report())
			text := strings.Join(lines, "\n")
			if tt.lines > 0 {
				assert.Len(t, lines, tt.lines, text)
			}
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, text, n)
			}
		})
	}
}

func TestSummaryOfNothing(t *testing.T) {
	assert.Nil(t, demo.Summary(bench.Report{}))
	assert.Nil(t, demo.Summary(measurements{IO: []measurement{{Model: "sequential"}}}.report()), "a model without a median is not measured")
	var b strings.Builder
	require.NoError(t, demo.WriteSummary(&b, bench.Report{}, 0))
	assert.Empty(t, b.String())
}

func TestWriteSummaryWraps(t *testing.T) {
	for _, width := range []int{0, 40, 72, 100} {
		var b strings.Builder
		require.NoError(t, demo.WriteSummary(&b, full().report(), width))
		limit := width
		if limit == 0 {
			limit = 72
		}
		words := 0
		for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			assert.LessOrEqual(t, utf8.RuneCountInString(line), limit, "width %d: %q", width, line)
			words += len(strings.Fields(line))
		}
		want := 0
		for _, p := range demo.Summary(full().report()) {
			want += len(strings.Fields(p))
		}
		assert.Equal(t, want, words, "width %d keeps every word", width)
	}
}

// The summary finds the loop, the pool of goroutines and the pool of
// processes by what each model declared (bench.Traits), whatever it is
// called; a model that declares nothing of the kind is none of them.
func TestSummaryReadsTraitsNotNames(t *testing.T) {
	renamed := full().report()
	for _, sec := range [][]bench.Result{renamed.IO.Results, renamed.CPU.Results} {
		for i := range sec {
			if sec[i].Model != bench.Baseline {
				sec[i].Model = "model " + string(rune('A'+i))
			}
		}
	}
	text := strings.Join(demo.Summary(renamed), "\n")
	for _, w := range []string{"The pool took 13.6× the loop's time", "Processes took 1.09× the pool's time",
		"The event loop ran them on one goroutine", "Memory: for 160 requests the event loop peaked at 2 goroutines"} {
		assert.Contains(t, text, w)
	}

	undeclared := full().report()
	for _, sec := range [][]bench.Result{undeclared.IO.Results, undeclared.CPU.Results} {
		for i := range sec {
			sec[i].UsesProcesses, sec[i].OneGoroutine = false, false
		}
	}
	text = strings.Join(demo.Summary(undeclared), "\n")
	assert.NotContains(t, text, "Processes took", "no model declared processes")
}
