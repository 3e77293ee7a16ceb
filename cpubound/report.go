package cpubound

import (
	"time"

	"conclab/timeline"
)

// Result is one task of the CPU workload: the sum of squares of N.
type Result struct {
	N    int
	Sum  Uint128
	Err  error // the task failed (a worker died, the run was cancelled); Sum is not set
	Span timeline.Span
}

// Report is what a model returns for one run of the CPU workload, one Result
// per number in input order.
type Report struct {
	Results []Result
	// Startup is the time spent before the first task could start (starting
	// worker processes, say), included in the run's wall time and reported
	// apart from it.
	Startup time.Duration
}

// Failed counts the results with an error.
func (r Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Err != nil {
			n++
		}
	}
	return n
}
