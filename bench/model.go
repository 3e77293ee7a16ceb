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

// Traits is what a model declares about itself, for the harness, the
// summary and the sweep, which never recognise a model by its name. Every
// model package's model implements it with methods of its own (no model
// imports bench); a model without it is taken to run one task at a time,
// on one goroutine of this process, as the sequential model does.
type Traits interface {
	// Concurrency reports how many tasks of the workload (WorkloadIO or
	// WorkloadCPU) the model runs at once when given tasks of them.
	Concurrency(workload string, tasks int) int
	// Processes reports whether the model runs its tasks in worker
	// processes, each with a start-up and memory of its own.
	Processes() bool
	// OneGoroutine reports whether the model runs every task on one
	// goroutine: whatever it overlaps of their waits, it computes on one
	// core.
	OneGoroutine() bool
}

// TraitsOf returns m's Traits, or those of a model that runs one task at a
// time on one goroutine of this process when m declares none.
func TraitsOf(m Model) Traits {
	if t, ok := m.(Traits); ok {
		return t
	}
	return oneAtATime{}
}

type oneAtATime struct{}

func (oneAtATime) Concurrency(string, int) int { return 1 }
func (oneAtATime) Processes() bool             { return false }
func (oneAtATime) OneGoroutine() bool          { return true }
