package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
)

// widest is what `wc -L` says of text in a UTF-8 locale: its widest line,
// in characters. The converter's table is left out: it is the converter's.
func widest(t *testing.T, text string) int {
	t.Helper()
	if at := strings.Index(text, "Converter:"); at >= 0 {
		if end := strings.Index(text[at:], "\n\n"); end >= 0 {
			text = text[:at] + text[at+end:]
		}
	}
	n := 0
	for _, l := range strings.Split(text, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

func TestRunDefaultFitsHundredColumns(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("-runs", "2", "-procs", "1")...)
	require.Equal(t, exitOK, code, stderr)
	assert.LessOrEqual(t, widest(t, out), bench.MaxNarrowWidth, out)
	header := lineWith(t, out, "│ model")
	for _, col := range []string{"workers", "median ± σ", "speedup", "bound", "efficiency", "failed"} {
		assert.Contains(t, header, col)
	}
	assert.NotContains(t, header, "goroutines", "resource columns are for -wide")

	t.Run("-wide adds the resource columns", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-wide", "-models", "sequential,threaded")...)
		require.Equal(t, exitOK, code, stderr)
		header := lineWith(t, out, "│ model")
		for _, col := range []string{"cpu s/run", "goroutines", "threads", "procs", "peak RSS MiB"} {
			assert.Contains(t, header, col)
		}
	})
	t.Run("io -wide adds the load figures, as hey prints them", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("io", "-wide", "-models", "sequential,eventloop")...)
		require.Equal(t, exitOK, code, stderr)
		header := lineWith(t, out, "│ model")
		for _, col := range []string{"req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"} {
			assert.Contains(t, header, col)
		}
	})
}

func TestRunJSONHasTheLoadFigures(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("io", "-format", "json", "-models", "sequential")...)
	require.Equal(t, exitOK, code, stderr)
	var doc struct {
		IO struct {
			Results []struct {
				RequestsPerSecond *float64 `json:"requests_per_second"`
				RequestSeconds    *struct {
					P50, P90, P99, Max *float64
				} `json:"request_seconds"`
			} `json:"results"`
		} `json:"io"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.IO.Results, 1)
	r := doc.IO.Results[0]
	require.NotNil(t, r.RequestsPerSecond)
	assert.Positive(t, *r.RequestsPerSecond)
	require.NotNil(t, r.RequestSeconds)
	for _, p := range []*float64{r.RequestSeconds.P50, r.RequestSeconds.P90, r.RequestSeconds.P99, r.RequestSeconds.Max} {
		require.NotNil(t, p)
		assert.GreaterOrEqual(t, *p, 0.001, "every request waited the 1 ms latency")
	}
}
