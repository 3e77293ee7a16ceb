package task_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/task"
)

func TestSpan(t *testing.T) {
	start := time.Now()
	s := task.Ran(3, start)
	assert.Equal(t, 3, s.Worker)
	assert.Equal(t, os.Getpid(), s.PID)
	assert.Equal(t, start, s.Start)
	assert.False(t, s.End.Before(start))
}

func TestCancelled(t *testing.T) {
	require.NoError(t, task.Cancelled(t.Context(), "m"), "a live context is no error")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := task.Cancelled(ctx, "m")
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "m: run cancelled: context canceled", err.Error())
}

func TestNotStarted(t *testing.T) {
	tests := []struct {
		name  string
		cause error
		want  string
	}{
		{"names its cause", context.Canceled, "not started: context canceled"},
		{"without a cause, says the run ended", nil, "not started: the run ended first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := task.NotStarted(tt.cause)
			assert.Equal(t, tt.want, err.Error())
			if tt.cause != nil {
				assert.True(t, errors.Is(err, tt.cause))
			}
		})
	}
}
