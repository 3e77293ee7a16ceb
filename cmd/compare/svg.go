package main

import (
	"flag"
	"fmt"
	"io"

	"conclab/bench"
	"conclab/timeline"
)

// Values of -svg-axis.
const (
	axisShared = "shared" // every run on the time axis of the longest
	axisOwn    = "own"    // each run fills the width
)

// svgAxisFlag: how the SVG picture's runs share a time axis.
func svgAxisFlag(fs *flag.FlagSet, r *rawFlags) {
	fs.StringVar(&r.out.svgAxis, "svg-axis", axisShared,
		"the SVG timelines' time `axis`: shared (every run on the longest run's axis, so 3 s and 30 ms look as different as they are) or own (each run fills the width)")
}

// sweepSVGChart is the sweep as a line chart: each model's median time
// against the worker count asked for, on a log-scale axis. A count whose
// runs failed tasks is left out, as the table ranks none of them.
func sweepSVGChart(doc sweepDoc) timeline.Chart {
	c := timeline.Chart{
		Title:  fmt.Sprintf("compare sweep, %s: median time against workers, %d tasks", doc.Workload, doc.Tasks),
		XLabel: "workers (log scale)",
		YLabel: "median time, ms",
		LogX:   true,
	}
	for _, m := range sweepModelsOf(doc.Results) {
		s := timeline.Series{Name: m}
		for _, p := range doc.Results {
			if p.Model == m && bench.Rankable(p.Work()) == nil && p.Requested > 0 {
				s.Points = append(s.Points, timeline.Point{X: float64(p.Requested), Y: p.Seconds.Median * 1e3})
			}
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// writeSweepSVG writes the sweep's chart to f and renames it into place.
func writeSweepSVG(f *pendingFile, doc sweepDoc, path string, stderr io.Writer) error {
	err := timeline.WriteChart(f, sweepSVGChart(doc))
	if err == nil {
		err = f.commit()
	}
	if err != nil {
		return fmt.Errorf("-svg %s: %w", path, err)
	}
	fmt.Fprintf(stderr, "svg: the sweep's chart written to %s\n", path)
	return nil
}
