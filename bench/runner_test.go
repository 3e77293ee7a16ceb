package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/cpubound"
	"conclab/internal/child"
	"conclab/iobound"
	"conclab/timeline"
)

func TestMain(m *testing.M) {
	child.RunIfChild()
	goleak.VerifyTestMain(m)
}

// fakeModel answers at once, deterministically, and records what it was
// asked. Its knobs break it in the ways the harness must notice.
type fakeModel struct {
	name        string
	concurrency int  // 0 counts as 1
	processes   bool // declares that it runs worker processes
	failEvery   int  // every failEvery-th URL fails (0: none)
	wrongSumAt  int  // index of a wrong sum (-1: none)
	failTaskAt  int  // index of a failed CPU task (-1: none)
	runErr      error
	cancelAfter int // cancel() after this many calls (0: never)
	cancel      context.CancelFunc

	calls   int
	lengths []int // the number of tasks of each call
}

func newFake(name string) *fakeModel {
	return &fakeModel{name: name, wrongSumAt: -1, failTaskAt: -1}
}

func (f *fakeModel) Name() string { return f.name }

func (f *fakeModel) Concurrency(string, int) int { return f.concurrency }
func (f *fakeModel) Processes() bool             { return f.processes }
func (f *fakeModel) OneGoroutine() bool          { return f.concurrency <= 1 }

func (f *fakeModel) called(ctx context.Context, n int) error {
	f.calls++
	f.lengths = append(f.lengths, n)
	if f.cancelAfter > 0 && f.calls == f.cancelAfter {
		f.cancel()
	}
	if f.runErr != nil {
		return f.runErr
	}
	return ctx.Err()
}

func (f *fakeModel) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	if err := f.called(ctx, len(urls)); err != nil {
		return iobound.Report{}, err
	}
	rep := iobound.Report{Results: make([]iobound.Result, len(urls))}
	for i, u := range urls {
		rep.Results[i] = iobound.Result{URL: u, Status: 200, Bytes: 100}
		if f.failEvery > 0 && (i+1)%f.failEvery == 0 {
			rep.Results[i] = iobound.Result{URL: u, Err: errors.New("connection reset")}
		}
		rep.Results[i].Span = f.span(i)
	}
	return rep, nil
}

func (f *fakeModel) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	if err := f.called(ctx, len(numbers)); err != nil {
		return cpubound.Report{}, err
	}
	rep := cpubound.Report{Results: make([]cpubound.Result, len(numbers))}
	for i, n := range numbers {
		sum, _ := cpubound.Expected(n)
		switch i {
		case f.wrongSumAt:
			sum.Lo++
		case f.failTaskAt:
			rep.Results[i] = cpubound.Result{N: n, Err: errors.New("worker died")}
			continue
		}
		rep.Results[i] = cpubound.Result{N: n, Sum: sum, Span: f.span(i)}
	}
	return rep, nil
}

// span stamps task i of the current call: the call number as its PID, so a
// test can tell which run a span came from.
func (f *fakeModel) span(i int) timeline.Span {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	return timeline.Span{Worker: i % 2, PID: f.calls, Start: at, End: at.Add(time.Millisecond)}
}

func urls(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("http://127.0.0.1:1/%d", i)
	}
	return out
}

func TestRunnerKeepsTheLastRunsSpans(t *testing.T) {
	t.Run("io keeps each URL's span from the last measured run", func(t *testing.T) {
		m := newFake(Baseline)
		sec, err := Runner{Runs: 2, Warmup: 1}.IO(context.Background(), []Model{m}, IOWorkload{URLs: urls(3)})
		require.NoError(t, err)
		r := sec.Results[0]
		require.Len(t, r.Spans, 3)
		assert.Equal(t, urls(3), r.TaskNames)
		for i, sp := range r.Spans {
			assert.Equal(t, 3, sp.PID, "the third call: one warm-up, then two measured runs")
			assert.Equal(t, i%2, sp.Worker)
		}
		run := r.Timeline("sequential, io")
		assert.Equal(t, "sequential, io", run.Label)
		assert.Equal(t, r.Spans, run.Spans)
		assert.Equal(t, r.TaskNames, run.Tasks)
	})
	t.Run("cpu names each task by its number", func(t *testing.T) {
		m := newFake(Baseline)
		sec, err := Runner{Runs: 1}.CPU(context.Background(), []Model{m}, []int{10, 11})
		require.NoError(t, err)
		r := sec.Results[0]
		assert.Equal(t, []string{"n=10", "n=11"}, r.TaskNames)
		require.Len(t, r.Spans, 2)
		assert.False(t, r.Spans[1].Start.IsZero())
	})
}

func TestRunnerIO(t *testing.T) {
	t.Run("warm-up runs are not measured and measured runs are", func(t *testing.T) {
		m := newFake(Baseline)
		sec, err := Runner{Runs: 3, Warmup: 2}.IO(context.Background(), []Model{m}, IOWorkload{URLs: urls(10), Embedded: true, Latency: time.Millisecond})
		require.NoError(t, err)
		require.Len(t, sec.Results, 1)
		assert.Equal(t, 5, m.calls)
		r := sec.Results[0]
		assert.Equal(t, 3, r.Runs)
		assert.Len(t, r.Seconds.Times, 3)
		assert.Equal(t, 10, r.Tasks)
		assert.Equal(t, int64(1000), *r.Bytes)
		assert.Equal(t, SourceEmbedded, sec.Source)
		assert.Equal(t, 10, sec.Requests)
		assert.InDelta(t, 0.001, *sec.LatencySeconds, 1e-12)
		require.NotNil(t, r.RequestsPerSecond, "a load's rate, as hey prints it")
		assert.InDelta(t, 10/r.Seconds.Median, *r.RequestsPerSecond, 1e-9)
		require.NotNil(t, r.RequestSeconds, "the latencies of the requests of every measured run")
		assert.LessOrEqual(t, r.RequestSeconds.P50, r.RequestSeconds.P90)
		assert.LessOrEqual(t, r.RequestSeconds.P99, r.RequestSeconds.Max)
	})
	t.Run("a short warm-up fetches two rounds of the model's concurrency", func(t *testing.T) {
		seq, pool := newFake(Baseline), newFake("threaded")
		pool.concurrency = 3
		_, err := Runner{Runs: 1, Warmup: 1, ShortWarmup: true}.IO(context.Background(), []Model{seq, pool}, IOWorkload{URLs: urls(20), Embedded: true, Latency: time.Millisecond})
		require.NoError(t, err)
		assert.Equal(t, []int{2, 20}, seq.lengths)
		assert.Equal(t, []int{6, 20}, pool.lengths)
	})
	t.Run("a result carries the traits the model declared", func(t *testing.T) {
		seq, pool := newFake(Baseline), newFake("any name")
		pool.concurrency, pool.processes = 2, true
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{seq, pool}, IOWorkload{URLs: urls(4)})
		require.NoError(t, err)
		assert.False(t, sec.Results[0].UsesProcesses)
		assert.True(t, sec.Results[0].OneGoroutine)
		assert.True(t, sec.Results[1].UsesProcesses)
		assert.False(t, sec.Results[1].OneGoroutine)
	})
	t.Run("the bound follows the concurrency the model reports", func(t *testing.T) {
		seq, pool := newFake(Baseline), newFake("threaded")
		pool.concurrency = 5
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{seq, pool}, IOWorkload{URLs: urls(12), Embedded: true, Latency: 20 * time.Millisecond})
		require.NoError(t, err)
		assert.Equal(t, 1, sec.Results[0].Workers)
		assert.Equal(t, 5, sec.Results[1].Workers)
		assert.InDelta(t, 0.24, *sec.Results[0].BoundSeconds, 1e-9)
		assert.InDelta(t, 0.06, *sec.Results[1].BoundSeconds, 1e-9)
		require.NotNil(t, sec.Results[0].Speedup)
		assert.InDelta(t, 1, *sec.Results[0].Speedup, 1e-12)
	})
	t.Run("failed URLs are counted, not errors", func(t *testing.T) {
		m := newFake(Baseline)
		m.failEvery = 4
		sec, err := Runner{Runs: 2}.IO(context.Background(), []Model{m}, IOWorkload{URLs: urls(8), Embedded: true, Latency: time.Millisecond})
		require.NoError(t, err)
		assert.Equal(t, 2, sec.Results[0].Failed)
		assert.Equal(t, int64(600), *sec.Results[0].Bytes)
		assert.Contains(t, sec.Results[0].FirstError, "connection reset")
	})
	t.Run("a model that failed URLs gets no speedup and no efficiency, only its bound", func(t *testing.T) {
		seq, loop := newFake(Baseline), newFake("eventloop")
		loop.failEvery, loop.concurrency = 2, 8
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{seq, loop}, IOWorkload{URLs: urls(8), Embedded: true, Latency: time.Millisecond})
		require.NoError(t, err)
		r := sec.Results[1]
		assert.Equal(t, 4, r.Failed)
		assert.Nil(t, r.Speedup)
		assert.Nil(t, r.Efficiency)
		assert.NotNil(t, r.BoundSeconds)
		assert.NotNil(t, sec.Results[0].Speedup, "sequential, which completed, keeps its own")
	})
	t.Run("a sequential row that failed URLs ranks no model", func(t *testing.T) {
		seq, pool := newFake(Baseline), newFake("threaded")
		seq.failEvery = 3
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{seq, pool}, IOWorkload{URLs: urls(6), Embedded: true, Latency: time.Millisecond})
		require.NoError(t, err)
		assert.Nil(t, sec.Results[0].Speedup)
		assert.Nil(t, sec.Results[1].Speedup)
		assert.NotNil(t, sec.Results[1].Efficiency, "threaded did all its work: its own bound still applies")
	})
	t.Run("real sites have no bound and no efficiency", func(t *testing.T) {
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{newFake(Baseline)}, IOWorkload{URLs: urls(4)})
		require.NoError(t, err)
		assert.Equal(t, SourceURLs, sec.Source)
		assert.Nil(t, sec.LatencySeconds)
		assert.Nil(t, sec.Results[0].BoundSeconds)
		assert.Nil(t, sec.Results[0].Efficiency)
	})
	t.Run("the embedded server without latency has no bound", func(t *testing.T) {
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{newFake(Baseline)}, IOWorkload{URLs: urls(4), Embedded: true})
		require.NoError(t, err)
		assert.Equal(t, SourceEmbedded, sec.Source)
		require.NotNil(t, sec.LatencySeconds)
		assert.Zero(t, *sec.LatencySeconds)
		assert.Nil(t, sec.Results[0].BoundSeconds)
		assert.Nil(t, sec.Results[0].Efficiency)
	})
	t.Run("without a sequential row there is no speedup", func(t *testing.T) {
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{newFake("threaded")}, IOWorkload{URLs: urls(4), Embedded: true, Latency: time.Millisecond})
		require.NoError(t, err)
		assert.Nil(t, sec.Results[0].Speedup)
		assert.NotNil(t, sec.Results[0].BoundSeconds)
	})
	t.Run("a model that cannot run stops the workload and keeps the rows before it", func(t *testing.T) {
		bad := newFake("broken")
		bad.runErr = errors.New("no pool")
		sec, err := Runner{Runs: 1}.IO(context.Background(), []Model{newFake(Baseline), bad}, IOWorkload{URLs: urls(4), Embedded: true, Latency: time.Millisecond})
		require.ErrorContains(t, err, "io broken: no pool")
		assert.Len(t, sec.Results, 1)
	})
	t.Run("a report with missing results is an error", func(t *testing.T) {
		_, err := Runner{Runs: 1}.IO(context.Background(), []Model{shortModel{}}, IOWorkload{URLs: urls(4), Embedded: true, Latency: time.Millisecond})
		assert.ErrorIs(t, err, ErrReport)
	})
	t.Run("cancellation stops at the run under way", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		seq, next := newFake(Baseline), newFake("threaded")
		next.cancel, next.cancelAfter = cancel, 2
		sec, err := Runner{Runs: 3}.IO(ctx, []Model{seq, next, newFake("eventloop")}, IOWorkload{URLs: urls(4), Embedded: true, Latency: time.Millisecond})
		require.ErrorIs(t, err, context.Canceled)
		assert.Len(t, sec.Results, 1, "only the model that completed")
		assert.Equal(t, 2, next.calls)
	})
}

// shortModel drops a result.
type shortModel struct{}

func (shortModel) Name() string { return "short" }
func (shortModel) Download(_ context.Context, urls []string) (iobound.Report, error) {
	return iobound.Report{Results: make([]iobound.Result, len(urls)-1)}, nil
}
func (shortModel) SumSquares(context.Context, []int) (cpubound.Report, error) {
	return cpubound.Report{}, nil
}

func TestRunnerCPU(t *testing.T) {
	numbers := []int{5_000_000, 5_000_001, 3}
	t.Run("correct sums become a row with the last run's sums", func(t *testing.T) {
		sec, err := Runner{Runs: 2, Warmup: 1}.CPU(context.Background(), []Model{newFake(Baseline)}, numbers)
		require.NoError(t, err)
		assert.Equal(t, numbers, sec.Numbers)
		assert.Equal(t, []string{"41666654166667500000", "41666679166667500000", "5"}, sec.Expected)
		require.Len(t, sec.Results, 1)
		r := sec.Results[0]
		assert.Equal(t, sec.Expected, r.Sums)
		assert.Nil(t, r.Bytes)
		assert.Equal(t, 0, r.Failed)
		require.NotNil(t, r.Efficiency)
		require.NotNil(t, r.BoundSeconds)
		assert.InDelta(t, r.Seconds.Min, *r.BoundSeconds, 1e-12, "sequential's bound is its fastest run")
		assert.LessOrEqual(t, *r.Efficiency, 1.0)
	})
	t.Run("a wrong sum is an error, never a row", func(t *testing.T) {
		m := newFake(Baseline)
		m.wrongSumAt = 1
		sec, err := Runner{Runs: 1}.CPU(context.Background(), []Model{m}, numbers)
		require.ErrorIs(t, err, ErrWrongSum)
		assert.Empty(t, sec.Results)
	})
	t.Run("a failed task is counted in the row, and the row is not ranked", func(t *testing.T) {
		seq, pool := newFake(Baseline), newFake("threaded")
		pool.failTaskAt, pool.concurrency = 2, 2
		sec, err := Runner{Runs: 2}.CPU(context.Background(), []Model{seq, pool}, numbers)
		require.NoError(t, err)
		require.Len(t, sec.Results, 2)
		r := sec.Results[1]
		assert.Equal(t, 1, r.Failed)
		assert.Equal(t, "n=3: worker died", r.FirstError)
		assert.Equal(t, []string{sec.Expected[0], sec.Expected[1], ""}, r.Sums, "a failed task has no sum")
		assert.Nil(t, r.Speedup, "not compared with sequential")
		assert.Nil(t, r.Efficiency, "its bound is for doing every task")
		assert.NotNil(t, r.BoundSeconds, "the bound itself is known")
	})
	t.Run("a failed sequential task leaves every speedup and bound unknown", func(t *testing.T) {
		seq, pool := newFake(Baseline), newFake("threaded")
		seq.failTaskAt = 0
		sec, err := Runner{Runs: 1}.CPU(context.Background(), []Model{seq, pool}, numbers)
		require.NoError(t, err)
		for _, r := range sec.Results {
			assert.Nil(t, r.Speedup, r.Model)
			assert.Nil(t, r.BoundSeconds, r.Model)
			assert.Nil(t, r.Efficiency, r.Model)
		}
	})
	t.Run("a wrong sum in a warm-up run is an error too", func(t *testing.T) {
		m := newFake(Baseline)
		m.wrongSumAt = 0
		_, err := Runner{Runs: 1, Warmup: 1}.CPU(context.Background(), []Model{m}, numbers)
		require.ErrorIs(t, err, ErrWrongSum)
		assert.Equal(t, 1, m.calls)
	})
	t.Run("a number outside the kernel's domain is refused before any run", func(t *testing.T) {
		m := newFake(Baseline)
		_, err := Runner{}.CPU(context.Background(), []Model{m}, []int{-1})
		require.ErrorIs(t, err, cpubound.ErrNegative)
		assert.Zero(t, m.calls)
	})
	t.Run("the bound is the one-core work over the usable cores", func(t *testing.T) {
		results := []Result{
			{Model: Baseline, Workers: 1, Tasks: 20, Seconds: Seconds{Median: 8, Min: 8}},
			{Model: "threaded", Workers: 5, Tasks: 20, Seconds: Seconds{Median: 5, Min: 5}},
		}
		finishCPU(results)
		procs := min(5, CurrentEnv().GOMAXPROCS)
		work := min(8, float64(procs)*5)
		assert.InDelta(t, work/float64(procs), *results[1].BoundSeconds, 1e-12)
		assert.InDelta(t, work/float64(procs)/5, *results[1].Efficiency, 1e-12)
		assert.InDelta(t, 1.6, *results[1].Speedup, 1e-12)
	})
	t.Run("without a sequential row there are no bounds", func(t *testing.T) {
		sec, err := Runner{Runs: 1}.CPU(context.Background(), []Model{newFake("threaded")}, numbers)
		require.NoError(t, err)
		assert.Nil(t, sec.Results[0].Speedup)
		assert.Nil(t, sec.Results[0].BoundSeconds)
		assert.Nil(t, sec.Results[0].Efficiency)
	})
}

func TestRunnerResources(t *testing.T) {
	sec, err := Runner{Runs: 2}.CPU(context.Background(), []Model{newFake(Baseline)}, []int{1000})
	require.NoError(t, err)
	r := sec.Results[0]
	assert.GreaterOrEqual(t, r.PeakGoroutines, 2, "the test's goroutine and the sampler")
	assert.Equal(t, 1, r.Processes, "no worker processes")
	assert.GreaterOrEqual(t, r.CPUSeconds, 0.0)
	if _, err := os.Stat("/proc/self/status"); err == nil {
		assert.Positive(t, r.PeakThreads)
		assert.Positive(t, r.PeakRSSBytes)
	}
}

func TestRunnerKeep(t *testing.T) {
	errStart := errors.New("pool would not start")
	tests := []struct {
		name        string
		keepErr     error
		stopErr     error
		wantErr     error
		wantStartup bool
	}{
		{"a kept model runs in place of the model, its start-up apart", nil, nil, nil, true},
		{"a start that fails fails the model", errStart, nil, errStart, false},
		{"a stop that fails is the model's error", nil, errStart, errStart, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, kept := newFake(Baseline), newFake("pool")
			var keeps, stops int
			r := Runner{Runs: 2, Warmup: 1, Keep: func(_ context.Context, m Model) (Model, time.Duration, func() error, error) {
				if m.Name() == Baseline {
					return m, 0, nil, nil
				}
				keeps++
				if tt.keepErr != nil {
					return nil, 0, nil, tt.keepErr
				}
				return kept, 25 * time.Millisecond, func() error { stops++; return tt.stopErr }, nil
			}}
			sec, err := r.CPU(context.Background(), []Model{base, newFake("pool")}, []int{1, 2})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 1, keeps, "kept once for all its runs")
			assert.Equal(t, 1, stops, "stopped once after them")
			assert.Equal(t, 3, kept.calls, "the warm-up and the measured runs ran on the kept model")
			require.Len(t, sec.Results, 2)
			assert.Nil(t, sec.Results[0].PoolStartupSeconds)
			require.NotNil(t, sec.Results[1].PoolStartupSeconds)
			assert.InDelta(t, 0.025, *sec.Results[1].PoolStartupSeconds, 1e-9)
		})
	}
}

// TestCPUEfficiencyNeverAboveOne holds the bound to its definition: no row
// of any mix of measurements beats it, even one faster than the sequential
// row on one core (the event loop's 1.01) or measured on a quieter machine
// than the sequential row (1.38).
func TestCPUEfficiencyNeverAboveOne(t *testing.T) {
	tests := []struct {
		name    string
		results []Result
	}{
		{"one core, a little faster than sequential", []Result{
			{Model: Baseline, Workers: 1, Tasks: 20, Seconds: Seconds{Median: 3.00, Min: 2.98}},
			{Model: "eventloop", Workers: 1, Tasks: 20, Seconds: Seconds{Median: 2.97, Min: 2.95}},
		}},
		{"sequential measured while the machine was busy", []Result{
			{Model: Baseline, Workers: 1, Tasks: 20, Seconds: Seconds{Median: 4.1, Min: 4.0}},
			{Model: "threaded", Workers: 5, Tasks: 20, Seconds: Seconds{Median: 1.5, Min: 1.45}},
			{Model: "multiproc", Workers: 2, Tasks: 20, Processes: 3, Seconds: Seconds{Median: 1.6, Min: 1.5}},
		}},
		{"one run each, no Min recorded", []Result{
			{Model: Baseline, Workers: 1, Tasks: 20, Seconds: Seconds{Median: 3}},
			{Model: "eventloop", Workers: 1, Tasks: 20, Seconds: Seconds{Median: 2.5}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			finishCPU(tt.results)
			for _, r := range tt.results {
				require.NotNil(t, r.Efficiency, r.Model)
				assert.LessOrEqual(t, *r.Efficiency, 1.0, r.Model)
				assert.LessOrEqual(t, *r.BoundSeconds, r.Seconds.Median, r.Model)
			}
		})
	}
}

func TestRunnerIsolate(t *testing.T) {
	seq, loop := newFake(Baseline), newFake("eventloop")
	elsewhere := Result{Model: "eventloop", Workers: 1, Runs: 2, Tasks: 3,
		Seconds:      Seconds{Median: 0.001, Min: 0.001, Times: []float64{0.001, 0.001}},
		Speedup:      ptr(99.0), // what the child could not know is set again here
		PeakRSSBytes: 12345}
	var asked []string
	r := Runner{Runs: 2, Isolate: func(_ context.Context, m Model, workload string) (*Result, error) {
		asked = append(asked, workload+" "+m.Name())
		if m.Name() == Baseline {
			return nil, nil // measured here
		}
		res := elsewhere
		return &res, nil
	}}
	sec, err := r.CPU(context.Background(), []Model{seq, loop}, []int{1, 2, 3})
	require.NoError(t, err)
	assert.Equal(t, []string{"cpu sequential", "cpu eventloop"}, asked)
	assert.Equal(t, 2, seq.calls, "nil: the runner measures the model itself")
	assert.Zero(t, loop.calls, "the isolated model is not run here")
	require.Len(t, sec.Results, 2)
	got := sec.Results[1]
	assert.Equal(t, int64(12345), got.PeakRSSBytes, "the row as measured elsewhere")
	require.NotNil(t, got.Speedup)
	assert.InDelta(t, sec.Results[0].Seconds.Median/0.001, *got.Speedup, 1e-9, "ranked here, over every row")
	assert.NotNil(t, got.Efficiency)

	t.Run("its error stops the workload", func(t *testing.T) {
		r.Isolate = func(context.Context, Model, string) (*Result, error) { return nil, errBoom }
		_, err := r.IO(context.Background(), []Model{newFake(Baseline)}, IOWorkload{URLs: urls(2)})
		require.ErrorIs(t, err, errBoom)
	})
}

var errBoom = errors.New("boom")

func TestEnvCores(t *testing.T) {
	env := Env{CPUs: 4, GOMAXPROCS: 2}
	tests := []struct {
		name           string
		workers, tasks int
		processes      bool
		want           int
	}{
		{"goroutines share GOMAXPROCS", 8, 20, false, 2},
		{"processes share the CPUs", 8, 20, true, 4},
		{"fewer workers than cores", 1, 20, true, 1},
		{"fewer tasks than workers", 8, 3, true, 3},
		{"no task still counts one core", 8, 0, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, env.Cores(tt.workers, tt.tasks, tt.processes))
		})
	}
}
