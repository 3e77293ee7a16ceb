package bench

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunnerIsolateKeepsTraits: a row measured in a child comes back as
// JSON, without what the model declared of itself; the summary, the sweep
// and compare's lessons read those traits, so the runner sets them again.
func TestRunnerIsolateKeepsTraits(t *testing.T) {
	procs := newFake("multiproc")
	procs.concurrency, procs.processes = 2, true
	one := newFake("eventloop") // concurrency 0: one goroutine, in this process
	r := Runner{Runs: 1, Isolate: func(_ context.Context, m Model, _ string) (*Result, error) {
		return &Result{Model: m.Name(), Workers: 1, Runs: 1, Tasks: 3,
			Seconds: Seconds{Median: 0.001, Min: 0.001, Times: []float64{0.001}}}, nil
	}}
	sec, err := r.CPU(context.Background(), []Model{procs, one}, []int{1, 2, 3})
	require.NoError(t, err)
	require.Len(t, sec.Results, 2)
	assert.True(t, sec.Results[0].UsesProcesses)
	assert.False(t, sec.Results[0].OneGoroutine)
	assert.False(t, sec.Results[1].UsesProcesses)
	assert.True(t, sec.Results[1].OneGoroutine)
}
