package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/bench"
	"conclab/iobound"
)

func TestMain(m *testing.M) {
	// The embedded server and the pool's workers re-execute this test
	// binary, as they re-execute compare.
	runChildIfAny()
	goleak.VerifyTestMain(m)
}

// tiny keeps every workload small (a test checks behaviour, not speed),
// after the args given.
func tiny(args ...string) []string {
	return append(args, "-latency", "1ms", "-repeat", "2", "-count", "2", "-runs", "1", "-warmup", "0")
}

func runCompare(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunPrintsTables(t *testing.T) {
	t.Run("io prints one table with every model", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("io")...)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "I/O-bound: 4 GETs from the embedded server")
		assert.NotContains(t, out, "CPU-bound")
		for _, name := range modelNames() {
			assert.Contains(t, out, "│ "+name)
		}
		assert.Contains(t, out, "efficiency")
		assert.Contains(t, out, "another language on another machine")
	})
	t.Run("flags may come before the subcommand", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), append(tiny(), "cpu", "-models", "sequential")...)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "CPU-bound: sum of squares below each of 2 numbers, 5000000 … 5000001")
		assert.Contains(t, out, "│ sequential")
		assert.NotContains(t, out, "│ threaded")
	})
	t.Run("markdown has pipes and no box drawing", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-format", "markdown", "-models", "sequential,threaded")...)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "| sequential ")
		assert.NotContains(t, out, "│")
	})
	t.Run("csv has hyperfine's columns", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-format", "csv", "-models", "sequential")...)
		require.Equal(t, 0, code, stderr)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2)
		assert.Equal(t, "command,mean,stddev,median,user,system,min,max", lines[0])
		assert.True(t, strings.HasPrefix(lines[1], "cpu sequential,"), lines[1])
	})
	t.Run("bench has one line per run", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "cpu", "-format", "bench", "-count", "2", "-runs", "2", "-warmup", "0", "-models", "sequential,threaded")
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, 2, strings.Count(out, "BenchmarkCPU/model=sequential/workers=1 "))
		assert.Equal(t, 2, strings.Count(out, "BenchmarkCPU/model=threaded/workers=2 "))
	})
}

// document is the JSON output, decoded into the schema's shape.
type document struct {
	Schema string `json:"schema"`
	Env    struct {
		Go         string `json:"go"`
		CPUs       int    `json:"cpus"`
		GOMAXPROCS int    `json:"gomaxprocs"`
	} `json:"env"`
	IO *struct {
		Source   string           `json:"source"`
		Requests int              `json:"requests"`
		Latency  *float64         `json:"latency_seconds"`
		Results  []map[string]any `json:"results"`
	} `json:"io"`
	CPU *struct {
		Numbers  []int            `json:"numbers"`
		Expected []string         `json:"expected"`
		Results  []map[string]any `json:"results"`
	} `json:"cpu"`
	Converter *struct {
		Results []map[string]any `json:"results"`
	} `json:"converter"`
}

func decode(t *testing.T, out string) document {
	t.Helper()
	var doc document
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(&doc), out)
	assert.False(t, dec.More(), "one JSON document")
	return doc
}

func TestRunJSON(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("-format", "json")...)
	require.Equal(t, 0, code, stderr)
	doc := decode(t, out)
	assert.Equal(t, bench.Schema, doc.Schema)
	assert.Positive(t, doc.Env.CPUs)
	assert.Positive(t, doc.Env.GOMAXPROCS)

	require.NotNil(t, doc.IO)
	assert.Equal(t, bench.SourceEmbedded, doc.IO.Source)
	assert.Equal(t, 4, doc.IO.Requests)
	require.NotNil(t, doc.IO.Latency)
	assert.InDelta(t, 0.001, *doc.IO.Latency, 1e-12)
	require.Len(t, doc.IO.Results, len(modelNames()))
	for i, r := range doc.IO.Results {
		assert.Equal(t, modelNames()[i], r["model"])
		assert.Equal(t, 4.0, r["tasks"])
		assert.Equal(t, 0.0, r["failed"], "no failures on the embedded server")
		assert.Positive(t, r["bytes"])
		assert.NotNil(t, r["bound_seconds"])
		assert.NotNil(t, r["efficiency"])
		assert.NotNil(t, r["speedup"])
		assert.GreaterOrEqual(t, r["processes"], 1.0)
		assert.NotContains(t, r, "sums")
	}

	require.NotNil(t, doc.CPU)
	assert.Equal(t, []int{5_000_000, 5_000_001}, doc.CPU.Numbers)
	assert.Equal(t, []string{"41666654166667500000", "41666679166667500000"}, doc.CPU.Expected)
	for _, r := range doc.CPU.Results {
		assert.Equal(t, []any{"41666654166667500000", "41666679166667500000"}, r["sums"], r["model"])
		assert.NotContains(t, r, "bytes")
	}

	require.NotNil(t, doc.Converter)
	assert.Len(t, doc.Converter.Results, 14, "seven caches at two costs")
}

func TestRunAgainstURLs(t *testing.T) {
	srv, err := iobound.NewServer(iobound.Config{})
	require.NoError(t, err)
	defer srv.Close()
	list := srv.URL(iobound.PathSmall) + "," + srv.URL(iobound.PathBig)
	code, out, stderr := runCompare(t, context.Background(), "io", "-urls", list, "-repeat", "3", "-runs", "1", "-warmup", "0",
		"-models", "sequential,threaded", "-format", "json")
	require.Equal(t, 0, code, stderr)
	doc := decode(t, out)
	require.NotNil(t, doc.IO)
	assert.Equal(t, bench.SourceURLs, doc.IO.Source)
	assert.Equal(t, 6, doc.IO.Requests, "the list repeated -repeat times")
	assert.Nil(t, doc.IO.Latency)
	for _, r := range doc.IO.Results {
		assert.Nil(t, r["bound_seconds"])
		assert.Nil(t, r["efficiency"])
	}
}

func TestRunCountsFailedURLs(t *testing.T) {
	srv, err := iobound.NewServer(iobound.Config{})
	require.NoError(t, err)
	defer srv.Close()
	list := srv.URL(iobound.PathSmall) + "," + srv.FaultURL(iobound.FaultStatus500)
	code, out, stderr := runCompare(t, context.Background(), "io", "-urls", list, "-repeat", "2", "-runs", "1", "-warmup", "0",
		"-models", "sequential")
	require.Equal(t, exitOK, code, "a failed URL is a result, not an error: %s", stderr)
	assert.Contains(t, out, "sequential: 2 of 4 tasks failed in a run, e.g. "+srv.FaultURL(iobound.FaultStatus500))
	assert.Contains(t, out, "Bounds and efficiency are n/a: real sites")
}

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		flag string // what the one-line error must name
	}{
		{"an unknown model", []string{"-models", "sequential,greenlets"}, `-models: unknown model "greenlets"`},
		{"a malformed duration", []string{"-latency", "fast"}, "-latency"},
		{"a negative latency", []string{"-latency", "-1ms"}, "-latency"},
		{"a zero timeout", []string{"-timeout", "0s"}, "-timeout"},
		{"a zero count", []string{"cpu", "-count", "0"}, "-count"},
		{"a negative count", []string{"-count", "-3"}, "-count"},
		{"zero runs", []string{"-runs", "0"}, "-runs"},
		{"a negative warm-up", []string{"-warmup", "-1"}, "-warmup"},
		{"zero workers", []string{"-workers", "0"}, "-workers"},
		{"zero processes", []string{"-procs", "0"}, "-procs"},
		{"a zero repeat", []string{"-repeat", "0"}, "-repeat"},
		{"a base past the kernel's range", []string{"-base", "10069012961345"}, "-base"},
		{"a URL without a scheme", []string{"-urls", "example.org"}, "-urls"},
		{"a URL with another scheme", []string{"-urls", "ftp://example.org/x"}, "-urls"},
		{"a URL without a host", []string{"-urls", "http:///path"}, "-urls"},
		{"an unknown format", []string{"-format", "yaml"}, "-format"},
		{"an unknown subcommand", []string{"bench"}, `unknown subcommand "bench"`},
		{"an extra argument", []string{"io", "extra"}, `unexpected argument "extra"`},
		{"an unknown flag", []string{"-fast"}, "-fast"},
		{"points outside convert", []string{"io", "-points", "1000"}, "-points"},
		{"points that are not a number", []string{"convert", "-points", "abc"}, "-points"},
		{"csv for the converter table", []string{"convert", "-format", "csv"}, "-format"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a one-line usage error", func(t *testing.T) {
			assertUsageError(t, tt.flag, tt.args...)
		})
	}
}

// assertUsageError runs compare with args and checks that it fails as bad
// input must: exit status 2, nothing on stdout, one line on stderr that
// contains want, and no stack trace.
func assertUsageError(t *testing.T, want string, args ...string) {
	t.Helper()
	code, out, stderr := runCompare(t, context.Background(), args...)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.Contains(t, stderr, want)
	assert.NotContains(t, stderr, "goroutine", "no stack trace")
}

func TestRunHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		t.Run(arg+" prints the usage and succeeds", func(t *testing.T) {
			code, out, stderr := runCompare(t, context.Background(), arg)
			assert.Equal(t, exitOK, code)
			assert.Empty(t, stderr)
			assert.Contains(t, out, "Usage:")
			for _, f := range []string{"-models", "-runs", "-warmup", "-format", "-latency", "-repeat", "-urls",
				"-timeout", "-count", "-base", "-workers", "-procs", "-points", "-rules"} {
				assert.Contains(t, out, "  "+f+" ")
			}
			for _, sub := range []string{"compare io", "compare cpu", "compare convert"} {
				assert.Contains(t, out, sub)
			}
			assert.Contains(t, out, "Examples:")
		})
	}
}

func TestRunConvertOne(t *testing.T) {
	t.Run("a valid amount prints its conversion", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "convert", "-points", "150,000")
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, "150,000 A points give 120,000 B points at 10:8 (tier 1)\n", out)
	})
	t.Run("json prints the result as an object", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "convert", "-points", "1000", "-format", "json")
		require.Equal(t, exitOK, code, stderr)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		assert.Equal(t, 700.0, res["converted"])
	})
	t.Run("an amount the rules refuse prints why in one line", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "convert", "-points", "50")
		assert.Equal(t, exitFailed, code)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(stderr, "\n"))
		assert.Contains(t, stderr, "below the minimum")
	})
	t.Run("rules come from a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rules.json")
		require.NoError(t, os.WriteFile(path, []byte(`{"minimum": 10, "step": 10, "maximum": 1000,
			"tiers": [{"from": 0, "rate": {"a": 2, "b": 1}}]}`), 0o600))
		code, out, stderr := runCompare(t, context.Background(), "convert", "-rules", path, "-points", "50")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "50 A points give 25 B points at 2:1")
	})
	t.Run("a broken rules file is a usage error", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rules.json")
		require.NoError(t, os.WriteFile(path, []byte(`{"minimum": 10, "step": 0}`), 0o600))
		code, _, stderr := runCompare(t, context.Background(), "convert", "-rules", path, "-points", "50")
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "-rules")
	})
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := runCompare(t, ctx, tiny("io")...)
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, stderr, "interrupted")
}
