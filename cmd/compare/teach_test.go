package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunDrawsTimelines(t *testing.T) {
	t.Run("-timeline draws one lane per worker under the io table", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("io", "-timeline", "-procs", "2")...)
		require.Equal(t, exitOK, code, stderr)
		table := strings.Index(out, "I/O-bound:")
		pics := strings.Index(out, "Timelines of each model's last run: one row per worker goroutine")
		require.GreaterOrEqual(t, table, 0, out)
		require.Greater(t, pics, table, "the pictures come after the table")
		for _, name := range modelNames() {
			assert.Contains(t, out, name+", io: 4 tasks on ")
		}
		assert.Contains(t, out, "sequential, io: 4 tasks on 1 lane")
		assert.Contains(t, out, "eventloop, io: 4 tasks on 1 lane")
		// Which worker takes which task is the scheduler's choice: a worker
		// that finishes first may take a second task, and one process may
		// take all four. What always holds: a pool has no more lanes than
		// workers and tasks, a lane is a goroutine (w0, w1, ...) of one
		// process, and once two processes took tasks the lanes are named
		// by process.
		pool := lanes(t, out, "threaded")
		assert.NotEmpty(t, pool)
		assert.LessOrEqual(t, len(pool), 4, "four URLs need at most four of the five workers")
		for _, l := range pool {
			assert.Regexp(t, `^w[0-4]$`, l)
		}
		procs := lanes(t, out, "multiproc")
		require.NotEmpty(t, procs)
		assert.LessOrEqual(t, len(procs), 2, "-procs 2")
		for _, l := range procs {
			if len(procs) > 1 {
				assert.Regexp(t, `^pid \d+$`, l, "the process pool's lanes are named by process")
			} else {
				assert.Regexp(t, `^w[01]$`, l, "one process took every task: its lane is its worker")
			}
		}
	})
	t.Run("-timeline=tasks draws one row per task under the cpu table", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-timeline=tasks", "-models", "sequential")...)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "one row per task")
		assert.Contains(t, out, "#0 |")
		assert.Contains(t, out, "#1 |")
		assert.Contains(t, out, "1 task on w0")
	})
	t.Run("markdown puts the pictures in a code block", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-timeline", "-format", "markdown", "-models", "sequential,threaded")...)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "#### Timelines")
		assert.Contains(t, out, "```text\nsequential, cpu: 2 tasks on 1 lane")
	})
	t.Run("without -timeline there are no pictures", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-models", "sequential")...)
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, out, "Timelines")
	})
}

// lanes returns the lane labels of model's io timeline in out.
func lanes(t *testing.T, out, model string) []string {
	t.Helper()
	at := strings.Index(out, model+", io: ")
	require.GreaterOrEqual(t, at, 0, "no io timeline of %s in:\n%s", model, out)
	var labels []string
	for _, l := range strings.Split(out[at:], "\n")[1:] {
		label, _, ok := strings.Cut(l, " |")
		if !ok {
			break
		}
		labels = append(labels, strings.TrimSpace(label))
	}
	return labels
}

func TestRunWritesSVG(t *testing.T) {
	t.Run("-svg writes every model's last run as well-formed XML", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "runs.svg")
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-svg", path, "-format", "json", "-models", "sequential,threaded")...)
		require.Equal(t, exitOK, code, stderr)
		decode(t, out) // the JSON on stdout is untouched
		assert.Contains(t, stderr, "svg: 2 timeline(s) written to "+path)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		root, runs := parseSVG(t, data)
		assert.Equal(t, "svg", root)
		assert.Equal(t, 2, runs, "one group per model")
		assert.Contains(t, string(data), "sequential, cpu")
		assert.Contains(t, string(data), "<title>n=5000001, w")
	})
	t.Run("a complete picture replaces an existing file, keeping its mode, and leaves no temporary file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "runs.svg")
		require.NoError(t, os.WriteFile(path, []byte("old picture"), 0o640))
		code, _, stderr := runCompare(t, context.Background(), tiny("cpu", "-svg", path, "-models", "sequential")...)
		require.Equal(t, exitOK, code, stderr)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		root, runs := parseSVG(t, data)
		assert.Equal(t, "svg", root)
		assert.Equal(t, 1, runs)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm())
		assert.Equal(t, []string{"runs.svg"}, dirNames(t, dir))
	})
	t.Run("an interrupted run leaves an existing file as it was, and no temporary file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "runs.svg")
		require.NoError(t, os.WriteFile(path, []byte("old picture"), 0o600))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		code, _, stderr := runCompare(t, ctx, tiny("cpu", "-svg", path, "-models", "sequential")...)
		assert.Equal(t, exitInterrupted, code, stderr)
		assert.Contains(t, stderr, "svg: not written")
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "old picture", string(data))
		assert.Equal(t, []string{"runs.svg"}, dirNames(t, dir))
	})
	t.Run("a path that cannot be written is a one-line usage error before any run", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "runs.svg")
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-svg", path)...)
		assert.Equal(t, exitUsage, code)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		assert.Contains(t, stderr, "-svg")
		assert.NotContains(t, stderr, "goroutine", "no stack trace")
	})
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// parseSVG checks that data is well-formed XML and returns its root
// element's name and the number of run groups.
func parseSVG(t *testing.T, data []byte) (root string, runs int) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return root, runs
		}
		require.NoError(t, err)
		if el, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = el.Name.Local
			}
			for _, a := range el.Attr {
				if el.Name.Local == "g" && a.Name.Local == "class" && a.Value == "run" {
					runs++
				}
			}
		}
	}
}

func TestRunGOMAXPROCS(t *testing.T) {
	t.Run("the JSON env reports the GOMAXPROCS the models ran with", func(t *testing.T) {
		before := runtime.GOMAXPROCS(0)
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-gomaxprocs", "1", "-format", "json")...)
		require.Equal(t, exitOK, code, stderr)
		doc := decode(t, out)
		assert.Equal(t, 1, doc.Env.GOMAXPROCS)
		assert.Contains(t, stderr, "GOMAXPROCS=1")
		assert.Equal(t, before, runtime.GOMAXPROCS(0), "restored after the run")
		_, set := os.LookupEnv("GOMAXPROCS")
		assert.False(t, set, "the environment is restored too")
	})
	t.Run("the limit reaches children through the environment until restored", func(t *testing.T) {
		restore := limitProcs(1)
		assert.Equal(t, 1, runtime.GOMAXPROCS(0))
		assert.Equal(t, "1", os.Getenv("GOMAXPROCS"))
		restore()
		_, set := os.LookupEnv("GOMAXPROCS")
		assert.False(t, set)
	})
	t.Run("zero changes nothing", func(t *testing.T) {
		before := runtime.GOMAXPROCS(0)
		limitProcs(0)()
		assert.Equal(t, before, runtime.GOMAXPROCS(0))
	})
}

func TestRunSweep(t *testing.T) {
	t.Run("io prints a table and a chart", func(t *testing.T) {
		// The process pool is left to the cpu sweep below: its workers are
		// slow to start in a race-built binary.
		code, out, stderr := runCompare(t, context.Background(), tiny("sweep", "-workers", "1,2", "-models", "threaded")...)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "Sweep, I/O-bound: 4 GETs, 1ms latency")
		assert.Contains(t, out, "│ workers │")
		assert.Contains(t, out, "│ threaded │")
		assert.Contains(t, out, "1.00x", "the first count is the speedups' reference")
		assert.Contains(t, out, "median ms")
		assert.Contains(t, out, "workers (evenly spaced, not to scale)")
	})
	t.Run("cpu as json holds every model at every count", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("sweep", "-workload", "cpu", "-workers", "1,3", "-format", "json")...)
		require.Equal(t, exitOK, code, stderr)
		var doc struct {
			Schema   string           `json:"schema"`
			Workload string           `json:"workload"`
			Tasks    int              `json:"tasks"`
			Counts   []int            `json:"counts"`
			Results  []map[string]any `json:"results"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
		assert.Equal(t, SweepSchema, doc.Schema)
		assert.Equal(t, "cpu", doc.Workload)
		assert.Equal(t, []int{1, 3}, doc.Counts)
		require.Len(t, doc.Results, 4)
		for i, want := range []struct {
			model     string
			requested float64
			workers   float64 // never more than the two tasks
		}{{"threaded", 1, 1}, {"threaded", 3, 2}, {"multiproc", 1, 1}, {"multiproc", 3, 2}} {
			r := doc.Results[i]
			assert.Equal(t, want.model, r["model"])
			assert.Equal(t, want.requested, r["requested"])
			assert.Equal(t, want.workers, r["workers"])
		}
		assert.Equal(t, 1.0, doc.Results[0]["speedup"])
	})
	t.Run("a count whose run failed tasks is shown, not ranked, and the exit status is 1", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "sweep", "-models", "threaded", "-workers", "1,2",
			"-urls", "http://127.0.0.1:1/", "-repeat", "2", "-runs", "1", "-warmup", "0")
		assert.Equal(t, exitFailed, code, stderr)
		assert.Contains(t, out, "│ threaded │", "the table is printed first")
		assert.Contains(t, out, "threaded at 1 worker failed 2 of 2 tasks: not compared.")
		assert.Contains(t, out, "threaded at 2 workers failed 2 of 2 tasks: not compared.")
		assert.NotContains(t, out, "x │", "no speedup")
		assert.NotContains(t, out, "fastest")
		assert.NotContains(t, out, "stopped paying")
		assert.Contains(t, stderr, "tasks failed (threaded at 1 worker: 2 of 2, threaded at 2 workers: 2 of 2)")
	})
	t.Run("one model may be named", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("sweep", "-workload", "cpu", "-workers", "1,2", "-models", "threaded")...)
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, out, "multiproc")
	})
}

func TestRunDemo(t *testing.T) {
	t.Run("starve shows the timer late behind the task that never yields", func(t *testing.T) {
		// With the timer due at once, the loop's order decides, not the
		// clock: the task was scheduled first, so the timer runs after a
		// task that never yields, and at the first yield of one that does
		// (2,000,000 is 20 chunks).
		code, out, stderr := runCompare(t, context.Background(), "demo", "starve", "-n", "2000000", "-delay", "0s")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "never yields")
		assert.Contains(t, out, "after the task ended")
		assert.Contains(t, out, "yields every chunk")
		assert.Contains(t, out, "while the task ran")
		assert.Contains(t, out, "goroutine, 2 Ps", "the goroutine rows follow the loop's")
	})
	for _, tt := range []struct{ name, want string }{
		{"nolock", "event loop, update between awaits"},
		{"leak", "goroutines left behind: 0"},
		{"deadlock", "demo.lockM1ThenM2"},
	} {
		t.Run(tt.name+" runs and explains its lesson", func(t *testing.T) {
			code, out, stderr := runCompare(t, context.Background(), "demo", tt.name)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, out, tt.want)
		})
	}
	t.Run("race shows the map race caught in a child and the counters", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), "demo", "race")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "1. A map written by 8 goroutines")
		assert.Contains(t, out, "2. A counter incremented by 8 goroutines")
		for _, variant := range []string{"unsynchronised", "sync.Mutex", "sync/atomic"} {
			assert.Contains(t, out, variant)
		}
	})
}

func TestRunRejectsBadTeachingInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // what the one-line error must say
	}{
		{"demo without a name", []string{"demo"}, "valid: starve, race, nolock, leak, deadlock, parallel"},
		{"an unknown demo", []string{"demo", "livelock"}, `unknown demonstration "livelock" (valid: starve, race, nolock, leak, deadlock, parallel)`},
		{"demo with an extra argument", []string{"demo", "race", "again"}, `unexpected argument "again"`},
		{"an empty sweep list", []string{"sweep", "-workers", ""}, "-workers: empty entry"},
		{"a sweep list with a gap", []string{"sweep", "-workers", "1,,5"}, "-workers: empty entry"},
		{"a zero count", []string{"sweep", "-workers", "0,2"}, "-workers: every count must be between 1 and 1,000, not 0"},
		{"a negative count", []string{"sweep", "-workers", "1,-2"}, "-workers: every count must be between 1 and 1,000, not -2"},
		{"a count that is not a number", []string{"sweep", "-workers", "1,two"}, `-workers: "two" is not a whole number`},
		{"a count past the cap", []string{"sweep", "-workers", "5000"}, "-workers: every count must be between 1 and 1,000, not 5000"},
		{"an unknown workload", []string{"sweep", "-workload", "disk"}, "-workload"},
		{"a workload outside the sweep", []string{"cpu", "-workload", "cpu"}, "-workload: not a flag of compare cpu"},
		{"a model without workers in the sweep", []string{"sweep", "-models", "sequential"}, "-models: sequential has no worker count"},
		{"csv for the sweep", []string{"sweep", "-format", "csv"}, "-format"},
		{"a list of workers outside the sweep", []string{"io", "-workers", "1,2"}, "-workers: not a whole number; a list of counts is for compare sweep"},
		{"zero GOMAXPROCS", []string{"cpu", "-gomaxprocs", "0"}, "-gomaxprocs: must be between 1 and 1,024"},
		{"negative GOMAXPROCS", []string{"cpu", "-gomaxprocs", "-1"}, "-gomaxprocs"},
		{"an unknown timeline view", []string{"io", "-timeline=gantt"}, "-timeline"},
		{"a view after a space", []string{"io", "-timeline", "tasks"}, "write -timeline=tasks"},
		{"a view after a space before the subcommand", []string{"-timeline", "tasks", "io"}, "write -timeline=tasks"},
		{"a timeline in json", []string{"io", "-timeline", "-format", "json"}, "-timeline"},
		{"a timeline of the converter", []string{"convert", "-timeline"}, "-timeline"},
		{"a sweep svg in a missing directory", []string{"sweep", "-svg", filepath.Join(os.TempDir(), "no-such-dir", "x.svg")}, "-svg"},
		{"an svg axis for the sweep", []string{"sweep", "-svg-axis", "own"}, "-svg-axis: not a flag of compare sweep"},
		{"an svg that is a directory", []string{"cpu", "-svg", os.TempDir()}, "is a directory"},
		{"-n outside the starve demo", []string{"cpu", "-n", "10"}, "-n: not a flag of compare cpu"},
		{"a zero -n", []string{"demo", "starve", "-n", "0"}, "-n"},
		{"a negative delay", []string{"demo", "starve", "-delay", "-1ms"}, "-delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a one-line usage error", func(t *testing.T) {
			assertUsageError(t, tt.want, tt.args...)
		})
	}
}

func TestRunFullEndsWithTheSummary(t *testing.T) {
	code, out, stderr := runCompare(t, context.Background(), tiny("-procs", "1")...)
	require.Equal(t, exitOK, code, stderr)
	at := strings.Index(out, "What to use, from these measurements")
	require.GreaterOrEqual(t, at, 0, out)
	assert.Greater(t, at, strings.Index(out, "Converter:"), "after every table")
	summary := out[at:]
	assert.Contains(t, summary, "I/O-bound: ")
	assert.Contains(t, summary, "CPU-bound: ")
	assert.Contains(t, summary, "In short: ")

	t.Run("one part alone has no summary", func(t *testing.T) {
		code, out, stderr := runCompare(t, context.Background(), tiny("cpu", "-models", "sequential")...)
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, out, "What to use")
	})
}

func TestRunHelpTeaches(t *testing.T) {
	code, out, _ := runCompare(t, context.Background(), "-h")
	require.Equal(t, exitOK, code)
	for _, f := range []string{"-timeline", "-svg", "-gomaxprocs"} {
		assert.True(t, listsFlag(out, f), f)
	}
	for _, s := range []string{"compare sweep", "compare demo starve", "compare demo race", "-timeline=tasks", "GIL"} {
		assert.Contains(t, out, s)
	}
	for _, tt := range []struct {
		sub   string
		flags []string
		says  string
	}{
		{"sweep", []string{"-workload", "-workers"}, "default latency is 5 ms"},
		{"demo", []string{"-n", "-delay"}, "concurrent map writes"},
	} {
		code, out, _ := runCompare(t, context.Background(), "help", tt.sub)
		require.Equal(t, exitOK, code)
		for _, f := range tt.flags {
			assert.True(t, listsFlag(out, f), "%s %s", tt.sub, f)
		}
		assert.Contains(t, out, tt.says)
	}
}
