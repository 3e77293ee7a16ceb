package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/converter"
)

func converterReport(runs int, spread float64) Report {
	rep := Report{Schema: Schema, Env: Env{Go: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 2, GOMAXPROCS: 2}}
	row := func(cache string, ns float64) converter.LoadResult {
		return converter.LoadResult{Cache: cache, Dist: "zipf", Cost: "cheap", Keys: 10000, Goroutines: 8, Ops: 20000,
			OpsPerSecond: 1e9 / ns, NsPerOp: ns, NsPerOpSpread: spread, Runs: runs}
	}
	rep.Converter = &ConverterSection{
		Results: []converter.LoadResult{row("none", 100), row("locked", 104), row("lru", 400)},
		Processes: []converter.ProcsResult{
			{Share: converter.SharePerProcess, Procs: 4, Goroutines: 8, Cost: "remote", Ops: 20000, Seconds: 1.5,
				HitRatio: 0.6, Computations: 8000, Distinct: 3000, Repeated: 5000},
			{Share: converter.ShareOwner, Procs: 4, Goroutines: 8, Cost: "remote", Ops: 20000, Seconds: 0.5,
				HitRatio: 0.85, Computations: 3000, Distinct: 3000, Failed: 2, Error: "owner went away"},
		},
		Backpressure: []converter.BackpressureResult{
			{Capacity: 2, Goroutines: 16, Calls: 500, Served: 500, Overloaded: 3000, ServedPerSecond: 1900},
			{Capacity: 2, Semaphore: true, Goroutines: 16, Calls: 500, Served: 500, ServedPerSecond: 1950},
		},
		Notes: []string{"redis: left out"},
	}
	return rep
}

func TestRenderConverter(t *testing.T) {
	for _, tt := range []struct {
		name        string
		runs        int
		spread      float64
		want, avoid []string
	}{
		{"several runs print median ± spread and call ties", 5, 5,
			[]string{"median ± spread of 5 runs", "100.0 ± 5.0", "cheap: none was fastest, tied with locked (their ranges overlap); slower beyond the spread: lru 4.0x."},
			[]string{"One run has no spread"}},
		{"one run prints no ± and calls no tie", 1, 0,
			[]string{"100.0 ", "cheap: none was fastest; slower beyond the spread: locked 1.0x, lru 4.0x.", "One run has no spread"},
			[]string{"±"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, converterReport(tt.runs, tt.spread), FormatMarkdown)
			for _, w := range append(tt.want,
				"Converter across 4 processes: one load, 20,000 calls of cost remote, 8 goroutines each",
				"repeated", "per-process", "5000", "owner: 2 of 20000 calls failed, the first with: owner went away",
				"redis: left out", "semaphore", "3000") {
				assert.Contains(t, out, w)
			}
			for _, a := range tt.avoid {
				assert.NotContains(t, out, a)
			}
		})
	}
}

func TestConverterTextFits100Columns(t *testing.T) {
	rep := converterReport(5, 5)
	rep.Converter.Processes[1].Error = strings.Repeat("a long error message ", 10)
	out := render(t, rep, FormatTable)
	for _, l := range strings.Split(out, "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(l), 100, l)
	}
	assert.Contains(t, out, "cheap: none was fastest, tied with locked")
}

func TestConverterJSONAddsProcessesAndBackpressure(t *testing.T) {
	out := render(t, converterReport(5, 5), FormatJSON)
	var doc struct {
		Converter map[string][]map[string]any `json:"converter"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Len(t, doc.Converter["results"], 3)
	assert.Equal(t, 5.0, doc.Converter["results"][0]["runs"])
	assert.Equal(t, 5.0, doc.Converter["results"][0]["ns_per_op_spread"])
	assert.Equal(t, 5000.0, doc.Converter["processes"][0]["repeated"])
	assert.Equal(t, true, doc.Converter["backpressure"][1]["semaphore"])
	assert.NotContains(t, out, "left out", "notes are for the text formats")
}
