package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
)

// figures is one model at one GOMAXPROCS: speedups (0: not ranked, with a
// failed task) and cores busy on the sums.
type figures struct {
	model        string
	io, cpu      float64
	cores        float64
	workers, tsk int
}

// lessonOf builds the two passes' reports from figures, the first pass at
// GOMAXPROCS 1 and the second at n.
func lessonOf(n int, passes ...[]figures) parallelLesson {
	l := parallelLesson{Procs: []int{1, n}, CPUs: 2, Latency: 0.005, Runs: 3}
	result := func(f figures, speedup float64, cores float64) bench.Result {
		r := bench.Result{Model: f.model, Workers: f.workers, Tasks: 160, Runs: 3}
		r.Seconds.Mean, r.Seconds.Median = 1, 1
		r.CPUSecondsPerRun = cores
		if speedup > 0 {
			r.Speedup = new(speedup)
		} else {
			r.Failed = 3
		}
		return r
	}
	for _, pass := range passes {
		rep := bench.Report{IO: &bench.IOSection{Requests: 160}, CPU: &bench.CPUSection{Numbers: make([]int, 20)}}
		for _, f := range pass {
			rep.IO.Results = append(rep.IO.Results, result(f, f.io, 0.1))
			rep.CPU.Results = append(rep.CPU.Results, result(f, f.cpu, f.cores))
		}
		l.Reports = append(l.Reports, rep)
	}
	return l
}

func idleMachine() parallelLesson {
	return lessonOf(2,
		[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 4.97, 1.01, 1, 5, 0}, {"eventloop", 80, 0.98, 1, 1, 0}, {"multiproc", 1.9, 1.5, 1.7, 2, 0}},
		[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 4.98, 1.97, 2, 5, 0}, {"eventloop", 81, 0.99, 1, 1, 0}, {"multiproc", 1.95, 1.52, 1.8, 2, 0}},
	)
}

func TestWriteParallel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lesson parallelLesson
		want   []string
		not    []string
	}{
		{
			name:   "the seed's table is filled with both passes",
			lesson: idleMachine(),
			want: []string{
				"Concurrency is not parallelism: the seed's table, measured on 2 CPUs at GOMAXPROCS 1 and 2.",
				"io: 160 GETs, 5.0 ms latency each; cpu: 20 sums of squares; median of 3 runs.",
				"│ model      │ in the seed     │ who switches tasks          │ Ps │     io │   cpu │ cores │",
				"│ threaded   │ threading       │ Go's scheduler (preemptive) │  1 │  4.97x │ 1.01x │   1.0 │",
				"│            │                 │                             │  2 │  4.98x │ 1.97x │   2.0 │",
				"│ eventloop  │ asyncio         │ the task (cooperative)      │  1 │ 80.00x │ 0.98x │   1.0 │",
				"│ multiproc  │ multiprocessing │ the OS (preemptive)         │  1 │  1.90x │ 1.50x │   1.7 │",
			},
		},
		{
			name:   "the notes say concurrency gained on one P and parallelism needed two",
			lesson: idleMachine(),
			want: []string{
				"Concurrency without parallelism: with one P the pool of goroutines ran the\nGETs 4.97x faster than sequential (4.98x with 2).",
				"Parallelism needs processors: on the sums the same pool ran 1.01x with one P\n(1.0 core busy) and 1.97x with 2 (2.0 cores)",
				"The 2 worker processes had one P each under GOMAXPROCS=1 and still kept 1.7\ncores busy (1.50x)",
				"a task chooses to (an await)",
				"computes on one core at a time: 0.99x on the sums with 2 Ps, 1.0 core busy.",
			},
			not: []string{"busy with other work", "not compared"},
		},
		{
			name: "a second P that gained nothing is not called parallelism",
			lesson: lessonOf(2,
				[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 5, 1, 1, 5, 0}},
				[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 5, 1.05, 1.1, 5, 0}},
			),
			want: []string{"busy with other work", "On an idle machine the pool gains about 2x with 2 Ps."},
			not:  []string{"Parallelism needs processors"},
		},
		{
			name: "a busy machine is said to be, and processes that used one core are not said to use every CPU",
			lesson: lessonOf(2,
				[]figures{{"sequential", 1, 1, 0.7, 1, 0}, {"threaded", 5, 0.8, 0.9, 5, 0}, {"multiproc", 1.2, 0.2, 0.7, 2, 0}},
				[]figures{{"sequential", 1, 1, 0.7, 1, 0}, {"threaded", 5, 1.15, 0.7, 5, 0}, {"multiproc", 1.5, 0.7, 0.9, 2, 0}},
			),
			want: []string{"Warning: at GOMAXPROCS=1 the sequential sums kept only 0.7 of a core busy",
				"in this run they did not use more than one", "busy with other work (compare the cores column"},
			not: []string{"Parallelism needs processors", "still kept"},
		},
		{
			name: "a pool that did not gain on io is not called concurrent",
			lesson: lessonOf(2,
				[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 1.1, 1, 1, 5, 0}},
				[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 1.1, 2, 2, 5, 0}},
			),
			want: []string{"only 1.10x faster than sequential"},
			not:  []string{"Concurrency without parallelism"},
		},
		{
			name: "a model that failed tasks has no speedup and a line says why",
			lesson: lessonOf(2,
				[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 5, 1, 1, 5, 0}, {"eventloop", 0, 1, 1, 1, 0}},
				[]figures{{"sequential", 1, 1, 1, 1, 0}, {"threaded", 5, 2, 2, 5, 0}, {"eventloop", 0, 1, 1, 1, 0}},
			),
			want: []string{"│ eventloop  │ asyncio     │ the task (cooperative)      │  1 │     — │ 1.00x │",
				"io at GOMAXPROCS=1: eventloop failed 3 of 160 tasks: not compared."},
			not: []string{"the event loop, one goroutine, ran them"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, writeParallel(&b, tc.lesson))
			// The notes are wrapped: a sentence is looked for across lines.
			flat := strings.ReplaceAll(b.String(), "\n", " ")
			for _, w := range tc.want {
				assert.Contains(t, flat, strings.ReplaceAll(w, "\n", " "))
			}
			for _, n := range tc.not {
				assert.NotContains(t, flat, n)
			}
			for _, line := range strings.Split(b.String(), "\n") {
				assert.LessOrEqual(t, len([]rune(line)), 100, "a line wider than a projector: %q", line)
			}
		})
	}
}

func TestRunParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs both workloads twice")
	}
	code, out, stderr := runCompare(t, context.Background(), "demo", "parallel", "-runs", "1", "-latency", "0s", "-gomaxprocs", "2")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Concurrency is not parallelism")
	for _, m := range modelNames() {
		assert.Contains(t, out, "│ "+m)
	}
	assert.Contains(t, stderr, "GOMAXPROCS=1")
	assert.Contains(t, stderr, "GOMAXPROCS=2")
}

func TestRunParallelRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one P has no second column", []string{"demo", "parallel", "-gomaxprocs", "1"}, "-gomaxprocs: must be between 2 and 1,024"},
		{"no run", []string{"demo", "parallel", "-runs", "0"}, "-runs: must be between 1 and 10"},
		{"too many runs", []string{"demo", "parallel", "-runs", "11"}, "-runs: must be between 1 and 10"},
		{"a latency past its bound", []string{"demo", "parallel", "-latency", "1s"}, "-latency: must be between 0s and 50ms"},
		{"a flag of another command", []string{"demo", "parallel", "-models", "threaded"}, "-models: not a flag of compare demo parallel"},
	} {
		t.Run(tc.name+" is a one-line usage error", func(t *testing.T) {
			assertUsageError(t, tc.want, tc.args...)
		})
	}
}
