package cpubound_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
)

func TestFinish(t *testing.T) {
	ran := cpubound.Result{N: 3, Sum: cpubound.Uint128{Lo: 5}}
	ran.Span.End = time.Now()
	tests := []struct {
		name   string
		cancel bool
		err    string
		second string
	}{
		{"a finished run is no error", false, "", "sum of squares of 0: not started: the run ended first"},
		{"a cancelled run fails the numbers not started", true, "m: run cancelled: context canceled", "sum of squares of 0: not started: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			rep, err := cpubound.Finish(ctx, "m", []int{3, 0}, []cpubound.Result{ran, {}})
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, context.Canceled)
				assert.Equal(t, tt.err, err.Error())
			}
			assert.Equal(t, ran, rep.Results[0])
			assert.Equal(t, tt.second, rep.Results[1].Err.Error())
		})
	}
}

func ExampleNotStarted() {
	res := cpubound.NotStarted(7, context.Canceled)
	fmt.Println(res.Err)
	// Output: sum of squares of 7: not started: context canceled
}

func TestTask(t *testing.T) {
	tests := []struct {
		name string
		n    int
		err  error
	}{
		{"a sum with its span", 5, nil},
		{"an invalid number fails its own task", -1, cpubound.ErrNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cpubound.Task(2, tt.n)
			require.ErrorIs(t, res.Err, tt.err)
			assert.Equal(t, tt.n, res.N)
			assert.Equal(t, 2, res.Span.Worker)
			assert.Equal(t, os.Getpid(), res.Span.PID)
			assert.False(t, res.Span.End.Before(res.Span.Start))
			if tt.err == nil {
				assert.Equal(t, cpubound.Uint128{Lo: 30}, res.Sum)
			}
		})
	}
}
