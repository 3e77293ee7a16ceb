package converter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTied(t *testing.T) {
	row := func(ns, spread float64) LoadResult { return LoadResult{NsPerOp: ns, NsPerOpSpread: spread, Runs: 5} }
	for _, tt := range []struct {
		name string
		a, b LoadResult
		tied bool
	}{
		{"ranges that overlap", row(100, 10), row(115, 6), true},
		{"ranges that touch", row(100, 10), row(115, 5), true},
		{"ranges apart", row(100, 10), row(116, 5), false},
		{"one range inside the other", row(100, 50), row(110, 1), true},
		{"single runs at different times", row(100, 0), row(101, 0), false},
		{"single runs at one time", row(100, 0), row(100, 0), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.tied, Tied(tt.a, tt.b))
			assert.Equal(t, tt.tied, Tied(tt.b, tt.a), "ties are symmetric")
		})
	}
}

func TestWithSpreadTakesTheMedianRunAndTheFarthestSample(t *testing.T) {
	var runs []LoadResult
	for i, ns := range []float64{130, 100, 90, 105, 300} {
		runs = append(runs, LoadResult{NsPerOp: ns, Hits: int64(i)})
	}
	res := withSpread(runs)
	assert.Equal(t, 5, res.Runs)
	assert.InDelta(t, 105, res.NsPerOp, 1e-9)
	assert.InDelta(t, 25, res.NsPerOpSpread, 1e-9, "90 and 300 are set aside, 130 is the farthest from 105")
	assert.Equal(t, int64(3), res.Hits, "the counters are the median run's")
	assert.Equal(t, []float64{130, 100, 90, 105, 300}, res.NsPerOpSamples, "in the order run")
	assert.InDelta(t, 1e9/105, res.OpsPerSecond, 1e-6)

	three := withSpread(runs[:3])
	assert.InDelta(t, 100, three.NsPerOp, 1e-9)
	assert.InDelta(t, 30, three.NsPerOpSpread, 1e-9, "of three runs none is set aside")

	one := withSpread(runs[:1])
	assert.Equal(t, 1, one.Runs)
	assert.Zero(t, one.NsPerOpSpread, "one run has no spread")
}

func TestSummaryFollowsFromTheFigures(t *testing.T) {
	row := func(cache, cost string, ns, spread float64, runs int) LoadResult {
		return LoadResult{Cache: cache, Cost: cost, NsPerOp: ns, NsPerOpSpread: spread, Runs: runs}
	}
	for _, tt := range []struct {
		name    string
		results []LoadResult
		want    []string
	}{
		{"ties and a slower variant", []LoadResult{
			row("none", "cheap", 100, 10, 5), row("locked", "cheap", 108, 5, 5), row("lru", "cheap", 300, 20, 5),
		}, []string{"cheap: none was fastest, tied with locked (their ranges overlap); slower beyond the spread: lru 3.0x."}},
		{"no tie", []LoadResult{
			row("none", "expensive", 4000, 100, 3), row("sharded", "expensive", 500, 50, 3),
		}, []string{"expensive: sharded was fastest; slower beyond the spread: none 8.0x."}},
		{"each cost apart", []LoadResult{
			row("none", "cheap", 100, 1, 3), row("locked", "cheap", 100, 1, 3),
			row("none", "expensive", 900, 1, 3), row("locked", "expensive", 100, 1, 3),
		}, []string{
			"cheap: none was fastest, tied with locked (their ranges overlap).",
			"expensive: locked was fastest; slower beyond the spread: none 9.0x.",
		}},
		{"one run calls no tie and says so", []LoadResult{
			row("none", "cheap", 100, 0, 1), row("locked", "cheap", 101, 0, 1),
		}, []string{
			"cheap: none was fastest; slower beyond the spread: locked 1.0x.",
			"One run has no spread, so nothing can be called tied; -runs 5 or more tells noise from difference.",
		}},
		{"one variant says nothing", []LoadResult{row("none", "cheap", 100, 1, 3)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Summary(tt.results))
		})
	}
}

func TestRunSamples(t *testing.T) {
	res, err := RunSamples(t.Context(), LoadConfig{Kind: "locked", Goroutines: 2, Ops: 1_000}, 3)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Runs)
	assert.Len(t, res.NsPerOpSamples, 3)
	assert.Equal(t, int64(1_000), res.Hits+res.Misses, "the figures are one run's, not a sum")
	const rounding = 1e-6
	for _, ns := range res.NsPerOpSamples { // of three runs, none is set aside
		assert.LessOrEqual(t, res.NsPerOp-res.NsPerOpSpread, ns+rounding)
		assert.GreaterOrEqual(t, res.NsPerOp+res.NsPerOpSpread, ns-rounding, "median ± spread covers every run")
	}
	for _, runs := range []int{0, -1, MaxRuns + 1} {
		_, err := RunSamples(t.Context(), LoadConfig{Kind: "locked"}, runs)
		assert.Error(t, err, "%d runs", runs)
	}
}
