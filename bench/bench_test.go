package bench

import (
	"testing"
	"time"

	"conclab/internal/procfs"
)

// BenchmarkSample measures one look of the sampler (goroutines, threads,
// child processes), the price the harness pays every SampleInterval.
func BenchmarkSample(b *testing.B) {
	s := &sampler{firstCPU: map[int]time.Duration{}, lastCPU: map[int]time.Duration{}, watch: procfs.NewWatch()}
	defer s.watch.Close()
	for b.Loop() {
		s.sample()
	}
}

func BenchmarkSummarize(b *testing.B) {
	times := []time.Duration{3 * time.Second, 3100 * time.Millisecond, 2900 * time.Millisecond, 3050 * time.Millisecond, 3 * time.Second}
	for b.Loop() {
		if _, err := Summarize(times); err != nil {
			b.Fatal(err)
		}
	}
}
