package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
)

// widest is what `wc -L` says of text in a UTF-8 locale: its widest line,
// in characters.
func widest(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

func TestRunDefaultFitsHundredColumns(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("-runs", "2", "-procs", "1")...)
	require.Equal(t, exitOK, code, stderr)
	assert.LessOrEqual(t, widest(out), bench.MaxNarrowWidth, out)
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

func TestRunExports(t *testing.T) {
	dir := t.TempDir()
	jsonFile, csvFile, mdFile := filepath.Join(dir, "out.json"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "out.md")
	code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-models", "sequential,threaded",
		"-export-json", jsonFile, "-export-csv", csvFile, "-export-markdown", mdFile)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "│ model", "the table still goes to the screen")

	data, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	var doc bench.Report
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, bench.Schema, doc.Schema)
	require.NotNil(t, doc.CPU)
	assert.Len(t, doc.CPU.Results, 2)

	f, err := os.Open(csvFile)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"command", "mean", "stddev", "median", "user", "system", "min", "max"}, rows[0])
	assert.Len(t, rows, 3)

	md, err := os.ReadFile(mdFile)
	require.NoError(t, err)
	assert.Contains(t, string(md), "### CPU-bound")
	assert.Contains(t, string(md), "| model ")
	assert.NotContains(t, string(md), "│")
}

func TestRunRejectsBadExports(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, want string
		args       []string
	}{
		{"a directory", "-export-json: " + dir + " is a directory", []string{"cpu", "-export-json", dir}},
		{"a missing directory", "-export-csv: ", []string{"cpu", "-export-csv", filepath.Join(dir, "no", "x.csv")}},
		{"one file twice", "is -export-json's file too", []string{"cpu", "-export-json", filepath.Join(dir, "x"), "-export-markdown", filepath.Join(dir, "x")}},
		{"a flag of the measuring commands only", "-export-json: not a flag of compare convert", []string{"convert", "-export-json", filepath.Join(dir, "x")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertUsageError(t, tt.want, tt.args...)
		})
	}
}

func TestRunBenchWarnsBelowSixRuns(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-format", "bench", "-models", "sequential")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "benchstat needs at least 6 runs")
	assert.Contains(t, out, "BenchmarkCPU/model=sequential/workers=1")

	code, _, stderr = runCompare(t, context.Background(), tiny("cpu", "-format", "bench", "-models", "sequential", "-runs", "6")...)
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "benchstat needs")
}

func TestRunVersion(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), "-version")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 1, strings.Count(out, "\n"), out)
	assert.True(t, strings.HasPrefix(out, "compare "), out)
	assert.Contains(t, out, "revision", "the VCS revision, or why there is none")
	assert.Contains(t, out, "go1.")
}
