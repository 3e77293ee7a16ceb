package timeline_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"conclab/timeline"
)

// A pool of three goroutines and an event loop ran the same six 10 ms waits.
// The pool's lanes each hold two tasks in turn; the event loop's one lane
// holds all six at once.
func ExampleRender() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	var pool, loop []timeline.Span
	for i := range 6 {
		round := time.Duration(i / 3)
		pool = append(pool, timeline.Span{Worker: i % 3, Start: start.Add(round * 10 * ms), End: start.Add((round + 1) * 10 * ms)})
		loop = append(loop, timeline.Span{Start: start.Add(time.Duration(i) * ms / 2), End: start.Add(time.Duration(i)*ms/2 + 10*ms)})
	}
	runs := []timeline.Run{{Label: "threaded", Spans: pool}, {Label: "eventloop", Spans: loop}}
	_ = timeline.Render(os.Stdout, runs, timeline.Options{Width: 30, SameScale: true})
	// Output:
	// threaded: 6 tasks on 3 lanes, 20.0 ms
	//   w0 |██████████████████████████████| 2 tasks
	//   w1 |██████████████████████████████| 2 tasks
	//   w2 |██████████████████████████████| 2 tasks
	//      +--------------+---------------+
	//      0              10              20 ms
	//
	// eventloop: 6 tasks on 1 lane, 12.5 ms
	//   w0 |234666666666666543█           | 6 tasks, up to 6 at once
	//      +--------------+---------------+
	//      0              10              20 ms
	//
	// █ one task, 2-9 that many tasks at once, + ten or more
}

// The task view gives each task its row: one after another, the sequential
// model's tasks form a staircase.
func ExampleRender_byTask() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var spans []timeline.Span
	for i := range 4 {
		at := start.Add(time.Duration(i) * 5 * time.Millisecond)
		spans = append(spans, timeline.Span{Start: at, End: at.Add(5 * time.Millisecond)})
	}
	fmt.Print(timeline.String([]timeline.Run{{Label: "sequential", Spans: spans}}, timeline.Options{Width: 20, ByTask: true}))
	// Output:
	// sequential: 4 tasks on 1 lane, 20.0 ms
	//   #0 |█████               | 1 task on w0
	//   #1 |     █████          | 1 task on w0
	//   #2 |          █████     | 1 task on w0
	//   #3 |               █████| 1 task on w0
	//      +---------+----------+
	//      0         10         20 ms
}

// WriteSVG draws the same picture as an SVG document, with a tooltip per
// task.
func ExampleWriteSVG() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	run := timeline.Run{
		Label: "multiproc",
		Spans: []timeline.Span{
			{PID: 4242, Start: start, End: start.Add(30 * time.Millisecond)},
			{PID: 4243, Start: start, End: start.Add(40 * time.Millisecond)},
		},
		Tasks: []string{"n=5000000", "n=5000001"},
	}
	var b strings.Builder
	_ = timeline.WriteSVG(&b, []timeline.Run{run}, timeline.Options{})
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, "<title>") {
			fmt.Println(line[strings.Index(line, "<title>"):])
		}
	}
	// Output:
	// <title>n=5000000, pid 4242, 0.000 to 30.000 ms (30.000 ms)</title></rect>
	// <title>n=5000001, pid 4243, 0.000 to 40.000 ms (40.000 ms)</title></rect>
}

// A sweep's figures as a line chart on a log-scale worker axis.
func ExampleWriteChart() {
	var b strings.Builder
	err := timeline.WriteChart(&b, timeline.Chart{
		Title:  "median time against workers",
		XLabel: "workers (log scale)",
		YLabel: "ms",
		LogX:   true,
		Series: []timeline.Series{{Name: "threaded", Points: []timeline.Point{{X: 1, Y: 3200}, {X: 10, Y: 330}, {X: 100, Y: 45}}}},
	})
	fmt.Println(err, strings.Count(b.String(), "<circle"), strings.Contains(b.String(), `class="legend-entry"`))
	// Output: <nil> 3 true
}
