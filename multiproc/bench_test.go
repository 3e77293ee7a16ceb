package multiproc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
	"conclab/multiproc"
)

// The sub-benchmark names match every model package's, so that
// benchstat -col /model compares them, with one more part: pool=cold
// iterations start and stop their workers, as a run of compare does (the
// start-up is reported apart as startup-ms/op and is included in ns/op);
// pool=kept iterations run on workers started once, before the timing, as
// compare -keep-pool does, and measure the work alone.

// modelPool is one of the two ways a benchmark runs the pool.
type modelPool interface {
	Download(ctx context.Context, urls []string) (iobound.Report, error)
	SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error)
}

// eachPool runs bench as a sub-benchmark for each size and each way.
func eachPool(b *testing.B, bench func(b *testing.B, procs int, pool modelPool)) {
	for _, procs := range benchProcs {
		b.Run(fmt.Sprintf("model=multiproc/workers=%d/pool=cold", procs), func(b *testing.B) {
			bench(b, procs, multiproc.Pool{Procs: procs})
		})
		b.Run(fmt.Sprintf("model=multiproc/workers=%d/pool=kept", procs), func(b *testing.B) {
			running, err := multiproc.Pool{Procs: procs}.Start(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = running.Close() })
			bench(b, procs, running)
		})
	}
}

var benchProcs = []int{1, 2, 4}

// BenchmarkIO downloads 20 URLs from the embedded server at 1 ms, in this
// process (so the server shares the CPU with the parent). efficiency is the
// bound ceil(20 / workers) × latency over the time per run: at this size the
// pool's start-up dominates, which is the lesson; `compare io -models
// multiproc` measures it on the full list.
func BenchmarkIO(b *testing.B) {
	// The same list as every model package's BenchmarkIO (20 requests at
	// 1 ms), so that benchstat compares the models on one workload.
	const latency = time.Millisecond
	srv, err := iobound.NewServer(iobound.Config{Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	urls := srv.URLs(10)
	eachPool(b, func(b *testing.B, procs int, pool modelPool) {
		var startup time.Duration
		for b.Loop() {
			report, err := pool.Download(context.Background(), urls)
			if err != nil || report.Failed() > 0 {
				b.Fatalf("download: %v, %d failed", err, report.Failed())
			}
			startup += report.Startup
		}
		rounds := (len(urls) + procs - 1) / procs
		bound := time.Duration(rounds) * latency
		perRun := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(bound.Seconds()/perRun.Seconds(), "efficiency")
		b.ReportMetric(float64(startup.Microseconds())/1e3/float64(b.N), "startup-ms/op")
	})
}

// BenchmarkCPU sums the squares of the default numbers. speedup is the time
// of a plain loop of cpubound.SumOfSquares over them in this process (the
// best of three) over the time per run, start-up included.
func BenchmarkCPU(b *testing.B) {
	numbers := cpubound.DefaultNumbers()
	loop := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		for _, n := range numbers {
			if _, err := cpubound.SumOfSquares(n); err != nil {
				b.Fatal(err)
			}
		}
		loop = min(loop, time.Since(start))
	}
	eachPool(b, func(b *testing.B, _ int, pool modelPool) {
		var startup time.Duration
		for b.Loop() {
			report, err := pool.SumSquares(context.Background(), numbers)
			if err != nil || report.Failed() > 0 {
				b.Fatalf("sum of squares: %v, %d failed", err, report.Failed())
			}
			startup += report.Startup
		}
		perRun := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(loop.Seconds()/perRun.Seconds(), "speedup")
		b.ReportMetric(float64(startup.Microseconds())/1e3/float64(b.N), "startup-ms/op")
	})
}
