package bench

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/montanaflynn/stats"

	"conclab/timeline"
)

// ErrNoRuns is returned when there is nothing to summarise.
var ErrNoRuns = errors.New("bench: no runs")

// Seconds summarises the wall times of a model's measured runs, in seconds.
// Stddev is the sample standard deviation (n-1); with a single run it is 0.
type Seconds struct {
	Mean   float64   `json:"mean"`
	Stddev float64   `json:"stddev"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Times  []float64 `json:"times"`
}

// Summarize computes the statistics of the run times.
func Summarize(times []time.Duration) (Seconds, error) {
	if len(times) == 0 {
		return Seconds{}, ErrNoRuns
	}
	data := make(stats.Float64Data, len(times))
	for i, t := range times {
		data[i] = t.Seconds()
	}
	s := Seconds{Times: []float64(data)}
	var err error
	if s.Mean, err = stats.Mean(data); err != nil {
		return Seconds{}, fmt.Errorf("bench: mean: %w", err)
	}
	if s.Median, err = stats.Median(data); err != nil {
		return Seconds{}, fmt.Errorf("bench: median: %w", err)
	}
	if s.Min, err = stats.Min(data); err != nil {
		return Seconds{}, fmt.Errorf("bench: min: %w", err)
	}
	if s.Max, err = stats.Max(data); err != nil {
		return Seconds{}, fmt.Errorf("bench: max: %w", err)
	}
	// One run has no spread to estimate; JSON cannot carry the NaN that
	// n-1 = 0 would give, so it is reported as 0.
	if len(data) > 1 {
		if s.Stddev, err = stats.StandardDeviationSample(data); err != nil {
			return Seconds{}, fmt.Errorf("bench: stddev: %w", err)
		}
	}
	return s, nil
}

// IOBound is the lower bound of the I/O workload on a server that answers
// every request after latency: with concurrency requests in flight at once,
// the requests go in ceil(requests / concurrency) rounds of one latency each.
// A concurrency below 1 counts as 1.
func IOBound(requests, concurrency int, latency time.Duration) time.Duration {
	concurrency = max(concurrency, 1)
	rounds := (requests + concurrency - 1) / concurrency
	return time.Duration(rounds) * latency
}

// CPUBound is the lower bound of the CPU workload for a model that runs
// concurrency tasks at once on gomaxprocs threads: work, the time the
// workload takes one core, split evenly over the cores it can use. The
// harness takes work from its measurements (see Runner.CPU), so that no
// measured row falls below its bound.
func CPUBound(work float64, concurrency, gomaxprocs int) float64 {
	return work / float64(max(min(concurrency, gomaxprocs), 1))
}

// Ratio returns a/b and its standard deviation by first-order error
// propagation of the two relative standard deviations:
// σ(a/b) = a/b · sqrt((σa/a)² + (σb/b)²). It is how hyperfine reports
// "ran 3.2 ± 0.1 times faster".
func Ratio(a, sa, b, sb float64) (ratio, stddev float64) {
	ratio = a / b
	return ratio, ratio * math.Hypot(sa/a, sb/b)
}

// OutlierThreshold is the modified z-score beyond which a run counts as an
// outlier (Iglewicz and Hoaglin's 3.5, as hyperfine uses).
const OutlierThreshold = 3.5

// MADFloor is the smallest spread, relative to the median, that Outliers
// divides by. Three runs that agree to a fraction of a percent have a MAD
// of almost nothing, and any of them would then score as an outlier. With
// the floor at 2%, a run must stray more than about 10% from the median
// (3.5 / 0.6745 × 2%) to count: a cold first run does, the jitter of a busy
// machine mostly does not.
const MADFloor = 0.02

// Outliers returns the indices of the times whose modified z-score,
// 0.6745·(x − median)/MAD, exceeds OutlierThreshold in magnitude. MAD is the
// median absolute deviation, taken as at least MADFloor × median.
func Outliers(times []float64) []int {
	if len(times) < 3 {
		return nil
	}
	median, _ := stats.Median(times)
	mad, _ := stats.MedianAbsoluteDeviationPopulation(times)
	mad = max(mad, MADFloor*math.Abs(median))
	var out []int
	for i, x := range times {
		d := math.Abs(x - median)
		if d == 0 {
			continue
		}
		if mad == 0 || 0.6745*d/mad > OutlierThreshold {
			out = append(out, i)
		}
	}
	return out
}

// Latencies returns the percentiles of the durations of the spans that
// ended after they started (nearest rank: the value below which that share
// of the spans falls), or nil for none.
func Latencies(spans []timeline.Span) *Percentiles {
	data := make(stats.Float64Data, 0, len(spans))
	for _, sp := range spans {
		if d := sp.End.Sub(sp.Start); d > 0 && !sp.Start.IsZero() {
			data = append(data, d.Seconds())
		}
	}
	if len(data) == 0 {
		return nil
	}
	p := &Percentiles{}
	// Errors come only from empty data or a percentile out of (0, 100].
	p.P50, _ = stats.PercentileNearestRank(data, 50)
	p.P90, _ = stats.PercentileNearestRank(data, 90)
	p.P99, _ = stats.PercentileNearestRank(data, 99)
	p.Max, _ = stats.Max(data)
	return p
}
