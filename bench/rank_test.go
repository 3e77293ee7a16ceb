package bench

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComparable(t *testing.T) {
	done := func(model string, tasks int) Work { return Work{Model: model, Tasks: tasks} }
	tests := []struct {
		name string
		a, b Work
		want string // the reason, "" when the two may be ranked
	}{
		{"two models that did every task are compared", done("sequential", 6), done("eventloop", 6), ""},
		{"a model that failed tasks is not", done("sequential", 6), Work{"eventloop", 6, 3}, "eventloop failed 3 of 6 tasks: not compared"},
		{"whichever side failed", Work{"sequential", 6, 1}, done("eventloop", 6), "sequential failed 1 of 6 tasks: not compared"},
		{"nor is one that failed every task", Work{"threaded", 80, 80}, Work{"eventloop", 80, 80}, "threaded failed 80 of 80 tasks: not compared"},
		{"different tasks are not compared", done("threaded", 4), done("multiproc", 6), "threaded ran 4 tasks and multiproc 6: not compared"},
		{"a model that ran no task is not", done("sequential", 0), done("threaded", 0), "sequential ran no task: not compared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Comparable(tt.a, tt.b)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrNotCompared)
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestSummaryRanksOnlyComparableModels(t *testing.T) {
	row := func(model string, mean float64, failed int) Result {
		return Result{Model: model, Tasks: 6, Failed: failed, Seconds: Seconds{Mean: mean, Median: mean, Stddev: mean / 100, Times: []float64{mean, mean, mean}}}
	}
	tests := []struct {
		name    string
		results []Result
		want    []string
	}{
		{
			"every model complete: the fastest against each other",
			[]Result{row("sequential", 3, 0), row("threaded", 0.6, 0), row("eventloop", 0.05, 0)},
			[]string{"eventloop ran 60.00 ± 0.85 times faster than sequential", "eventloop ran 12.00 ± 0.17 times faster than threaded"},
		},
		{
			"the quickest model failed: the fastest of the others leads, the quickest is not compared",
			[]Result{row("sequential", 3, 0), row("threaded", 0.6, 0), row("eventloop", 0.05, 3)},
			[]string{"threaded ran 5.00 ± 0.07 times faster than sequential", "eventloop failed 3 of 6 tasks: not compared"},
		},
		{
			"every model failed: no ranking at all",
			[]Result{row("sequential", 0.009, 6), row("threaded", 0.006, 6), row("eventloop", 0.002, 6)},
			[]string{"sequential failed 6 of 6 tasks: not compared", "threaded failed 6 of 6 tasks: not compared",
				"eventloop failed 6 of 6 tasks: not compared"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Summary(tt.results))
		})
	}
}

func TestSummaryUsesMediansAsTheSpeedupDoes(t *testing.T) {
	// One slow run pulls sequential's mean up and leaves its median: the
	// line must say what the speedup column says.
	results := []Result{
		{Model: Baseline, Tasks: 6, Seconds: Seconds{Mean: 3.4, Median: 3, Stddev: 0.6, Times: []float64{3, 3, 4.2}}},
		{Model: "threaded", Tasks: 6, Seconds: Seconds{Mean: 0.6, Median: 0.6, Stddev: 0.01, Times: []float64{0.59, 0.6, 0.61}}},
	}
	finishIO(results, IOWorkload{})
	require.NotNil(t, results[1].Speedup)
	assert.InDelta(t, 5, *results[1].Speedup, 1e-12)
	require.Len(t, Summary(results), 1)
	assert.True(t, strings.HasPrefix(Summary(results)[0], "threaded ran 5.00 ± "), Summary(results)[0])
}

func TestSummaryOfOneRunHasNoSpread(t *testing.T) {
	one := func(model string, s float64) Result {
		return Result{Model: model, Tasks: 6, Runs: 1, Seconds: Seconds{Mean: s, Median: s, Min: s, Max: s, Times: []float64{s}}}
	}
	tests := []struct {
		name    string
		results []Result
	}{
		{"both ran once", []Result{one(Baseline, 3), one("threaded", 0.6)}},
		{"only the slower ran once", []Result{one(Baseline, 3), {Model: "threaded", Tasks: 6, Runs: 3,
			Seconds: Seconds{Mean: 0.6, Median: 0.6, Stddev: 0.01, Times: []float64{0.59, 0.6, 0.61}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []string{"threaded ran 5.00 times faster than sequential"}, Summary(tt.results))
		})
	}
}
