package bench_test

import (
	"context"
	"fmt"

	"conclab/bench"
	"conclab/cpubound"
	"conclab/iobound"
)

// pool is a model that declares its traits: two tasks at once, each on a
// goroutine of its own, in this process.
type pool struct{}

func (pool) Name() string { return "pool" }
func (pool) Download(context.Context, []string) (iobound.Report, error) {
	return iobound.Report{}, nil
}
func (pool) SumSquares(context.Context, []int) (cpubound.Report, error) {
	return cpubound.Report{}, nil
}
func (pool) Concurrency(workload string, tasks int) int { return min(2, tasks) }
func (pool) Processes() bool                            { return false }
func (pool) OneGoroutine() bool                         { return false }

// The harness asks a model what it is; a model that does not say runs one
// task at a time, on one goroutine.
func ExampleTraitsOf() {
	declared := bench.TraitsOf(pool{})
	fmt.Println(declared.Concurrency(bench.WorkloadCPU, 20), declared.Processes(), declared.OneGoroutine())
	silent := bench.TraitsOf(struct{ bench.Model }{pool{}}) // the same model, its traits hidden
	fmt.Println(silent.Concurrency(bench.WorkloadCPU, 20), silent.Processes(), silent.OneGoroutine())
	// Output:
	// 2 false false
	// 1 false true
}
