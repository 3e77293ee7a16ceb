package threaded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// The sub-benchmark names match every model package's, so that
// benchstat -col /model compares them.

func benchWorkers() []int { return []int{1, 2, 5, 10, 50} }

func BenchmarkIO(b *testing.B) {
	s := newServer(b, iobound.Config{Latency: time.Millisecond})
	urls := s.URLs(10) // 20 requests
	for _, workers := range benchWorkers() {
		b.Run(fmt.Sprintf("model=threaded/workers=%d", workers), func(b *testing.B) {
			p := Pool{Workers: workers}
			for b.Loop() {
				report, err := p.Download(context.Background(), urls)
				if err != nil || report.Failed() > 0 {
					b.Fatalf("download: %v, %d failed", err, report.Failed())
				}
			}
		})
	}
}

func BenchmarkCPU(b *testing.B) {
	numbers := cpubound.DefaultNumbers()
	for _, workers := range benchWorkers() {
		b.Run(fmt.Sprintf("model=threaded/workers=%d", workers), func(b *testing.B) {
			p := Pool{Workers: workers}
			for b.Loop() {
				report, err := p.SumSquares(context.Background(), numbers)
				if err != nil || report.Failed() > 0 {
					b.Fatalf("sum of squares: %v, %d failed", err, report.Failed())
				}
			}
		})
	}
}
