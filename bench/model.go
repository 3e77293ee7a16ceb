package bench

import (
	"context"

	"conclab/cpubound"
	"conclab/iobound"
)

// Model is one way of running the two workloads. Every model package
// (sequential, threaded, eventloop, multiproc) exports a value with these
// methods; the harness, which consumes them, declares the interface.
type Model interface {
	// Name is the model's row label: "sequential", "threaded", ...
	Name() string
	// Download GETs every URL and counts its body bytes. A failed URL is a
	// Result with an error, not an abort; the error return is for a run
	// that could not happen at all (bad configuration, cancellation).
	Download(ctx context.Context, urls []string) (iobound.Report, error)
	// SumSquares computes the sum of squares of every number.
	SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error)
}

// Concurrent is implemented by models that run more than one task at a time.
// The harness uses it for each model's lower bound; a model without it runs
// one task at a time.
type Concurrent interface {
	// Concurrency reports how many tasks of the workload ("io" or "cpu") the
	// model runs at once when given tasks of them.
	Concurrency(workload string, tasks int) int
}
