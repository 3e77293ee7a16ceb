package main

import (
	"context"
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
}
