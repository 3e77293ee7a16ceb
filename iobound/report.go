package iobound

import (
	"time"

	"conclab/timeline"
)

// Result is one task of the I/O workload: one GET of one URL.
type Result struct {
	URL    string
	Status int   // the HTTP status code, 0 when no response arrived
	Bytes  int64 // body bytes received, also when Err is set (a 500's page)
	Err    error // the request failed; a failure is a result, not an abort
	Span   timeline.Span
}

// Report is what a model returns for one run of the I/O workload, one Result
// per URL in input order.
type Report struct {
	Results []Result
	// Startup is the time spent before the first request could start
	// (starting worker processes, say), included in the run's wall time and
	// reported apart from it.
	Startup time.Duration
	// Coroutines is the most coroutines (iter.Pull) the model had alive at
	// once: the event loop runs each TLS session in one. The runtime
	// counts them as goroutines, so a model's peak of goroutines includes
	// them; this says how many of those were coroutines. 0 for the others.
	Coroutines int
}

// Bytes sums the body bytes of the successful results. A failed result's
// bytes (the body of a 500 page, part of a body cut short) are left out: a
// model that counted them would be credited with work that did not succeed.
func (r Report) Bytes() int64 {
	var n int64
	for _, res := range r.Results {
		if res.Err == nil {
			n += res.Bytes
		}
	}
	return n
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
