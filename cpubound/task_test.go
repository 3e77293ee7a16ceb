package cpubound_test

import (
	"context"
	"fmt"
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
