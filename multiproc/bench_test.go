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
// benchstat -col /model compares them. Each iteration starts and stops its
// workers, as a run of compare does; the start-up is reported apart as
// startup-ms/op and is included in ns/op.

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
	for _, procs := range benchProcs {
		b.Run(fmt.Sprintf("model=multiproc/workers=%d", procs), func(b *testing.B) {
			pool := multiproc.Pool{Procs: procs}
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
	for _, procs := range benchProcs {
		b.Run(fmt.Sprintf("model=multiproc/workers=%d", procs), func(b *testing.B) {
			pool := multiproc.Pool{Procs: procs}
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
}
