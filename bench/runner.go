package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"conclab/cpubound"
	"conclab/timeline"
)

// Errors that make a run unusable. A wrong sum is never a row of the table:
// the harness stops with one of these. A task that failed (a request, a sum
// whose worker died) is a result instead: counted, and its model not ranked.
var (
	ErrWrongSum = errors.New("bench: wrong sum")
	ErrReport   = errors.New("bench: report does not match the tasks")
)

// Baseline is the name of the model that speedups are measured against and
// whose CPU time gives the other models' CPU bound.
const Baseline = "sequential"

// DefaultRuns is the number of measured runs of a zero Runner.
const DefaultRuns = 3

// Runner runs models on the workloads and measures them. A zero Runner is
// valid: DefaultRuns measured runs, no warm-up, no progress.
type Runner struct {
	Runs   int // measured runs per model; 0 or less means DefaultRuns
	Warmup int // unmeasured runs before them

	// ShortWarmup makes every I/O warm-up run fetch only the first
	// 2 × concurrency URLs (at least 2): enough to open the model's
	// connections and start its workers, without paying a whole run.
	ShortWarmup bool

	// Exclude lists child processes that are not the models' (the embedded
	// server's): they are neither counted nor measured.
	Exclude []int

	Progress Progress      // told about every run; nil for none
	Interval time.Duration // sampling interval; 0 means SampleInterval

	// Keep, when set, is called for each model before its warm-up runs. It
	// may start what the model would start in every run (a process pool)
	// once, and return the started model to run instead, how long its start
	// took, and how to stop it once the model's runs are over; or return m
	// itself, zero and nil, to run m as it is. The start-up goes to the
	// Result's PoolStartupSeconds, apart from the times.
	Keep func(ctx context.Context, m Model) (kept Model, startup time.Duration, stop func() error, err error)

	// Isolate, when set, is asked first to measure each model elsewhere:
	// compare runs a model's warm-up and measured runs in a fresh child
	// process, so that its goroutines, threads, memory and CPU time are its
	// own whatever ran before it. It returns the row as that process's
	// Runner measured it, or nil to have this Runner measure the model
	// itself. Either way this Runner sets the speedups, bounds and
	// efficiencies, over every row.
	Isolate func(ctx context.Context, m Model, workload string) (*Result, error)
}

// Progress is told about the runs as they go, for a progress display.
type Progress interface {
	// Start announces a workload of total runs (warm-up ones included).
	Start(workload string, total int)
	// Run announces one run of a model.
	Run(model string, run, of int, warmup bool)
	// Finish ends the workload.
	Finish()
}

// IOWorkload is the I/O workload: the URLs of one run and who serves them.
// The lower bounds are known only on the embedded server with a latency: real
// sites have none that the harness knows, and with no latency the bound is 0.
type IOWorkload struct {
	URLs     []string
	Embedded bool          // the URLs are the embedded server's
	Latency  time.Duration // the embedded server's wait before each response
}

// bounded tells whether the bounds are known.
func (w IOWorkload) bounded() bool { return w.Embedded && w.Latency > 0 }

// IO runs every model on the I/O workload. A failed URL is counted in the
// row, not an error. On an error (a model could not run, or ctx was
// cancelled) the section holds the models that completed before it.
func (r Runner) IO(ctx context.Context, models []Model, w IOWorkload) (*IOSection, error) {
	sec := &IOSection{Source: SourceURLs, Requests: len(w.URLs), Results: []Result{}}
	if w.Embedded {
		sec.Source = SourceEmbedded
		sec.LatencySeconds = ptr(w.Latency.Seconds())
	}
	r.start(WorkloadIO, len(models))
	defer r.finish()
	for _, m := range models {
		res, err := r.measureOrIsolate(ctx, m, WorkloadIO, len(w.URLs), func(ctx context.Context, m Model, warmup bool, conc int) (outcome, error) {
			urls := w.URLs
			if warmup && r.ShortWarmup {
				urls = urls[:min(len(urls), max(2, 2*conc))]
			}
			rep, err := m.Download(ctx, urls)
			if err != nil {
				return outcome{}, err
			}
			if len(rep.Results) != len(urls) {
				return outcome{}, fmt.Errorf("%d results for %d urls: %w", len(rep.Results), len(urls), ErrReport)
			}
			o := outcome{failed: rep.Failed(), bytes: rep.Bytes(), startup: rep.Startup}
			o.spans = make([]timeline.Span, len(rep.Results))
			o.names = make([]string, len(rep.Results))
			for i, res := range rep.Results {
				if res.Err != nil && o.firstErr == "" {
					o.firstErr = fmt.Sprintf("%s: %v", res.URL, res.Err)
				}
				o.spans[i], o.names[i] = res.Span, res.URL
			}
			return o, nil
		})
		if err != nil {
			finishIO(sec.Results, w)
			return sec, err
		}
		sec.Results = append(sec.Results, res)
	}
	finishIO(sec.Results, w)
	return sec, nil
}

// CPU runs every model on the CPU workload and checks every sum of every run
// against the closed form. A failed task is counted in the row, as a failed
// URL is; a wrong sum is an error. Each row's bound is the workload's
// one-core time over the cores the model can use, the one-core time being
// the least that the rows' fastest runs show (see CPUBound): an efficiency
// is never above 1.
func (r Runner) CPU(ctx context.Context, models []Model, numbers []int) (*CPUSection, error) {
	expected := make([]cpubound.Uint128, len(numbers))
	sec := &CPUSection{Numbers: numbers, Expected: make([]string, len(numbers)), Results: []Result{}}
	for i, n := range numbers {
		e, err := cpubound.Expected(n)
		if err != nil {
			return sec, fmt.Errorf("bench: cpu: %w", err)
		}
		expected[i] = e
		sec.Expected[i] = e.String()
	}
	r.start(WorkloadCPU, len(models))
	defer r.finish()
	for _, m := range models {
		res, err := r.measureOrIsolate(ctx, m, WorkloadCPU, len(numbers), func(ctx context.Context, m Model, _ bool, _ int) (outcome, error) {
			rep, err := m.SumSquares(ctx, numbers)
			if err != nil {
				return outcome{}, err
			}
			if err := checkSums(rep, numbers, expected); err != nil {
				return outcome{}, err
			}
			o := outcome{startup: rep.Startup, sums: make([]string, len(rep.Results))}
			o.spans = make([]timeline.Span, len(rep.Results))
			o.names = make([]string, len(rep.Results))
			for i, res := range rep.Results {
				o.spans[i], o.names[i] = res.Span, "n="+strconv.Itoa(res.N)
				if res.Err != nil {
					o.failed++
					if o.firstErr == "" {
						o.firstErr = fmt.Sprintf("%s: %v", o.names[i], res.Err)
					}
					continue // its sum stays "": there is none
				}
				o.sums[i] = res.Sum.String()
			}
			return o, nil
		})
		if err != nil {
			finishCPU(sec.Results)
			return sec, err
		}
		sec.Results = append(sec.Results, res)
	}
	finishCPU(sec.Results)
	return sec, nil
}

// checkSums verifies one CPU report: one result per number, in order, and
// every sum of a task that did not fail equal to the closed form.
func checkSums(rep cpubound.Report, numbers []int, expected []cpubound.Uint128) error {
	if len(rep.Results) != len(numbers) {
		return fmt.Errorf("%d results for %d numbers: %w", len(rep.Results), len(numbers), ErrReport)
	}
	for i, res := range rep.Results {
		switch {
		case res.N != numbers[i]:
			return fmt.Errorf("result %d is for n=%d, want n=%d: %w", i, res.N, numbers[i], ErrReport)
		case res.Err != nil:
			// A failure, counted by the caller; it has no sum to check.
		case res.Sum != expected[i]:
			return fmt.Errorf("n=%d: got %s, want %s: %w", res.N, res.Sum, expected[i], ErrWrongSum)
		}
	}
	return nil
}

// outcome is what the harness keeps of one run.
type outcome struct {
	failed   int
	bytes    int64
	sums     []string
	startup  time.Duration
	firstErr string
	spans    []timeline.Span
	names    []string
}

type runFunc func(ctx context.Context, m Model, warmup bool, concurrency int) (outcome, error)

// measureOrIsolate has Isolate measure the model where it will, and
// measures it here otherwise. An isolated row's ranking figures are left for
// finishIO and finishCPU to set over every row.
func (r Runner) measureOrIsolate(ctx context.Context, m Model, workload string, tasks int, run runFunc) (Result, error) {
	if r.Isolate == nil {
		return r.measure(ctx, m, workload, tasks, run)
	}
	res, err := r.Isolate(ctx, m, workload)
	switch {
	case err != nil:
		return Result{}, fmt.Errorf("%s %s: %w", workload, m.Name(), err)
	case res == nil:
		return r.measure(ctx, m, workload, tasks, run)
	}
	// The progress display learns of the runs once they are over.
	for i := range r.Warmup {
		r.step(m.Name(), i+1, r.Warmup, true)
	}
	for i := range res.Runs {
		r.step(m.Name(), i+1, res.Runs, false)
	}
	res.Speedup, res.BoundSeconds, res.Efficiency = nil, nil, nil
	// What the model declares of itself is not in the row a child sends
	// back (json:"-"): it is the model's, read here as measure reads it.
	traits := TraitsOf(m)
	res.UsesProcesses, res.OneGoroutine = traits.Processes(), traits.OneGoroutine()
	return *res, nil
}

// measure runs one model: the warm-up runs, then the measured runs under the
// sampler.
func (r Runner) measure(ctx context.Context, m Model, workload string, tasks int, run runFunc) (res Result, err error) {
	var poolStartup *float64
	if r.Keep != nil {
		kept, startup, stop, kerr := r.Keep(ctx, m)
		if kerr != nil {
			return Result{}, fmt.Errorf("%s %s: %w", workload, m.Name(), kerr)
		}
		if stop != nil {
			defer func() {
				if serr := stop(); serr != nil {
					err = errors.Join(err, fmt.Errorf("%s %s: %w", workload, m.Name(), serr))
				}
			}()
		}
		if startup > 0 {
			poolStartup = ptr(startup.Seconds())
		}
		m = kept
	}
	runs := r.Runs
	if runs <= 0 {
		runs = DefaultRuns
	}
	traits := TraitsOf(m)
	conc := max(traits.Concurrency(workload, tasks), 1)
	fail := func(err error) (Result, error) {
		return Result{}, fmt.Errorf("%s %s: %w", workload, m.Name(), err)
	}
	for i := range r.Warmup {
		r.step(m.Name(), i+1, r.Warmup, true)
		if _, err := run(ctx, m, true, conc); err != nil {
			return fail(err)
		}
	}

	res = Result{
		Model: m.Name(), Workers: conc, Runs: runs, Tasks: tasks, PoolStartupSeconds: poolStartup,
		UsesProcesses: traits.Processes(), OneGoroutine: traits.OneGoroutine(),
	}
	times := make([]time.Duration, 0, runs)
	var spans []timeline.Span // every measured run's, for the latencies
	var last outcome
	var startup time.Duration
	s := startSampler(r.exclude(), r.Interval)
	for i := range runs {
		r.step(m.Name(), i+1, runs, false)
		start := time.Now()
		o, err := run(ctx, m, false, conc)
		elapsed := time.Since(start)
		if err != nil {
			s.finish()
			return fail(err)
		}
		times = append(times, elapsed)
		spans = append(spans, o.spans...)
		startup += o.startup
		res.Failed = max(res.Failed, o.failed)
		if o.firstErr != "" {
			res.FirstError = o.firstErr
		}
		last = o
	}
	rs := s.finish()

	sec, err := Summarize(times)
	if err != nil {
		return fail(err)
	}
	res.Seconds = sec
	if workload == WorkloadIO {
		res.Bytes = ptr(last.bytes)
		res.RequestsPerSecond = quotient(float64(tasks), sec.Median)
		res.RequestSeconds = Latencies(spans)
	} else {
		res.Sums = last.sums
	}
	res.Spans, res.TaskNames = last.spans, last.names
	res.Startup = (startup / time.Duration(runs)).Seconds()
	res.CPUSeconds = (rs.User + rs.System).Seconds()
	res.CPUSecondsPerRun = res.CPUSeconds / float64(runs)
	res.UserSeconds = rs.User.Seconds() / float64(runs)
	res.SystemSeconds = rs.System.Seconds() / float64(runs)
	res.PeakGoroutines = rs.PeakGoroutines
	res.PeakThreads = rs.PeakThreads
	res.Processes = rs.Processes
	res.PeakRSSBytes = rs.PeakRSS
	return res, nil
}

func (r Runner) exclude() map[int]bool {
	ex := make(map[int]bool, len(r.Exclude))
	for _, pid := range r.Exclude {
		ex[pid] = true
	}
	return ex
}

func (r Runner) start(workload string, models int) {
	if r.Progress != nil {
		runs := r.Runs
		if runs <= 0 {
			runs = DefaultRuns
		}
		r.Progress.Start(workload, models*(runs+r.Warmup))
	}
}

func (r Runner) step(model string, run, of int, warmup bool) {
	if r.Progress != nil {
		r.Progress.Run(model, run, of, warmup)
	}
}

func (r Runner) finish() {
	if r.Progress != nil {
		r.Progress.Finish()
	}
}

// baseline returns the sequential row, if there is one.
func baseline(results []Result) (Result, bool) {
	for _, r := range results {
		if r.Model == Baseline {
			return r, true
		}
	}
	return Result{}, false
}

// finishIO sets the speedups and, where they are known, the bounds and
// efficiencies. A speedup needs a sequential row Comparable with the model's;
// an efficiency needs a model that did every task, since its bound is the
// time to do them all.
func finishIO(results []Result, w IOWorkload) {
	seq, hasSeq := baseline(results)
	for i := range results {
		r := &results[i]
		if hasSeq && Comparable(seq.Work(), r.Work()) == nil {
			r.Speedup = quotient(seq.Seconds.Median, r.Seconds.Median)
		}
		if w.bounded() {
			bound := IOBound(r.Tasks, r.Workers, w.Latency).Seconds()
			r.BoundSeconds = ptr(bound)
			if Rankable(r.Work()) == nil {
				r.Efficiency = quotient(bound, r.Seconds.Median)
			}
		}
	}
}

// finishCPU sets the speedups, bounds and efficiencies, all of which need a
// sequential row that did every task.
//
// A model that can use k cores (Env.Cores: its workers, at most the cores it
// may run on and its tasks) needs at least W / k for work that takes one
// core W. W itself is not known, only measured: a row of k cores whose
// fastest run took t shows that W is at most k·t. The work is taken as the
// least of these over every row that did all the tasks (the sequential row's
// fastest run among them), so that no row's bound is above its fastest run
// and no efficiency above 1.
// Taking the sequential median alone, as this once did, let a model beat its
// bound by the noise between two measurements: the event loop, one core like
// sequential, showed 1.01, and a run after a busy moment 1.38.
func finishCPU(results []Result) {
	seq, ok := baseline(results)
	if !ok || Rankable(seq.Work()) != nil {
		return
	}
	env := CurrentEnv()
	cores := make([]int, len(results))
	work := math.Inf(1)
	for i, r := range results {
		cores[i] = env.Cores(r.Workers, r.Tasks, r.Processes > 1)
		if Comparable(seq.Work(), r.Work()) == nil {
			work = min(work, float64(cores[i])*fastest(r.Seconds))
		}
	}
	for i := range results {
		r := &results[i]
		bound := CPUBound(work, cores[i], cores[i])
		r.BoundSeconds = ptr(bound)
		if Comparable(seq.Work(), r.Work()) == nil {
			r.Speedup = quotient(seq.Seconds.Median, r.Seconds.Median)
			r.Efficiency = quotient(bound, r.Seconds.Median)
		}
	}
}

// fastest is the fastest run of a summary: its Min, or its median where Min
// was not recorded.
func fastest(s Seconds) float64 {
	if s.Min > 0 {
		return min(s.Min, s.Median)
	}
	return s.Median
}

// quotient returns a/b, or nil where it has no finite value (a run too fast
// for the clock), which JSON could not carry.
func quotient(a, b float64) *float64 {
	q := a / b
	if b <= 0 || math.IsInf(q, 0) || math.IsNaN(q) {
		return nil
	}
	return &q
}
