package sequential

import (
	"context"
	"testing"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// The sub-benchmark names match every model package's, so that
// benchstat -col /model compares them.

func BenchmarkIO(b *testing.B) {
	s := newServer(b, iobound.Config{Latency: time.Millisecond})
	urls := s.URLs(10) // 20 requests
	b.Run("model=sequential/workers=1", func(b *testing.B) {
		for b.Loop() {
			report, err := Model{}.Download(context.Background(), urls)
			if err != nil || report.Failed() > 0 {
				b.Fatalf("download: %v, %d failed", err, report.Failed())
			}
		}
	})
}

func BenchmarkCPU(b *testing.B) {
	numbers := cpubound.DefaultNumbers()
	b.Run("model=sequential/workers=1", func(b *testing.B) {
		for b.Loop() {
			report, err := Model{}.SumSquares(context.Background(), numbers)
			if err != nil || report.Failed() > 0 {
				b.Fatalf("sum of squares: %v, %d failed", err, report.Failed())
			}
		}
	})
}
