package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"

	"conclab/converter"
)

// sampleReport is a report with both workloads and the converter, with
// figures chosen by hand.
func sampleReport() Report {
	rep := Report{Schema: Schema, Env: Env{Go: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 2, GOMAXPROCS: 2}}
	rep.IO = &IOSection{Source: SourceEmbedded, Requests: 160, LatencySeconds: ptr(0.02), Results: []Result{
		{Model: "sequential", Workers: 1, Runs: 3, Seconds: Seconds{Mean: 3.3, Stddev: 0.1, Median: 3.3, Min: 3.2, Max: 3.4, Times: []float64{3.2, 3.3, 3.4}},
			Speedup: ptr(1.0), BoundSeconds: ptr(3.2), Efficiency: ptr(3.2 / 3.3), Tasks: 160, Bytes: ptr(int64(900000)),
			RequestsPerSecond: ptr(160 / 3.3), RequestSeconds: &Percentiles{P50: 0.0205, P90: 0.021, P99: 0.0235, Max: 0.125},
			CPUSeconds: 0.6, CPUSecondsPerRun: 0.2, PeakGoroutines: 5, PeakThreads: 7, Processes: 1, PeakRSSBytes: 12 << 20},
		{Model: "threaded", Workers: 5, Runs: 3, Seconds: Seconds{Mean: 0.66, Stddev: 0.01, Median: 0.66, Min: 0.65, Max: 0.67, Times: []float64{0.65, 0.66, 0.67}},
			Speedup: ptr(5.0), BoundSeconds: ptr(0.64), Startup: 0.0123, Efficiency: ptr(0.64 / 0.66), Tasks: 160, Bytes: ptr(int64(900000)),
			CPUSeconds: 0.5, PeakGoroutines: 12, PeakThreads: 8, Processes: 1, PeakRSSBytes: 13 << 20},
	}}
	rep.CPU = &CPUSection{Numbers: []int{5000000}, Expected: []string{"41666654166667500000"}, Results: []Result{
		{Model: "sequential", Workers: 1, Runs: 3, Seconds: Seconds{Mean: 0.0035, Median: 0.0035, Min: 0.0035, Max: 0.0035, Times: []float64{0.0035, 0.0035, 0.0035}},
			Speedup: ptr(1.0), BoundSeconds: ptr(0.0035), Efficiency: ptr(1.0), Tasks: 1, Sums: []string{"41666654166667500000"},
			PeakGoroutines: 4, PeakThreads: 6, Processes: 1, PeakRSSBytes: 10 << 20},
	}}
	rep.Converter = &ConverterSection{Results: []converter.LoadResult{
		{Cache: "locked", Dist: "zipf", Cost: "cheap", Keys: 10000, Goroutines: 8, Ops: 100000, OpsPerSecond: 1e6, NsPerOp: 1000, HitRatio: 0.99, Computations: 1000, Entries: 1000},
		{Cache: "lru", Dist: "zipf", Cost: "cheap", Keys: 10000, Goroutines: 8, Ops: 100000, OpsPerSecond: 2e6, NsPerOp: 500, HitRatio: 0.9, Computations: 10000, Entries: 512, Capacity: ptr(512)},
	}}
	return rep
}

func render(t *testing.T, rep Report, f Format) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Render(&b, rep, f))
	return b.String()
}

func TestRenderJSONFollowsTheSchema(t *testing.T) {
	out := render(t, sampleReport(), FormatJSON)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))

	assert.Equal(t, "conclab.compare/v1", doc["schema"])
	env := doc["env"].(map[string]any)
	assert.Equal(t, map[string]any{"go": "go1.26.8", "os": "linux", "arch": "amd64", "cpus": 2.0, "gomaxprocs": 2.0}, env)

	io := doc["io"].(map[string]any)
	assert.Equal(t, "embedded", io["source"])
	assert.Equal(t, 160.0, io["requests"])
	assert.Equal(t, 0.02, io["latency_seconds"])
	ioResults := io["results"].([]any)
	require.Len(t, ioResults, 2)

	resultKeys := []string{"model", "workers", "runs", "seconds", "speedup", "bound_seconds", "efficiency",
		"tasks", "failed", "cpu_seconds", "cpu_seconds_per_run", "peak_goroutines", "peak_threads", "processes", "peak_rss_bytes"}
	seq := ioResults[0].(map[string]any)
	ioKeys := []string{"bytes", "requests_per_second", "request_seconds"}
	for _, k := range append(resultKeys, ioKeys...) {
		assert.Contains(t, seq, k)
	}
	assert.NotContains(t, seq, "sums", "sums are cpu only")
	assert.Len(t, seq, len(resultKeys)+len(ioKeys), "no field beyond the schema")
	assert.InDelta(t, 160/3.3, seq["requests_per_second"], 1e-9)
	assert.Equal(t, map[string]any{"p50": 0.0205, "p90": 0.021, "p99": 0.0235, "max": 0.125}, seq["request_seconds"])
	assert.Equal(t, "sequential", seq["model"])
	assert.Equal(t, 1.0, seq["workers"])
	assert.Equal(t, 3.0, seq["runs"])
	assert.Equal(t, map[string]any{"mean": 3.3, "stddev": 0.1, "median": 3.3, "min": 3.2, "max": 3.4,
		"times": []any{3.2, 3.3, 3.4}}, seq["seconds"])
	assert.Equal(t, 1.0, seq["speedup"])
	assert.Equal(t, 3.2, seq["bound_seconds"])
	assert.InDelta(t, 3.2/3.3, seq["efficiency"], 1e-12)
	assert.Equal(t, 160.0, seq["tasks"])
	assert.Equal(t, 0.0, seq["failed"])
	assert.Equal(t, 900000.0, seq["bytes"])
	assert.Equal(t, 0.6, seq["cpu_seconds"])
	assert.Equal(t, 0.2, seq["cpu_seconds_per_run"])
	assert.Equal(t, 5.0, seq["peak_goroutines"])
	assert.Equal(t, 7.0, seq["peak_threads"])
	assert.Equal(t, 1.0, seq["processes"])
	assert.Equal(t, float64(12<<20), seq["peak_rss_bytes"])
	assert.Equal(t, 0.0, ioResults[1].(map[string]any)["failed"])

	cpu := doc["cpu"].(map[string]any)
	assert.Equal(t, []any{5000000.0}, cpu["numbers"])
	assert.Equal(t, []any{"41666654166667500000"}, cpu["expected"])
	cpuSeq := cpu["results"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"41666654166667500000"}, cpuSeq["sums"])
	for _, k := range ioKeys {
		assert.NotContains(t, cpuSeq, k, "io only")
	}

	conv := doc["converter"].(map[string]any)["results"].([]any)
	require.Len(t, conv, 2)
	assert.Equal(t, "lru", conv[1].(map[string]any)["cache"])
	assert.Equal(t, 512.0, conv[1].(map[string]any)["capacity"])
}

func TestRenderJSON(t *testing.T) {
	t.Run("parts that were not run are left out", func(t *testing.T) {
		rep := sampleReport()
		rep.IO, rep.Converter = nil, nil
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(render(t, rep, FormatJSON)), &doc))
		assert.NotContains(t, doc, "io")
		assert.NotContains(t, doc, "converter")
		assert.Contains(t, doc, "cpu")
	})
	t.Run("unknown figures are null, not missing", func(t *testing.T) {
		rep := sampleReport()
		rep.IO.Source, rep.IO.LatencySeconds = SourceURLs, nil
		r := &rep.IO.Results[0]
		r.Speedup, r.BoundSeconds, r.Efficiency = nil, nil, nil
		var doc struct {
			IO struct {
				Latency *float64         `json:"latency_seconds"`
				Results []map[string]any `json:"results"`
			} `json:"io"`
		}
		out := render(t, rep, FormatJSON)
		require.NoError(t, json.Unmarshal([]byte(out), &doc))
		assert.Contains(t, out, `"latency_seconds": null`)
		for _, k := range []string{"speedup", "bound_seconds", "efficiency"} {
			v, ok := doc.IO.Results[0][k]
			assert.True(t, ok, k)
			assert.Nil(t, v, k)
		}
	})
}

func TestRenderTable(t *testing.T) {
	out := render(t, sampleReport(), FormatTable)
	for _, col := range resultColumns {
		assert.Contains(t, out, col)
	}
	for _, want := range []string{
		"I/O-bound: 160 GETs from the embedded server, 20.0 ms latency per response",
		"CPU-bound: sum of squares below each of 1 numbers, 5000000 … 5000000",
		"threaded ran 5.00 ± 0.17 times faster than sequential",
		"threaded spent 12.3 ms a run starting up before its first task (included in its times).",
		"sequential 14.3 s, threads 3.7 s, asyncio 2.6 s, multiprocessing 5.7 s",
		"sequential 10.4 s,", "multiprocessing 2.5 s",
		"Converter", "512 / 512", "1000 / unbounded",
	} {
		assert.Contains(t, out, want)
	}
	seqLine := lineWith(t, out, "│ sequential")
	assert.Regexp(t, `3\.300 ± 0\.100 s .*1\.00x .*3\.200 s .*0\.97 `, seqLine)

	t.Run("unknown figures read n/a", func(t *testing.T) {
		rep := sampleReport()
		rep.IO.Source, rep.IO.LatencySeconds = SourceURLs, nil
		for i := range rep.IO.Results {
			rep.IO.Results[i].BoundSeconds, rep.IO.Results[i].Efficiency = nil, nil
		}
		out := render(t, rep, FormatTable)
		assert.Contains(t, lineWith(t, out, "│ threaded"), "n/a")
		assert.Contains(t, out, "Bounds and efficiency are n/a")
	})
	t.Run("a model that failed tasks is shown but not ranked", func(t *testing.T) {
		rep := sampleReport()
		r := &rep.IO.Results[1]
		r.Failed, r.FirstError, r.Speedup, r.Efficiency = 2, "http://x/: reset", nil, nil
		out := render(t, rep, FormatTable)
		row := lineWith(t, out, "│ threaded")
		assert.Regexp(t, `660\.0 ± 10\.0 ms .* — .*640\.0 ms .* — .* 2 `, row, "speedup and efficiency not compared, bound and failures shown")
		assert.Contains(t, out, "threaded failed 2 of 160 tasks: not compared")
		assert.Contains(t, out, "threaded's first failure: http://x/: reset")
		assert.Contains(t, out, "— is a figure not compared")
		assert.NotContains(t, out, "times faster")
	})
	t.Run("a speedup the report carries for a failed model is not printed", func(t *testing.T) {
		rep := sampleReport()
		rep.IO.Results[1].Failed = 2
		row := lineWith(t, render(t, rep, FormatTable), "│ threaded")
		assert.NotContains(t, row, "5.00x")
		assert.NotContains(t, row, "0.97")
	})
	t.Run("without failures no figure is marked not compared", func(t *testing.T) {
		assert.NotContains(t, render(t, sampleReport(), FormatTable), "—")
	})
	t.Run("outliers get a warning suggesting warm-up", func(t *testing.T) {
		rep := sampleReport()
		rep.IO.Results[1].Seconds.Times = []float64{3.0, 0.66, 0.661, 0.659, 0.66}
		out := render(t, rep, FormatTable)
		assert.Contains(t, out, "Warning: threaded had 1 statistical outlier(s) among 5 runs")
		assert.Contains(t, out, "-warmup")
	})
}

func lineWith(t *testing.T, text, substr string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			return l
		}
	}
	t.Fatalf("no line with %q in:\n%s", substr, text)
	return ""
}

func TestRenderMarkdown(t *testing.T) {
	out := render(t, sampleReport(), FormatMarkdown)
	assert.Contains(t, out, "### I/O-bound")
	assert.Regexp(t, `(?m)^\|\s*model\s*\|\s*workers\s*\|`, out)
	assert.Regexp(t, `(?m)^\|[:-]+\|`, out)
	assert.Contains(t, out, "- threaded ran 5.00 ± 0.17 times faster than sequential")
	assert.NotContains(t, out, "│", "no box drawing in Markdown")
}

func TestRenderCSV(t *testing.T) {
	rows, err := csv.NewReader(strings.NewReader(render(t, sampleReport(), FormatCSV))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4, "header, two io rows, one cpu row")
	assert.Equal(t, []string{"command", "mean", "stddev", "median", "user", "system", "min", "max"}, rows[0])
	assert.Equal(t, []string{"io sequential", "3.3", "0.1", "3.3", "0", "0", "3.2", "3.4"}, rows[1])
	assert.Equal(t, "io threaded", rows[2][0])
	assert.Equal(t, "cpu sequential", rows[3][0])
}

func TestRenderBench(t *testing.T) {
	rep := sampleReport()
	rep.Env.CPUModel = "Test CPU @ 3.00GHz"
	out := render(t, rep, FormatBench)
	assert.True(t, strings.HasPrefix(out, "goos: linux\ngoarch: amd64\npkg: conclab/cmd/compare\ncpu: Test CPU @ 3.00GHz\n"), out)

	// What benchstat will read: benchfmt's reader, as it uses it.
	r := benchfmt.NewReader(strings.NewReader(out), "out.txt")
	var runs, convert int
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		require.True(t, ok, "%v", r.Result())
		base, parts := res.Name.Parts()
		assert.Equal(t, "-2", string(parts[len(parts)-1]), "GOMAXPROCS suffix, as go test writes it")
		assert.Equal(t, "linux", res.GetConfig("goos"))
		assert.Equal(t, "Test CPU @ 3.00GHz", res.GetConfig("cpu"))
		ns, ok := res.Value("sec/op")
		require.True(t, ok, "the time of one run")
		switch string(base) {
		case "Convert":
			convert++
			hit, ok := res.Value("hit-ratio")
			require.True(t, ok)
			assert.Greater(t, hit, 0.0)
		default:
			assert.Contains(t, []string{"IO", "CPU"}, string(base))
			assert.Equal(t, 1, res.Iters)
			if string(res.Name) == "IO/model=threaded/workers=5-2" {
				assert.Contains(t, []float64{0.65, 0.66, 0.67}, math.Round(ns*100)/100)
			}
			runs++
		}
	}
	require.NoError(t, r.Err())
	assert.Equal(t, 9, runs, "one line per measured run")
	assert.Equal(t, 2, convert)

	t.Run("with GOMAXPROCS=1 there is no suffix, as in go test", func(t *testing.T) {
		rep.Env.GOMAXPROCS = 1
		assert.Contains(t, render(t, rep, FormatBench), "BenchmarkIO/model=threaded/workers=5 1 ")
	})
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(string(f))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFormat("yaml")
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), `"yaml"`)
	assert.Contains(t, err.Error(), "table, markdown, csv, json, bench")
}

func TestRenderOneRunHasNoSpread(t *testing.T) {
	rep := sampleReport()
	rep.Converter = nil
	for _, sec := range []*[]Result{&rep.IO.Results, &rep.CPU.Results} {
		for i := range *sec {
			r := &(*sec)[i]
			r.Runs = 1
			r.Seconds = Seconds{Mean: r.Seconds.Median, Median: r.Seconds.Median, Min: r.Seconds.Median, Max: r.Seconds.Median,
				Times: []float64{r.Seconds.Median}}
		}
	}
	for _, f := range []Format{FormatTable, FormatMarkdown} {
		t.Run(string(f), func(t *testing.T) {
			out := render(t, rep, f)
			assert.NotContains(t, out, "±", "one run has no spread to print")
			assert.Contains(t, out, "threaded ran 5.00 times faster than sequential")
		})
	}
}

func TestRenderWidths(t *testing.T) {
	rep := sampleReport()
	text := func(v View) string {
		var b bytes.Buffer
		require.NoError(t, RenderView(&b, rep, FormatTable, v))
		return b.String()
	}
	tableWidth := func(out string) int {
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.ContainsAny(l, "│┌└├") {
				n = max(n, utf8.RuneCountInString(l))
			}
		}
		return n
	}
	narrow := text(View{})
	assert.LessOrEqual(t, tableWidth(narrow), MaxNarrowWidth, narrow)
	for _, col := range wideColumns {
		assert.NotContains(t, lineWith(t, narrow, "│ model"), col)
	}

	wide := text(View{Wide: true})
	for _, col := range append(slices.Clone(resultColumns), wideColumns...) {
		assert.Contains(t, wide, col)
	}
	assert.Regexp(t, `│ sequential .* 0\.200 │ +5 │ +7 │ +1 │ +12\.0 │ +48 │ +20\.5 │ +21\.0 │ +23\.5 │ +125 │`, lineWith(t, wide, "│ sequential"),
		"cpu per run, goroutines, threads, processes, MiB; requests/s and latencies in ms")
	assert.Contains(t, lineWith(t, wide, "│ model"), "max ms", "the io table has the load columns")
	cpuHeader := strings.Split(wide[strings.Index(wide, "CPU-bound"):], "\n")[2]
	assert.NotContains(t, cpuHeader, "req/s", "the cpu table has none")

	t.Run("a screen wide enough gets the wide table", func(t *testing.T) {
		assert.Equal(t, wide, text(View{Width: tableWidth(wide)}))
	})
	t.Run("a narrower screen gets the default, never a wrapped wide one", func(t *testing.T) {
		assert.Equal(t, narrow, text(View{Width: tableWidth(wide) - 1}))
	})
}

func TestRenderConverterFitsTheScreen(t *testing.T) {
	rep := Report{Converter: sampleReport().Converter}
	narrow := render(t, rep, FormatTable)
	assert.Contains(t, narrow, "Converter's caches: 8 goroutines")
	assert.NotContains(t, lineWith(t, narrow, "│ cache"), "keys", "the same in every row: said once, in the heading")
	assert.LessOrEqual(t, textWidth(narrow), MaxNarrowWidth, narrow)

	t.Run("loads that differ keep the columns", func(t *testing.T) {
		rep := Report{Converter: sampleReport().Converter}
		rep.Converter.Results[1].Goroutines = 16
		out := render(t, rep, FormatTable)
		assert.Contains(t, lineWith(t, out, "│ cache"), "goroutines")
		assert.NotContains(t, out, "Converter's caches: 8 goroutines", "no heading that holds for one row only")
	})
}
