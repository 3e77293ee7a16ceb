package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
)

// peakRSS runs compare io with args as JSON and returns each model's peak
// resident set.
func peakRSS(t *testing.T, args ...string) map[string]int64 {
	t.Helper()
	code, out, stderr := runCompare(t, context.Background(), tiny(append([]string{"io", "-format", "json"}, args...)...)...)
	require.Equal(t, exitOK, code, stderr)
	var rep bench.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.NotNil(t, rep.IO)
	rss := map[string]int64{}
	for _, r := range rep.IO.Results {
		rss[r.Model] = r.PeakRSSBytes
	}
	return rss
}

// TestRunMeasuresEachModelInItsOwnProcess holds compare to bench's claim
// that a row's memory is its model's own: the event loop's peak resident
// set is the same (within 10%) whether it runs first or after a pool of
// 2,000 goroutines that grew the heap.
func TestRunMeasuresEachModelInItsOwnProcess(t *testing.T) {
	first := peakRSS(t, "-models", "eventloop", "-repeat", "100")
	after := peakRSS(t, "-models", "threaded,eventloop", "-workers", "2000", "-repeat", "100")
	require.Positive(t, first["eventloop"])
	assert.InEpsilon(t, first["eventloop"], after["eventloop"], 0.10,
		"eventloop first: %d B, after the pool: %d B (the pool peaked at %d B)", first["eventloop"], after["eventloop"], after["threaded"])
}

func TestRunIsolatedRowsAreWhole(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("io", "-format", "json", "-models", "sequential,threaded")...)
	require.Equal(t, exitOK, code, stderr)
	var rep bench.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.IO.Results, 2)
	for _, r := range rep.IO.Results {
		assert.Positive(t, r.PeakRSSBytes, r.Model)
		assert.Positive(t, r.PeakGoroutines, r.Model)
		assert.NotNil(t, r.Bytes, r.Model)
		assert.NotNil(t, r.Efficiency, "%s: set by the parent over every row", r.Model)
	}
	require.NotNil(t, rep.IO.Results[1].Speedup, "threaded against sequential, both measured in children")
}
