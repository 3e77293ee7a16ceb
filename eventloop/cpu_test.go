//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
)

func TestSumSquares(t *testing.T) {
	t.Run("every sum matches the closed form, in input order, on worker 0 of this process", func(t *testing.T) {
		numbers := []int{0, 1, 2, 99_999, 100_000, 100_001, 1_234_567}
		report, err := Model{}.SumSquares(t.Context(), numbers)
		require.NoError(t, err)
		require.Len(t, report.Results, len(numbers))
		for i, res := range report.Results {
			require.NoError(t, res.Err)
			assert.Equal(t, numbers[i], res.N)
			want, err := cpubound.Expected(res.N)
			require.NoError(t, err)
			assert.Equal(t, want, res.Sum, "n=%d", res.N)
			assert.Equal(t, 0, res.Span.Worker)
			assert.Equal(t, os.Getpid(), res.Span.PID)
			assert.False(t, res.Span.End.Before(res.Span.Start))
		}
	})
	t.Run("the sums interleave: every task runs while every other one does", func(t *testing.T) {
		numbers := []int{5*sumChunk + 1, 4 * sumChunk, 3*sumChunk + 7}
		report, err := Model{}.SumSquares(t.Context(), numbers)
		require.NoError(t, err)
		for _, a := range report.Results {
			for _, b := range report.Results {
				assert.True(t, a.Span.Start.Before(b.Span.End), "%d started after %d ended", a.N, b.N)
			}
		}
	})
	t.Run("a number outside the kernel's domain fails alone", func(t *testing.T) {
		report, err := Model{}.SumSquares(t.Context(), []int{-1, 10, int(cpubound.MaxN + 1)})
		require.NoError(t, err)
		assert.ErrorIs(t, report.Results[0].Err, cpubound.ErrNegative)
		assert.NoError(t, report.Results[1].Err)
		assert.Equal(t, "285", report.Results[1].Sum.String())
		assert.ErrorIs(t, report.Results[2].Err, cpubound.ErrOverflow)
	})
	t.Run("cancelling the context stops the sums between two chunks", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		timer := time.AfterFunc(20*time.Millisecond, cancel)
		defer timer.Stop()
		// About a quarter of an hour of work each, if nothing stopped it.
		report, err := Model{}.SumSquares(ctx, []int{1e12, 1e12})
		require.ErrorIs(t, err, context.Canceled)
		for _, res := range report.Results {
			assert.ErrorIs(t, res.Err, context.Canceled)
			assert.False(t, res.Span.End.Before(res.Span.Start))
		}
	})
}

func TestStarve(t *testing.T) {
	report, err := Starve(t.Context(), 20*sumChunk, 0)
	require.NoError(t, err)
	t.Run("a task that never yields delays a due timer by its whole computation", func(t *testing.T) {
		assert.False(t, report.Blocking.TimerFirst, "the timer ran before the task finished")
		assert.Zero(t, report.Blocking.Yields)
		assert.GreaterOrEqual(t, report.Blocking.Late, report.Blocking.Task)
	})
	t.Run("the same task yielding between chunks lets the timer run in between", func(t *testing.T) {
		assert.True(t, report.Yielding.TimerFirst, "the timer waited for the whole task")
		assert.Equal(t, 19, report.Yielding.Yields)
	})
	t.Run("numbers outside the kernel's domain are refused", func(t *testing.T) {
		_, err := Starve(t.Context(), -1, 0)
		assert.ErrorIs(t, err, cpubound.ErrNegative)
	})
}
