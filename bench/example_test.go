package bench_test

import (
	"fmt"
	"os"
	"time"

	"conclab/bench"
)

// The I/O workload's lower bound on the embedded server: 160 requests, five
// at a time, each answered after 20 ms, take at least 32 rounds.
func ExampleIOBound() {
	fmt.Println(bench.IOBound(160, 1, 20*time.Millisecond))
	fmt.Println(bench.IOBound(160, 5, 20*time.Millisecond))
	fmt.Println(bench.IOBound(160, 2000, 20*time.Millisecond))
	// Output:
	// 3.2s
	// 640ms
	// 20ms
}

// How hyperfine's "ran 5.00 ± 0.17 times faster" is computed: the relative
// standard deviations of the two means add in quadrature.
func ExampleRatio() {
	ratio, sd := bench.Ratio(3.3, 0.1, 0.66, 0.01)
	fmt.Printf("threaded ran %.2f ± %.2f times faster than sequential\n", ratio, sd)
	// Output:
	// threaded ran 5.00 ± 0.17 times faster than sequential
}

func ExampleSummarize() {
	s, err := bench.Summarize([]time.Duration{650 * time.Millisecond, 640 * time.Millisecond, 700 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("median %.3f s, mean %.3f s ± %.3f, min %.3f s\n", s.Median, s.Mean, s.Stddev, s.Min)
	// Output:
	// median 0.650 s, mean 0.663 s ± 0.032, min 0.640 s
}

// A cold first run stands out by its modified z-score.
func ExampleOutliers() {
	fmt.Println(bench.Outliers([]float64{1.9, 0.65, 0.66, 0.64, 0.65}))
	// Output:
	// [0]
}

// A report rendered as hyperfine's CSV: one row per workload and model,
// times in seconds.
func ExampleRender() {
	rep := bench.Report{Schema: bench.Schema, CPU: &bench.CPUSection{
		Numbers:  []int{5_000_000},
		Expected: []string{"41666654166667500000"},
		Results: []bench.Result{{
			Model: "sequential", Workers: 1, Runs: 2, Tasks: 1,
			Seconds: bench.Seconds{Mean: 0.0035, Stddev: 0.0001, Median: 0.0035, Min: 0.0034, Max: 0.0036, Times: []float64{0.0034, 0.0036}},
			Sums:    []string{"41666654166667500000"},
		}},
	}}
	if err := bench.Render(os.Stdout, rep, bench.FormatCSV); err != nil {
		fmt.Println(err)
	}
	// Output:
	// command,mean,stddev,median,user,system,min,max
	// cpu sequential,0.0035,0.0001,0.0035,0,0,0.0034,0.0036
}
