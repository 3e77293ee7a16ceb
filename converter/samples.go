package converter

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/montanaflynn/stats"
)

// MaxRuns bounds the samples of one variant.
const MaxRuns = 100

// RunSamples runs cfg runs times, each on a new cache, and returns the run
// whose time per call is the median, with every run's time per call in
// NsPerOpSamples and their spread in NsPerOpSpread (the farthest of the
// middle runs from the median: see withSpread). One run of a few
// milliseconds says little: a scheduler's pause or a garbage collection
// moves it by tens of percent, so two variants are told apart only by
// repeated runs (see Tied).
func RunSamples(ctx context.Context, cfg LoadConfig, runs int) (LoadResult, error) {
	if runs < 1 || runs > MaxRuns {
		return LoadResult{}, fmt.Errorf("converter: load: %d runs: must be between 1 and %d", runs, MaxRuns)
	}
	results := make([]LoadResult, 0, runs)
	for range runs {
		res, err := RunLoad(ctx, cfg)
		if err != nil {
			return LoadResult{}, err
		}
		results = append(results, res)
	}
	return withSpread(results), nil
}

// withSpread returns the median of results (by time per call; the lower
// middle one of an even number), with every sample and the spread.
//
// The spread is the distance from the median to the farthest run once the
// fastest and the slowest quarter of the runs are set aside (none of 2 or
// 3 runs, one at each end of 4 to 7): on a machine that runs other work
// too, one run in five can be held up by a pause ten times its length, and
// a range that reached it would tie everything with everything. The runs
// set aside are still in NsPerOpSamples.
func withSpread(results []LoadResult) LoadResult {
	samples := make([]float64, len(results))
	for i, r := range results {
		samples[i] = r.NsPerOp
	}
	sorted := slices.Clone(results)
	slices.SortStableFunc(sorted, func(a, b LoadResult) int { return cmp.Compare(a.NsPerOp, b.NsPerOp) })
	res := sorted[(len(sorted)-1)/2]
	res.Runs = len(results)
	res.NsPerOpSamples = samples
	if len(results) > 1 {
		median, _ := stats.Median(samples) // not empty
		trim := len(sorted) / 4
		lo, hi := sorted[trim].NsPerOp, sorted[len(sorted)-1-trim].NsPerOp
		res.NsPerOp = median
		if median > 0 {
			res.OpsPerSecond = 1e9 / median
		}
		res.NsPerOpSpread = math.Max(hi-median, median-lo)
	}
	return res
}

// Tied reports whether a and b cannot be told apart by time: their ranges,
// median ± spread of the time per call, overlap. The spread reaches the
// farthest of the middle runs (see RunSamples), so two variants are called
// different only when the middle runs of one were all faster than those of
// the other. With one run each the ranges are points, and only equal times
// tie: one run can rank, never tie, which is why the summary asks for
// more.
func Tied(a, b LoadResult) bool {
	return math.Abs(a.NsPerOp-b.NsPerOp) <= a.NsPerOpSpread+b.NsPerOpSpread
}

// Summary says, for each cost in results (in their order), which variant
// was fastest, which were tied with it and which were slower beyond the
// spread, by how much: every word follows from the medians and spreads the
// table prints.
func Summary(results []LoadResult) []string {
	var costs []string
	byCost := map[string][]LoadResult{}
	for _, r := range results {
		if _, ok := byCost[r.Cost]; !ok {
			costs = append(costs, r.Cost)
		}
		byCost[r.Cost] = append(byCost[r.Cost], r)
	}
	var lines []string
	oneRun := false
	for _, c := range costs {
		rs := byCost[c]
		if len(rs) < 2 {
			continue
		}
		fastest := slices.MinFunc(rs, func(a, b LoadResult) int { return cmp.Compare(a.NsPerOp, b.NsPerOp) })
		var tied, slower []string
		for _, r := range rs {
			oneRun = oneRun || r.Runs <= 1
			switch {
			case r.Cache == fastest.Cache:
			case Tied(r, fastest):
				tied = append(tied, r.Cache)
			case fastest.NsPerOp > 0:
				slower = append(slower, fmt.Sprintf("%s %.1fx", r.Cache, r.NsPerOp/fastest.NsPerOp))
			}
		}
		line := fmt.Sprintf("%s: %s was fastest", c, fastest.Cache)
		if len(tied) > 0 {
			line += fmt.Sprintf(", tied with %s (their ranges overlap)", strings.Join(tied, ", "))
		}
		if len(slower) > 0 {
			line += fmt.Sprintf("; slower beyond the spread: %s", strings.Join(slower, ", "))
		}
		lines = append(lines, line+".")
	}
	if oneRun && len(lines) > 0 {
		lines = append(lines, "One run has no spread, so nothing can be called tied; -runs 5 or more tells noise from difference.")
	}
	return lines
}
