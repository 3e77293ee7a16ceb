package timeline_test

import (
	"io"
	"testing"
	"time"

	"conclab/timeline"
)

// The pictures of a full comparison: 160 downloads on four models.
func benchRuns() []timeline.Run {
	return []timeline.Run{
		{Label: "sequential", Spans: staircase(160, 20*time.Millisecond)},
		{Label: "threaded", Spans: pool(5, 160, 20*time.Millisecond)},
		{Label: "eventloop", Spans: loop(160, time.Millisecond/10, 20*time.Millisecond)},
		{Label: "multiproc", Spans: processes([]int{4242, 4243}, 160, 20*time.Millisecond)},
	}
}

func BenchmarkRender(b *testing.B) {
	runs := benchRuns()
	for b.Loop() {
		_ = timeline.Render(io.Discard, runs, timeline.Options{})
	}
}

func BenchmarkWriteSVG(b *testing.B) {
	runs := benchRuns()
	for b.Loop() {
		_ = timeline.WriteSVG(io.Discard, runs, timeline.Options{})
	}
}
