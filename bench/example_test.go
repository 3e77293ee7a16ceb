package bench_test

import (
	"fmt"
	"os"
	"time"

	"conclab/bench"
	"conclab/timeline"
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
// standard deviations of the two times (compare gives it medians, as its
// speedup column) add in quadrature.
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

// The latencies of a load, as hey and oha print them: three requests of
// 20 ms and one of 90 ms.
func ExampleLatencies() {
	at := time.Unix(0, 0)
	var spans []timeline.Span
	for _, ms := range []int{20, 20, 20, 90} {
		spans = append(spans, timeline.Span{Start: at, End: at.Add(time.Duration(ms) * time.Millisecond)})
	}
	p := bench.Latencies(spans)
	fmt.Printf("p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n", p.P50*1e3, p.P90*1e3, p.P99*1e3, p.Max*1e3)
	// Output:
	// p50 20 ms, p90 90 ms, p99 90 ms, max 90 ms
}

// The default table fits 100 columns; the wide one adds what each model
// pays, with its unit in the header.
func ExampleRenderView() {
	rep := bench.NewReport()
	rep.CPU = &bench.CPUSection{Numbers: []int{5000000}, Results: []bench.Result{{
		Model: "threaded", Workers: 5, Runs: 1, Tasks: 1,
		Seconds:          bench.Seconds{Mean: 0.0035, Median: 0.0035, Min: 0.0035, Max: 0.0035, Times: []float64{0.0035}},
		CPUSecondsPerRun: 0.0035, PeakGoroutines: 2, PeakThreads: 5, Processes: 1, PeakRSSBytes: 12 << 20,
	}}}
	_ = bench.RenderView(os.Stdout, rep, bench.FormatMarkdown, bench.View{Wide: true})
	// Output:
	// ### CPU-bound: sum of squares below each of 1 numbers, 5000000 … 5000000
	//
	// | model    | workers | median | speedup | bound | efficiency | failed | cpu s/run | goroutines | threads | procs | peak RSS MiB |
	// |:---------|--------:|-------:|--------:|------:|-----------:|-------:|----------:|-----------:|--------:|------:|-------------:|
	// | threaded |       5 | 3.5 ms |     n/a |   n/a |        n/a |      0 |     0.004 |          2 |       5 |     1 |         12.0 |
	//
	// - Speedup, bounds and efficiency are n/a without the sequential row.
	// - Reference, the original article's Python (another language on another machine): sequential 10.4 s, multiprocessing 2.5 s.
}
