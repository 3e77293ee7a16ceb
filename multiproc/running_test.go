package multiproc

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
	"conclab/internal/proctest"
	"conclab/iobound"
)

func sumPIDs(rep cpubound.Report) map[int]bool {
	return pids(rep.Results, func(r cpubound.Result) int { return r.Span.PID })
}

func TestRunningServesManyCalls(t *testing.T) {
	checkReaped(t)
	srv, err := iobound.NewServer(iobound.Config{})
	require.NoError(t, err)
	defer srv.Close()

	r, err := Pool{Procs: 2}.Start(t.Context())
	require.NoError(t, err)
	assert.Positive(t, r.Startup())
	kids, ok := proctest.Children(os.Getpid())
	if ok {
		assert.Len(t, kids, 2, "both workers run before any call")
	}

	first, err := r.SumSquares(t.Context(), []int{1, 2, 3, 4})
	require.NoError(t, err)
	assert.Zero(t, first.Failed())
	assert.Zero(t, first.Startup, "the start-up was Start's")
	assert.Equal(t, "14", first.Results[3].Sum.String(), "the sum of the squares below 4")

	second, err := r.SumSquares(t.Context(), []int{5, 6, 7, 8})
	require.NoError(t, err)
	for pid := range sumPIDs(second) {
		assert.Contains(t, kids, pid, "the second call ran on the workers Start started")
	}
	rep, err := r.Download(t.Context(), srv.URLs(2))
	require.NoError(t, err)
	assert.Zero(t, rep.Failed())

	empty, err := r.SumSquares(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, empty.Results)

	require.NoError(t, r.Close())
	assert.NoError(t, r.Close(), "a second Close does nothing")
	_, err = r.SumSquares(t.Context(), []int{1})
	assert.ErrorIs(t, err, ErrClosed)
}

func TestRunningStartFailures(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		pool  Pool
		ctx   context.Context
		setup func(t *testing.T)
		want  error
	}{
		{"a negative Timeout starts nothing", Pool{Procs: 1, Timeout: -1}, context.Background(), nil, ErrNegativeSetting},
		{"a cancelled start starts nothing", Pool{Procs: 2}, cancelled, nil, context.Canceled},
		{"a worker that cannot start fails the start", Pool{Procs: 2, LogWriter: io.Discard}, context.Background(),
			func(t *testing.T) { t.Setenv(envTestWorkerOne, "exit") }, ErrWorkerDied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			if tt.setup != nil {
				tt.setup(t)
			}
			r, err := tt.pool.Start(tt.ctx)
			assert.ErrorIs(t, err, tt.want)
			assert.Nil(t, r)
		})
	}
}

func TestRunningReplacesWorkers(t *testing.T) {
	t.Run("a worker that crashes is replaced, and the next call runs", func(t *testing.T) {
		checkReaped(t)
		t.Setenv(envCrashOn, strconv.Itoa(3))
		r, err := Pool{Procs: 2, LogWriter: io.Discard}.Start(t.Context())
		require.NoError(t, err)
		defer func() { assert.NoError(t, r.Close()) }()
		rep, err := r.SumSquares(t.Context(), []int{1, 2, 3, 4, 5})
		require.NoError(t, err)
		assert.ErrorIs(t, rep.Results[2].Err, ErrWorkerDied)
		assert.Equal(t, 1, rep.Failed())
		rep, err = r.SumSquares(t.Context(), []int{1, 2})
		require.NoError(t, err)
		assert.Zero(t, rep.Failed())
	})
	t.Run("a cancelled call kills its workers, and the next call starts new ones", func(t *testing.T) {
		checkReaped(t)
		r, err := Pool{Procs: 2, LogWriter: io.Discard}.Start(t.Context())
		require.NoError(t, err)
		defer func() { assert.NoError(t, r.Close()) }()
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		big := make([]int, 8)
		for i := range big {
			big[i] = 2_000_000_000 // seconds each: the call is cancelled in the middle
		}
		rep, err := r.SumSquares(ctx, big)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, len(big), rep.Failed())
		rep, err = r.SumSquares(t.Context(), []int{1, 2, 3})
		require.NoError(t, err)
		assert.Zero(t, rep.Failed())
	})
}

func TestZeroPoolRunsOneWorkerPerCPU(t *testing.T) {
	checkReaped(t)
	rep, err := Pool{LogWriter: io.Discard}.SumSquares(t.Context(), []int{1, 2, 3})
	require.NoError(t, err)
	assert.Zero(t, rep.Failed())
	assert.LessOrEqual(t, len(sumPIDs(rep)), min(DefaultProcs(), 3))
}
