package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
	"conclab/demo"
)

func TestPreempt(t *testing.T) {
	rep, err := demo.Preempt(context.Background(), demo.PreemptConfig{N: 20_000_000})
	require.NoError(t, err)
	assert.Equal(t, 20_000_000, rep.Config.N)
	assert.Zero(t, rep.Config.Delay, "a timer due at once")
	require.Len(t, rep.Runs, 3)
	// Structure only: how late the timer ran is shown, never asserted.
	for i, want := range []struct {
		procs   int
		noAsync bool
		label   string
	}{{1, false, "goroutine, 1 P"}, {2, false, "goroutine, 2 Ps"}, {1, true, "goroutine, 1 P, no async"}} {
		run := rep.Runs[i]
		t.Run(want.label+" ran its task and its timer in a child", func(t *testing.T) {
			assert.Equal(t, want.procs, run.GOMAXPROCS, "the child saw the GOMAXPROCS it was given")
			assert.Equal(t, want.noAsync, run.AsyncPreemptOff)
			assert.Equal(t, want.label, run.Label())
			assert.Positive(t, run.Task)
			assert.GreaterOrEqual(t, run.Late, time.Duration(0), "a timer never runs before its deadline")
		})
	}
	var b strings.Builder
	require.NoError(t, rep.Write(&b))
	assert.Contains(t, b.String(), "goroutine, 2 Ps")
	assert.Contains(t, b.String(), "timer late by")
}

func TestPreemptErrors(t *testing.T) {
	t.Run("a number the kernel cannot sum exactly is refused before any child", func(t *testing.T) {
		_, err := demo.Preempt(context.Background(), demo.PreemptConfig{N: int(cpubound.MaxN) + 1})
		assert.Error(t, err)
	})
	t.Run("a timer due before the task is refused", func(t *testing.T) {
		_, err := demo.Preempt(context.Background(), demo.PreemptConfig{Delay: -time.Millisecond})
		assert.ErrorIs(t, err, demo.ErrNegativeDelay)
	})
	t.Run("a cancelled caller starts no child", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := demo.Preempt(ctx, demo.PreemptConfig{})
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestPreemptReportWrite(t *testing.T) {
	cfg := demo.PreemptConfig{N: 100_000_000, Delay: time.Millisecond}
	tests := []struct {
		name string
		runs []demo.PreemptRun
		want []string
		not  []string
	}{
		{
			name: "a preempted goroutine is explained by sysmon",
			runs: []demo.PreemptRun{
				{GOMAXPROCS: 1, Task: 60 * time.Millisecond, Late: 19 * time.Millisecond, TimerFirst: true},
				{GOMAXPROCS: 2, Task: 60 * time.Millisecond, Late: 50 * time.Microsecond, TimerFirst: true},
				{GOMAXPROCS: 1, AsyncPreemptOff: true, Task: 60 * time.Millisecond, Late: 59 * time.Millisecond},
			},
			want: []string{"goroutine, 1 P                60.0 ms         19.0 ms  while the task ran",
				"goroutine, 1 P, no async      60.0 ms         59.0 ms  after the task ended",
				"ran 19.0 ms late (20.0 ms into the task)", "forcePreemptNS", "on an idle P (0.050 ms late)",
				"the timer waited 59.0 ms, the whole task"},
		},
		{
			name: "a task shorter than the time slice is not preempted, and the report says so",
			runs: []demo.PreemptRun{{GOMAXPROCS: 1, Task: 5 * time.Millisecond, Late: 4 * time.Millisecond}},
			want: []string{"ended before sysmon took the P from it"},
			not:  []string{"sysmon's doing"},
		},
		{
			name: "a timer that got through with preemption off is not passed over",
			runs: []demo.PreemptRun{{GOMAXPROCS: 1, AsyncPreemptOff: true, Task: 60 * time.Millisecond, Late: 2 * time.Millisecond, TimerFirst: true}},
			want: []string{"still ran before the task ended"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, demo.PreemptReport{Config: cfg, Runs: tt.runs}.Write(&b))
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, b.String(), n)
			}
		})
	}
}
