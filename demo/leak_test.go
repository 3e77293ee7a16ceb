package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/demo"
	"conclab/iobound"
)

func TestLeak(t *testing.T) {
	cfg := demo.LeakConfig{Fetchers: 3, Parsers: 2, Repeat: 10}
	rep, err := demo.Leak(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 21, rep.URLs, "both pages ten times, and the failing URL")

	t.Run("both pipelines stop at the failing URL", func(t *testing.T) {
		assert.ErrorIs(t, rep.Leaky.Err, iobound.ErrStatus)
		assert.ErrorIs(t, rep.Fixed.Err, iobound.ErrStatus)
	})
	t.Run("the leaky pipeline leaves goroutines blocked in its stages", func(t *testing.T) {
		// At most every goroutine it started: the generator, 3 fetchers,
		// 2 parsers and the two closers.
		assert.Positive(t, rep.Leaky.Leaked)
		assert.LessOrEqual(t, rep.Leaky.Leaked, 1+3+2+2)
		sum := 0
		for _, b := range rep.Leaky.Blocked {
			assert.True(t, strings.HasPrefix(b.Func, "demo.leaky"), "%s is one of the leaky pipeline's functions", b.Func)
			assert.NotEmpty(t, b.State)
			sum += b.Count
		}
		assert.Equal(t, rep.Leaky.Leaked, sum, "the groups add up to the leak")
		assert.Equal(t, rep.Leaky.Leaked, rep.Leaky.Released, "the demonstration ends every goroutine it counted")
	})
	t.Run("the pipeline with a context and errgroup leaves none", func(t *testing.T) {
		assert.Zero(t, rep.Fixed.Leaked)
		assert.Empty(t, rep.Fixed.Blocked)
		assert.Zero(t, rep.Fixed.Released)
	})
	t.Run("nothing is left running after both", func(t *testing.T) {
		goleak.VerifyNone(t)
	})
	t.Run("the report shows the leak and the release", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, rep.Write(&b))
		assert.Contains(t, b.String(), "demo.leakyFetch")
		assert.Contains(t, b.String(), "closed a channel that only it knows about")
		assert.Contains(t, b.String(), "goroutines left behind: 0")
	})
}

func TestLeakCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := demo.Leak(ctx, demo.LeakConfig{Repeat: 2})
	assert.ErrorIs(t, err, context.Canceled)
	goleak.VerifyNone(t)
}

func TestLeakReportWrite(t *testing.T) {
	cfg := demo.LeakConfig{Fetchers: 4, Parsers: 2}
	leaky := demo.PipelineRun{Err: iobound.ErrStatus, Paragraphs: 12, Leaked: 3, Released: 3,
		Blocked: []demo.Blocked{{Func: "demo.leakyFetch", State: "select", Count: 2}, {Func: "demo.leakyGenerate", State: "select", Count: 1}}}
	tests := []struct {
		name string
		rep  demo.LeakReport
		want []string
		not  []string
	}{
		{
			name: "a leak is listed by function and released",
			rep:  demo.LeakReport{Config: cfg, URLs: 41, Leaky: leaky, Fixed: demo.PipelineRun{Err: iobound.ErrStatus}},
			want: []string{"over 41 URLs", "SetLimit(4)", "stopped after 12 paragraphs with: iobound: non-2xx status",
				"goroutines left behind: 3", "  2  demo.leakyFetch", "[select]", "the\n   3 goroutines returned", "Nothing to release"},
		},
		{
			name: "a pipeline that ends without error says so",
			rep:  demo.LeakReport{Config: cfg, URLs: 2, Fixed: demo.PipelineRun{Paragraphs: 5}},
			want: []string{"counted 5 paragraphs with no error"},
			not:  []string{"Nobody told", "closed a channel"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, tt.rep.Write(&b))
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, b.String(), n)
			}
		})
	}
}
