//go:build unix

package multiproc_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"conclab/multiproc"
)

// BenchmarkWorkerLife is what one worker costs outside its tasks: a pool of
// one started, handed the sum of squares below 1 (no work), and stopped.
// ns/op is the wall time of that, startup-ms/op the part until the worker
// was ready, and worker-cpu-ms/op the CPU the worker process used in its
// whole life (exec, runtime start, package inits, handshake, exit), taken
// from the kernel's accounting of reaped children. On two cores a pool of
// two workers pays about twice worker-cpu-ms/op on top of its work.
func BenchmarkWorkerLife(b *testing.B) {
	pool := multiproc.Pool{Procs: 1}
	var startup time.Duration
	before := childrenCPU(b)
	for b.Loop() {
		report, err := pool.SumSquares(context.Background(), []int{1})
		if err != nil || report.Failed() > 0 {
			b.Fatalf("sum of squares: %v, %d failed", err, report.Failed())
		}
		startup += report.Startup
	}
	cpu := childrenCPU(b) - before
	b.ReportMetric(float64(startup.Microseconds())/1e3/float64(b.N), "startup-ms/op")
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "worker-cpu-ms/op")
}

func childrenCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
