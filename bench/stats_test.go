package bench

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/timeline"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name  string
		times []time.Duration
		want  Seconds
	}{
		{
			name:  "one run has no spread",
			times: []time.Duration{2 * time.Second},
			want:  Seconds{Mean: 2, Stddev: 0, Median: 2, Min: 2, Max: 2, Times: []float64{2}},
		},
		{
			name:  "odd count takes the middle run as median",
			times: []time.Duration{3 * time.Second, 1 * time.Second, 2 * time.Second},
			want:  Seconds{Mean: 2, Stddev: 1, Median: 2, Min: 1, Max: 3, Times: []float64{3, 1, 2}},
		},
		{
			name:  "even count averages the middle two and uses the sample stddev",
			times: []time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second},
			want:  Seconds{Mean: 2.5, Stddev: math.Sqrt(5.0 / 3), Median: 2.5, Min: 1, Max: 4, Times: []float64{1, 2, 3, 4}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Summarize(tt.times)
			require.NoError(t, err)
			assert.InDelta(t, tt.want.Mean, got.Mean, 1e-12)
			assert.InDelta(t, tt.want.Stddev, got.Stddev, 1e-12)
			assert.InDelta(t, tt.want.Median, got.Median, 1e-12)
			assert.Equal(t, tt.want.Min, got.Min)
			assert.Equal(t, tt.want.Max, got.Max)
			assert.Equal(t, tt.want.Times, got.Times)
		})
	}
	t.Run("no runs is an error", func(t *testing.T) {
		_, err := Summarize(nil)
		assert.ErrorIs(t, err, ErrNoRuns)
	})
}

func TestIOBound(t *testing.T) {
	const lat = 20 * time.Millisecond
	tests := []struct {
		name              string
		requests, workers int
		want              time.Duration
	}{
		{"one at a time waits once per request", 160, 1, 160 * lat},
		{"five workers go in 32 rounds", 160, 5, 32 * lat},
		{"a partial last round still costs a latency", 161, 5, 33 * lat},
		{"more workers than requests is one round", 160, 2000, lat},
		{"zero concurrency counts as one", 3, 0, 3 * lat},
		{"no requests cost nothing", 0, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IOBound(tt.requests, tt.workers, lat))
		})
	}
}

func TestCPUBound(t *testing.T) {
	tests := []struct {
		name              string
		workers, maxprocs int
		want              float64
	}{
		{"one worker is the sequential time", 1, 2, 8},
		{"workers split it over the cores", 2, 2, 4},
		{"more workers than cores cannot beat the cores", 5, 2, 4},
		{"fewer cores than workers is the cores", 4, 1, 8},
		{"zero workers count as one", 0, 2, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, CPUBound(8, tt.workers, tt.maxprocs), 1e-12)
		})
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		name          string
		a, sa, b, sb  float64
		ratio, stddev float64
	}{
		{"exact times have no error", 10, 0, 2, 0, 5, 0},
		{"one relative error carries over", 10, 1, 2, 0, 5, 0.5},
		{"two relative errors add in quadrature", 10, 0.3, 2, 0.08, 5, 5 * math.Sqrt(0.03*0.03+0.04*0.04)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, sd := Ratio(tt.a, tt.sa, tt.b, tt.sb)
			assert.InDelta(t, tt.ratio, r, 1e-12)
			assert.InDelta(t, tt.stddev, sd, 1e-12)
		})
	}
}

func TestOutliers(t *testing.T) {
	tests := []struct {
		name  string
		times []float64
		want  []int
	}{
		{"steady runs have none", []float64{1.00, 1.01, 0.99, 1.02, 0.98}, nil},
		{"a cold first run stands out", []float64{3.0, 1.00, 1.01, 0.99, 1.02}, []int{0}},
		{"a moderately slow run is within 3.5", []float64{1.00, 1.01, 0.99, 1.02, 1.05}, nil},
		{"two runs are too few to judge", []float64{1, 9}, nil},
		{"with most runs equal any other is an outlier", []float64{1, 1, 1, 1.5}, []int{3}},
		{"identical runs have none", []float64{2, 2, 2}, nil},
		{"sub-percent jitter among three runs is no outlier", []float64{3.287, 3.287, 3.293}, nil},
		{"a run twice as slow as two equal ones is", []float64{0.03, 0.06, 0.03}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Outliers(tt.times))
		})
	}
}

func TestSpeedupAndEfficiency(t *testing.T) {
	rows := func() []Result {
		return []Result{
			{Model: Baseline, Workers: 1, Tasks: 160, Seconds: Seconds{Median: 3.3}},
			{Model: "threaded", Workers: 5, Tasks: 160, Seconds: Seconds{Median: 0.66}},
			{Model: "eventloop", Workers: 160, Tasks: 160, Seconds: Seconds{Median: 0.025}},
		}
	}
	tests := []struct {
		name       string
		results    []Result
		w          IOWorkload
		speedup    []float64 // nil: null
		efficiency []float64 // nil: null
	}{
		{
			name:       "on the embedded server every row has both",
			results:    rows(),
			w:          IOWorkload{Embedded: true, Latency: 20 * time.Millisecond},
			speedup:    []float64{1, 5, 132},
			efficiency: []float64{3.2 / 3.3, 0.64 / 0.66, 0.02 / 0.025},
		},
		{
			name:    "against real sites there is speedup but no efficiency",
			results: rows(),
			w:       IOWorkload{},
			speedup: []float64{1, 5, 132},
		},
		{
			name:       "without the sequential row there is efficiency but no speedup",
			results:    rows()[1:],
			w:          IOWorkload{Embedded: true, Latency: 20 * time.Millisecond},
			efficiency: []float64{0.64 / 0.66, 0.02 / 0.025},
		},
		{
			name:    "a run too fast for the clock has no ratio rather than infinity",
			results: []Result{{Model: Baseline, Workers: 1, Tasks: 1, Seconds: Seconds{Median: 0}}},
			w:       IOWorkload{Embedded: true, Latency: time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			finishIO(tt.results, tt.w)
			for i, r := range tt.results {
				if tt.speedup == nil {
					assert.Nil(t, r.Speedup, r.Model)
				} else {
					require.NotNil(t, r.Speedup, r.Model)
					assert.InDelta(t, tt.speedup[i], *r.Speedup, 1e-9, r.Model)
				}
				if tt.efficiency == nil {
					assert.Nil(t, r.Efficiency, r.Model)
				} else {
					require.NotNil(t, r.Efficiency, r.Model)
					assert.InDelta(t, tt.efficiency[i], *r.Efficiency, 1e-9, r.Model)
				}
			}
		})
	}
}

func TestLatencies(t *testing.T) {
	at := time.Unix(1000, 0)
	spans := func(ms ...int) []timeline.Span {
		out := make([]timeline.Span, len(ms))
		for i, d := range ms {
			out[i] = timeline.Span{Start: at, End: at.Add(time.Duration(d) * time.Millisecond)}
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name  string
		spans []timeline.Span
		want  *Percentiles
	}{
		{"none", nil, nil},
		{"a span that never started is left out", []timeline.Span{{End: at}}, nil},
		{"one", spans(20), &Percentiles{P50: 0.02, P90: 0.02, P99: 0.02, Max: 0.02}},
		{"1 to 100 ms: nearest rank", spans(hundred...), &Percentiles{P50: 0.05, P90: 0.09, P99: 0.099, Max: 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Latencies(tt.spans)
			if tt.want == nil {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.InDelta(t, tt.want.P50, got.P50, 1e-9)
			assert.InDelta(t, tt.want.P90, got.P90, 1e-9)
			assert.InDelta(t, tt.want.P99, got.P99, 1e-9)
			assert.InDelta(t, tt.want.Max, got.Max, 1e-9)
		})
	}
}
