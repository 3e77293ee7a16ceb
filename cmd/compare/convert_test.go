package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/testserver"
)

func TestRunConvertRefusesBadFlagsBeforeAnyWork(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no processes", []string{"convert", "-procs", "0"}, "-procs"},
		{"too many processes", []string{"convert", "-procs", "65"}, "-procs"},
		{"too many runs", []string{"convert", "-runs", "101"}, "-runs"},
		{"a cache URL that is not redis", []string{"convert", "-procs", "2", "-cache-url", "http://127.0.0.1:6379"}, "-cache-url"},
		{"a cache URL's password stays hidden", []string{"convert", "-cache-url", "redis://:secret@127.0.0.1:6379/x"}, "-cache-url"},
		{"processes with one amount", []string{"convert", "-points", "1000", "-procs", "2"}, "-procs: runs a load, and -points converts one amount"},
		{"backpressure outside convert", []string{"io", "-backpressure"}, "-backpressure: not a flag of compare io"},
		{"a cache URL outside convert", []string{"cpu", "-cache-url", "redis://127.0.0.1:6379/0"}, "-cache-url: not a flag of compare cpu"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertUsageError(t, tt.want, tt.args...)
			_, _, stderr := runCompare(t, context.Background(), tt.args...)
			assert.NotContains(t, stderr, "secret")
		})
	}
}

func TestRunConvertTable(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), "convert", "-runs", "2")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "median ± spread of 2 runs")
	assert.Contains(t, out, " ± ")
	assert.Contains(t, out, "cheap: ")
	assert.Contains(t, out, "expensive: ")
	assert.NotContains(t, out, "Converter across", "the processes table takes -procs")
}

func TestRunConvertProcs(t *testing.T) {
	t.Run("without a cache URL the redis row is left out, saying how to add it", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "convert", "-procs", "2", "-format", "markdown")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "Converter across 2 processes")
		assert.Contains(t, out, "| per-process |")
		assert.Contains(t, out, "| owner ")
		assert.NotContains(t, out, "| redis ")
		assert.Equal(t, 1, strings.Count(out, "-cache-url"), "one line says how to add it")
		assert.NotContains(t, out, "cheap:", "the cache variants are not run")
	})
	t.Run("with one, redis has its row and the json its figures", func(t *testing.T) {
		srv := testserver.Redis(t)
		code, out, stderr := runCompare(t, context.Background(), "convert", "-procs", "2", "-cache-url", srv.URL, "-format", "json")
		require.Equal(t, exitOK, code, stderr)
		doc := decodeConverter(t, out)
		require.Len(t, doc.Processes, 3)
		for i, share := range []string{"per-process", "owner", "redis"} {
			p := doc.Processes[i]
			assert.Equal(t, share, p["share"])
			assert.Equal(t, 20000.0, p["ops"])
			assert.Zero(t, p["failed"])
			assert.Zero(t, p["wrong"])
			if share != "per-process" {
				assert.Zero(t, p["repeated"], "%s computes each amount once", share)
			}
		}
		assert.Empty(t, stderr[strings.Index(stderr, "\n")+1:], "one progress line, nothing from go-redis")
	})
}

func TestRunConvertProcsOnARedisThatIsDown(t *testing.T) {
	srv := testserver.Redis(t)
	require.NoError(t, srv.Kill())
	code, out, stderr := runCompare(t, context.Background(), "convert", "-procs", "2", "-cache-url", srv.URL)
	assert.Equal(t, exitFailed, code, "conversions failed")
	assert.Contains(t, out, "per-process", "the other rows ran")
	assert.Contains(t, out, "redis: 20000 of 20000 calls failed, the first with:")
	assert.Contains(t, out, "shared cache failed")
	assert.Contains(t, stderr, "compare: convert: calls failed (redis 20000 of 20000); the table says why")
}

func TestRunConvertBackpressure(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), "convert", "-backpressure", "-format", "json")
	require.Equal(t, exitOK, code, stderr)
	doc := decodeConverter(t, out)
	require.Len(t, doc.Backpressure, 8, "4 capacities, without and with the semaphore")
	for _, row := range doc.Backpressure {
		if row["semaphore"] == true {
			assert.Zero(t, row["overloaded"], "the semaphore keeps callers within the capacity")
		}
	}
}

type converterDoc struct {
	Results      []map[string]any `json:"results"`
	Processes    []map[string]any `json:"processes"`
	Backpressure []map[string]any `json:"backpressure"`
}

func decodeConverter(t *testing.T, out string) converterDoc {
	t.Helper()
	var doc struct {
		Converter converterDoc `json:"converter"`
	}
	require.NoError(t, jsonUnmarshal(out, &doc), out)
	return doc.Converter
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
