package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/bench"
	"conclab/internal/child"
	"conclab/iobound"
)

func TestMain(m *testing.M) {
	// The embedded server and the pool's workers re-execute this test
	// binary, as they re-execute compare.
	child.RunIfChild()
	goleak.VerifyTestMain(m)
}

// tiny keeps every workload small (a test checks behaviour, not speed):
// it adds to args the flags that make it so, those the command has (each
// subcommand takes only the flags it uses) and args does not set. A sweep
// gets the flags of its workload.
func tiny(args ...string) []string {
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name = args[0]
	}
	c := lookupCommand(name)
	if c == nil {
		panic("tiny: no command " + name)
	}
	fs, _ := c.flagSet()
	workload := bench.WorkloadIO
	if slices.Contains(args, bench.WorkloadCPU) {
		workload = bench.WorkloadCPU
	}
	for _, f := range []struct{ name, value, workload string }{
		{"latency", "1ms", bench.WorkloadIO}, {"repeat", "2", bench.WorkloadIO}, {"count", "2", bench.WorkloadCPU},
		{"runs", "1", ""}, {"warmup", "0", ""},
	} {
		switch {
		case fs.Lookup(f.name) == nil, slices.Contains(args, "-"+f.name),
			name == subSweep && f.workload != "" && f.workload != workload,
			f.name == "latency" && slices.Contains(args, "-urls"):
			continue
		}
		args = append(args, "-"+f.name, f.value)
	}
	return args
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
		code, out, stderr := runCompare(t, context.Background(), "-count", "2", "-runs", "1", "-warmup", "0", "cpu", "-models", "sequential")
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
		// go test's -N suffix is GOMAXPROCS, left out when it is 1.
		assert.Len(t, regexp.MustCompile(`(?m)^BenchmarkCPU/model=sequential/workers=1(-\d+)? `).FindAllString(out, -1), 2, out)
		assert.Len(t, regexp.MustCompile(`(?m)^BenchmarkCPU/model=threaded/workers=2(-\d+)? `).FindAllString(out, -1), 2, out)
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

func TestRunKeepPool(t *testing.T) {
	for _, sub := range []string{subIO, subCPU} {
		t.Run(sub+": only the kept pool's row has a start-up, reported apart", func(t *testing.T) {
			code, out, stderr := runCompare(t, context.Background(),
				tiny(sub, "-models", "sequential,multiproc", "-procs", "2", "-keep-pool", "-format", "json")...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stderr, "multiproc: pool of 2 workers kept")
			doc := decode(t, out)
			var results []map[string]any
			if sub == subCPU {
				require.NotNil(t, doc.CPU)
				results = doc.CPU.Results
			} else {
				require.NotNil(t, doc.IO)
				results = doc.IO.Results
			}
			require.Len(t, results, 2)
			assert.NotContains(t, results[0], "pool_startup_seconds", "sequential keeps nothing")
			assert.Positive(t, results[1]["pool_startup_seconds"])
			assert.Equal(t, 0.0, results[1]["failed"])
			assert.Equal(t, 3.0, results[1]["processes"], "the kept workers count as the model's")
		})
	}
	t.Run("without the flag no row has the field", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-models", "multiproc", "-format", "json")...)
		require.Equal(t, 0, code, stderr)
		assert.NotContains(t, decode(t, out).CPU.Results[0], "pool_startup_seconds")
	})
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

func TestRunOverTLS(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), "io", "-tls", "-latency", "0", "-repeat", "3", "-runs", "1", "-warmup", "0",
		"-format", "json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "the embedded server over https")
	doc := decode(t, out)
	require.NotNil(t, doc.IO)
	require.Len(t, doc.IO.Results, 4, "every model")
	for _, r := range doc.IO.Results {
		assert.EqualValues(t, 0, r["failed"], "%v fetched every page over https", r["model"])
	}
}

func TestRunCountsFailedURLs(t *testing.T) {
	srv, err := iobound.NewServer(iobound.Config{})
	require.NoError(t, err)
	defer srv.Close()
	list := srv.URL(iobound.PathSmall) + "," + srv.FaultURL(iobound.FaultStatus500)
	args := []string{"io", "-urls", list, "-repeat", "2", "-runs", "1", "-warmup", "0", "-models", "sequential,threaded"}

	t.Run("a failed URL is a row's result, and the exit status is 1 after the table", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), args...)
		assert.Equal(t, exitFailed, code, stderr)
		assert.Contains(t, out, "sequential failed 2 of 4 tasks: not compared")
		assert.Contains(t, out, "sequential's first failure: "+srv.FaultURL(iobound.FaultStatus500))
		assert.Contains(t, out, "Bounds and efficiency are n/a: real sites")
		assert.NotContains(t, out, "times faster")
		assert.Equal(t, 1, strings.Count(stderr, "compare: "), stderr)
		assert.Contains(t, stderr, "tasks failed (io sequential: 2 of 4, io threaded: 2 of 4)")
	})
	t.Run("-ignore-failure gives 0 with the same output", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), append(args, "-ignore-failure")...)
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "sequential failed 2 of 4 tasks: not compared")
		assert.NotContains(t, stderr, "compare:")
	})
	t.Run("the JSON is printed before the exit status, with no speedup for a failed row", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), append(args, "-format", "json")...)
		assert.Equal(t, exitFailed, code, stderr)
		doc := decode(t, out)
		require.NotNil(t, doc.IO)
		for _, r := range doc.IO.Results {
			assert.Equal(t, 2.0, r["failed"])
			assert.Contains(t, r, "speedup")
			assert.Nil(t, r["speedup"], "null: not compared")
			assert.Equal(t, float64(2*iobound.SmallPageBytes), r["bytes"], "the bodies of the successful responses only")
		}
	})
}

func TestRunRanksNoModelThatFailed(t *testing.T) {
	// Nothing listens on port 1: every request of every model fails at once,
	// and the quickest to fail used to be called the fastest.
	code, out, stderr := runCompare(t, context.Background(), "io", "-urls", "http://127.0.0.1:1/", "-repeat", "3",
		"-runs", "1", "-warmup", "0", "-procs", "1")
	assert.Equal(t, exitFailed, code, stderr)
	for _, name := range modelNames() {
		assert.Contains(t, out, "│ "+name, "every row is still shown")
		assert.Contains(t, out, name+" failed 3 of 3 tasks: not compared")
		assert.Regexp(t, `│ +— │ +n/a │ +— │ +3 │`, lineWith(t, out, "│ "+name), "speedup and efficiency not compared, bound unknown")
	}
	assert.NotContains(t, out, "times faster")
	assert.NotContains(t, out, "x │", "no speedup figure")
}

func TestSummaryRanksNoModelThatFailed(t *testing.T) {
	row := func(model string, median float64, failed int) bench.Result {
		return bench.Result{Model: model, Workers: 1, Runs: 1, Tasks: 6, Failed: failed, FirstError: "x: refused",
			Seconds: bench.Seconds{Mean: median, Median: median, Min: median, Max: median, Times: []float64{median}}}
	}
	rep := bench.NewReport()
	rep.IO = &bench.IOSection{Source: bench.SourceURLs, Requests: 6, Results: []bench.Result{
		row("sequential", 0.3, 0), row("threaded", 0.06, 0), row("eventloop", 0.001, 3),
	}}
	rep.CPU = &bench.CPUSection{Numbers: []int{1, 2, 3, 4, 5, 6}, Results: []bench.Result{
		row("sequential", 0.4, 0), row("threaded", 0.2, 6),
	}}
	var b strings.Builder
	require.NoError(t, render(&b, rep, options{format: bench.FormatTable, parts: []string{subIO, subCPU, subConvert}}))
	out := b.String()
	assert.Contains(t, out, "eventloop failed 3 of 6 tasks: not compared")
	assert.Contains(t, out, "threaded ran ", "the fastest of the models that did every task leads")
	assert.NotContains(t, out, "eventloop ran")
	summary := strings.Join(strings.Fields(out[strings.Index(out, "What to use"):]), " ") // unwrapped
	assert.Contains(t, summary, "I/O-bound: threaded was fastest")
	assert.Contains(t, summary, "eventloop failed 3 of 6 tasks: not compared.")
	assert.NotContains(t, summary, "the loop's time")
	assert.Contains(t, summary, "CPU-bound: sequential was fastest", "the only model that did every sum")
	assert.Contains(t, summary, "threaded failed 6 of 6 tasks: not compared.")
	assert.NotContains(t, summary, "Go has no GIL")
}

// lineWith returns the first line of text that contains substr.
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

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		flag string // what the one-line error must name
	}{
		{"an unknown model", []string{"-models", "sequential,greenlets"}, `-models: unknown model "greenlets"`},
		{"a malformed duration", []string{"-latency", "fast"}, `invalid value "fast" for flag -latency: not a duration`},
		{"a negative latency", []string{"-latency", "-1ms"}, "-latency: must be between 0s and 1m"},
		{"a zero timeout", []string{"-timeout", "0s"}, "-timeout: must be between 1ms and 1h"},
		{"a zero count", []string{"cpu", "-count", "0"}, "-count: must be between 1 and 1,000,000"},
		{"a negative count", []string{"-count", "-3"}, "-count"},
		{"a count that is not a number", []string{"-count", "many"}, "-count: not a whole number"},
		{"zero runs", []string{"-runs", "0"}, "-runs: must be between 1 and 10,000"},
		{"a negative warm-up", []string{"-warmup", "-1"}, "-warmup"},
		{"zero workers", []string{"-workers", "0"}, "-workers"},
		{"zero processes", []string{"-procs", "0"}, "-procs"},
		{"negative connections", []string{"io", "-conns", "-1"}, "-conns: must be between 0 and 100,000"},
		{"a zero repeat", []string{"-repeat", "0"}, "-repeat"},
		{"a base past the kernel's range", []string{"-base", "10069012961345"}, "-base"},
		{"a URL without a scheme", []string{"-urls", "example.org"}, "-urls"},
		{"a URL with another scheme", []string{"-urls", "ftp://example.org/x"}, "-urls"},
		{"a URL without a host", []string{"-urls", "http:///path"}, "-urls"},
		{"a URL's password is not printed", []string{"-urls", "ftp://user:secret@example.org/"}, "user:xxxxx@example.org"},
		{"an unknown format", []string{"-format", "yaml"}, "-format"},
		{"an unknown subcommand", []string{"bench"}, `unknown subcommand "bench"`},
		{"an extra argument", []string{"io", "extra"}, `unexpected argument "extra"`},
		{"an unknown flag", []string{"-fast"}, "-fast"},
		{"points outside convert", []string{"io", "-points", "1000"}, "-points: not a flag of compare io"},
		{"points that are not a number", []string{"convert", "-points", "abc"}, "-points"},
		{"csv for the converter table", []string{"convert", "-format", "csv"}, "-format"},
		{"help for no such subcommand", []string{"help", "bench"}, `help: no subcommand "bench"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a one-line usage error", func(t *testing.T) {
			assertUsageError(t, tt.flag, tt.args...)
		})
	}
}

// assertUsageError runs compare with args and checks that it fails as bad
// input must: exit status 2, nothing on stdout, one line on stderr that
// contains want, and no stack trace. Bad input is found before any work, so
// none of these starts a server or a model.
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
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		t.Run(arg+" prints the usage and succeeds", func(t *testing.T) {
			code, out, stderr := runCompare(t, context.Background(), arg)
			assert.Equal(t, exitOK, code)
			assert.Empty(t, stderr)
			assert.Contains(t, out, "Usage:")
			for _, f := range []string{"-models", "-runs", "-warmup", "-format", "-latency", "-repeat", "-urls",
				"-timeout", "-count", "-base", "-workers", "-procs", "-conns", "-rules", "-ignore-failure"} {
				assert.True(t, listsFlag(out, f), "the full run's flag %s", f)
			}
			for _, sub := range []string{"compare io", "compare cpu", "compare convert", "compare sweep", "compare help"} {
				assert.Contains(t, out, sub)
			}
			assert.Contains(t, out, "Examples:")
			assert.Contains(t, out, "Exit status: 0 when every model completed every task; 1 when a task failed")
			assert.Contains(t, out, "-ignore-failure gives 0")
		})
	}
}

// listsFlag tells whether a help text lists the flag f ("-runs").
func listsFlag(help, f string) bool {
	return regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(f) + `( |$)`).MatchString(help)
}

func TestRunHelpOfASubcommand(t *testing.T) {
	tests := []struct {
		args     []string
		has, not []string
	}{
		{[]string{"sweep"}, []string{"-workers", "-workload", "-latency", "-count", "-models", "-runs", "-ignore-failure", "-svg"},
			[]string{"-conns", "-procs", "-timeline", "-svg-axis", "-rules", "-points", "-n", "-delay"}},
		{[]string{"io"}, []string{"-latency", "-repeat", "-urls", "-tls", "-timeout", "-conns", "-workers", "-procs", "-timeline", "-svg"},
			[]string{"-count", "-base", "-rules", "-points", "-workload", "-n"}},
		{[]string{"cpu"}, []string{"-count", "-base", "-timeout", "-workers", "-procs", "-timeline"},
			[]string{"-latency", "-repeat", "-urls", "-tls", "-conns", "-rules", "-workload"}},
		{[]string{"convert"}, []string{"-points", "-rules", "-format", "-runs", "-procs", "-cache-url", "-backpressure"},
			[]string{"-warmup", "-models", "-latency", "-count"}},
		{[]string{"demo", "starve"}, []string{"-n", "-delay", "-gomaxprocs"}, []string{"-format", "-runs", "-models"}},
		{[]string{"demo", "race"}, []string{"-gomaxprocs"}, []string{"-n", "-delay", "-format"}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run("compare help "+name+" lists its flags alone, as "+name+" -h does", func(t *testing.T) {
			code, out, stderr := runCompare(t, context.Background(), append([]string{"help"}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, out, "Usage: compare "+name+" [flags]")
			for _, f := range tt.has {
				assert.True(t, listsFlag(out, f), f)
			}
			for _, f := range tt.not {
				assert.False(t, listsFlag(out, f), f)
			}
			code, again, _ := runCompare(t, context.Background(), append(tt.args, "-h")...)
			assert.Equal(t, exitOK, code)
			assert.Equal(t, out, again)
		})
	}
	t.Run("compare help demo shows both demonstrations", func(t *testing.T) {
		code, out, _ := runCompare(t, context.Background(), "help", "demo")
		require.Equal(t, exitOK, code)
		assert.Contains(t, out, "Usage: compare demo starve")
		assert.Contains(t, out, "Usage: compare demo race")
	})
}

func TestRunRejectsFlagsTheSubcommandDoesNotUse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a latency for the cpu workload", []string{"cpu", "-latency", "5ms"}, "-latency: not a flag of compare cpu"},
		{"a URL list for the cpu workload", []string{"cpu", "-urls", "http://127.0.0.1/"}, "-urls: not a flag of compare cpu"},
		{"an io flag before the subcommand", []string{"-latency", "5ms", "cpu"}, "-latency: not a flag of compare cpu"},
		{"rules for the io workload", []string{"io", "-rules", "rules.json"}, "-rules: not a flag of compare io"},
		{"connections for the cpu workload", []string{"cpu", "-conns", "10"}, "-conns: not a flag of compare cpu"},
		{"warm-ups for the converter", []string{"convert", "-warmup", "2"}, "-warmup: not a flag of compare convert"},
		{"a format for a demonstration", []string{"demo", "race", "-format", "json"}, "-format: not a flag of compare demo race"},
		{"starve's -n for the race", []string{"demo", "race", "-n", "5"}, "-n: not a flag of compare demo race"},
		{"a timeline of the converter", []string{"convert", "-timeline"}, "-timeline: not a flag of compare convert"},
		{"a latency with real sites", []string{"io", "-urls", "http://127.0.0.1/", "-latency", "5ms"}, "-latency: sets the embedded server's latency"},
		{"https with real sites", []string{"io", "-urls", "http://127.0.0.1/", "-tls"}, "-tls: makes the embedded server serve https"},
		{"https in a cpu sweep", []string{"sweep", "-workload", "cpu", "-tls"}, "-tls: not used by sweep -workload cpu"},
		{"an io flag in a cpu sweep", []string{"sweep", "-workload", "cpu", "-repeat", "3"}, "-repeat: not used by sweep -workload cpu"},
		{"a cpu flag in an io sweep", []string{"sweep", "-count", "3"}, "-count: not used by sweep -workload io"},
		{"workers without threaded", []string{"io", "-models", "sequential", "-workers", "3"}, "-workers: sets threaded's size, and -models leaves threaded out"},
		{"processes without multiproc", []string{"cpu", "-models", "threaded", "-procs", "3"}, "-procs: sets multiproc's size"},
		{"connections without eventloop", []string{"io", "-models", "threaded", "-conns", "3"}, "-conns: sets eventloop's size"},
		{"a kept pool without multiproc", []string{"cpu", "-models", "threaded", "-keep-pool"}, "-keep-pool: keeps multiproc's pool, and -models leaves multiproc out"},
		{"a kept pool in the whole comparison", []string{"-keep-pool"}, "-keep-pool: not a flag of compare"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a one-line usage error", func(t *testing.T) {
			assertUsageError(t, tt.want, tt.args...)
		})
	}
}

// A model's own flags are flags of a command that runs the models: a
// renamed flag would otherwise leave the check of -models silently off.
func TestModelFlagsAreFlags(t *testing.T) {
	for _, s := range modelSpecs() {
		for _, f := range s.flags {
			found := false
			for _, name := range []string{subIO, subCPU} {
				fs, _ := lookupCommand(name).flagSet()
				found = found || fs.Lookup(f.name) != nil
			}
			assert.True(t, found, "neither compare io nor compare cpu has -%s, which %s lists as its own", f.name, s.name)
		}
	}
}

func TestRunBoundsEveryNumber(t *testing.T) {
	tests := []struct {
		name       string
		ok, tooBig []string // the largest value accepted, and the next
		want       string
	}{
		{"runs", []string{"-runs", "10000"}, []string{"-runs", "10001"}, "-runs: must be between 1 and 10,000"},
		{"warm-up runs", []string{"-warmup", "10000"}, []string{"-warmup", "10001"}, "-warmup: must be between 0 and 10,000"},
		{"repetitions", []string{"io", "-repeat", "500000"}, []string{"io", "-repeat", "1000000000"}, "-repeat: must be between 1 and 1,000,000"},
		{"requests in all", []string{"io", "-repeat", "500000"}, []string{"io", "-repeat", "500001"}, "-repeat: 500001 × 2 URLs is 1,000,002 requests; at most 1,000,000"},
		{"requests of a URL list", []string{"io", "-urls", "http://a/,http://b/,http://c/,http://d/", "-repeat", "250000"},
			[]string{"io", "-urls", "http://a/,http://b/,http://c/,http://d/", "-repeat", "250001"}, "-repeat: 250001 × 4 URLs is 1,000,004 requests"},
		{"numbers", []string{"cpu", "-count", "1000000"}, []string{"cpu", "-count", "1000001"}, "-count: must be between 1 and 1,000,000"},
		{"numbers past the kernel's range", []string{"cpu", "-base", "10069012961344", "-count", "2"}, []string{"cpu", "-base", "10069012961345", "-count", "2"}, "-base: 10069012961345 + 2 numbers passes"},
		{"a huge count", []string{"cpu", "-count", "1000000"}, []string{"cpu", "-count", "99999999999999999999"}, "-count: must be between 1 and 1,000,000"},
		{"goroutines of the pool", []string{"io", "-workers", "100000"}, []string{"io", "-workers", "100001"}, "-workers: must be between 1 and 100,000"},
		{"worker processes", []string{"cpu", "-procs", "256"}, []string{"cpu", "-procs", "257"}, "-procs: must be between 1 and 256"},
		{"connections", []string{"io", "-conns", "100000"}, []string{"io", "-conns", "100001"}, "-conns: must be between 0 and 100,000"},
		{"GOMAXPROCS", []string{"cpu", "-gomaxprocs", "1024"}, []string{"cpu", "-gomaxprocs", "100000"}, "-gomaxprocs: must be between 1 and 1,024"},
		{"the latency", []string{"io", "-latency", "1m"}, []string{"io", "-latency", "61s"}, "-latency: must be between 0s and 1m"},
		{"the timeout", []string{"io", "-timeout", "1h"}, []string{"io", "-timeout", "61m"}, "-timeout: must be between 1ms and 1h"},
		{"a sweep's counts", []string{"sweep", "-workers", "1000"}, []string{"sweep", "-workers", "1001"}, "-workers: every count must be between 1 and 1,000"},
		{"a sweep's list", []string{"sweep", "-workers", sweepList(100)}, []string{"sweep", "-workers", sweepList(101)}, "-workers: 101 counts; at most 100"},
		{"the starved task", []string{"demo", "starve", "-n", "10000000000"}, []string{"demo", "starve", "-n", "10000000001"}, "-n: must be between 1 and 10,000,000,000"},
		{"the starved timer", []string{"demo", "starve", "-delay", "10s"}, []string{"demo", "starve", "-delay", "11s"}, "-delay: must be between 0s and 10s"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" are bounded, and the bound itself is accepted", func(t *testing.T) {
			_, err := parseArgs(tt.ok)
			require.NoError(t, err)
			assertUsageError(t, tt.want, tt.tooBig...)
		})
	}
}

// sweepList is a list of n distinct worker counts.
func sweepList(n int) string {
	counts := make([]string, n)
	for i := range counts {
		counts[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(counts, ",")
}

func TestRunTakesURLsFromAFile(t *testing.T) {
	write := func(t *testing.T, text string) string {
		path := filepath.Join(t.TempDir(), "urls.txt")
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		return path
	}
	t.Run("one URL a line, blank lines and comments skipped", func(t *testing.T) {
		path := write(t, "# the two pages\nhttp://127.0.0.1:8080/big\n\n   \n  http://127.0.0.1:8080/small  \n# done\n")
		o, err := parseArgs([]string{"io", "-urls", "@" + path})
		require.NoError(t, err)
		assert.Equal(t, []string{"http://127.0.0.1:8080/big", "http://127.0.0.1:8080/small"}, o.urls)
	})
	tests := []struct {
		name string
		text string // "" for no file at all
		want string
	}{
		{"a missing file", "", "no such file or directory"},
		{"a bad line is named by its number", "http://a/\n# ok\nftp://b/\n", `line 3: "ftp://b/": the scheme must be http or https`},
		{"a line too long is named by its number", "http://a/\nhttp://b/" + strings.Repeat("x", maxURLLine) + "\n", "line 2: longer than 8192 bytes"},
		{"a file with no URL", "# nothing\n\n", "no URL in the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a one-line usage error", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missing.txt")
			if tt.text != "" {
				path = write(t, tt.text)
			}
			assertUsageError(t, "-urls @"+path+": "+tt.want, "io", "-urls", "@"+path)
		})
	}
	t.Run("more URLs than a run may have is a usage error", func(t *testing.T) {
		path := write(t, strings.Repeat("http://a/\n", maxTasks+1))
		assertUsageError(t, "-urls @"+path+": more than 1,000,000 URLs", "io", "-urls", "@"+path, "-repeat", "1")
	})
}

func TestRunEventLoopConnections(t *testing.T) {
	tests := []struct {
		name    string
		conns   []string
		workers float64 // the row's concurrency for 4 requests
		bound   float64 // seconds, at 10 ms a response
	}{
		{"the default caps nothing under 100 requests", nil, 4, 0.01},
		{"one connection sends them one at a time", []string{"-conns", "1"}, 1, 0.04},
		{"three connections take two rounds", []string{"-conns", "3"}, 3, 0.02},
		{"0 means no cap", []string{"-conns", "0"}, 4, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"io", "-models", "eventloop", "-latency", "10ms", "-repeat", "2", "-runs", "1", "-warmup", "0", "-format", "json"}, tt.conns...)
			code, out, stderr := runCompare(t, context.Background(), args...)
			require.Equal(t, exitOK, code, stderr)
			doc := decode(t, out)
			require.NotNil(t, doc.IO)
			require.Len(t, doc.IO.Results, 1)
			r := doc.IO.Results[0]
			assert.Equal(t, tt.workers, r["workers"])
			assert.InDelta(t, tt.bound, r["bound_seconds"], 1e-9)
		})
	}
	t.Run("the default run's 160 requests go in 2 rounds: a bound of 40 ms", func(t *testing.T) {
		o, err := parseArgs(nil)
		require.NoError(t, err)
		i := slices.IndexFunc(o.models, func(s modelSpec) bool { return s.name == "eventloop" })
		require.GreaterOrEqual(t, i, 0)
		loop, ok := o.models[i].build(o).(bench.Traits)
		require.True(t, ok)
		requests := embeddedPages * o.repeat
		assert.Equal(t, 160, requests)
		assert.Equal(t, 100, loop.Concurrency(bench.WorkloadIO, requests))
		assert.Equal(t, 40*time.Millisecond, bench.IOBound(requests, loop.Concurrency(bench.WorkloadIO, requests), o.latency))
	})
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
		assertUsageError(t, "-rules "+path, "convert", "-rules", path, "-points", "50")
	})
	t.Run("a broken rules file stops a full run before any work", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rules.json")
		require.NoError(t, os.WriteFile(path, []byte(`{"minimum": 10, "step": 0}`), 0o600))
		assertUsageError(t, "-rules "+path, "-rules", path)
	})
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := runCompare(t, ctx, tiny("io")...)
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, stderr, "interrupted")
}
