package bench

import (
	"runtime"

	"conclab/converter"
	"conclab/timeline"
)

// Schema names the JSON document that Report encodes to.
const Schema = "conclab.compare/v1"

// Workload names, as Traits.Concurrency receives them.
const (
	WorkloadIO  = "io"
	WorkloadCPU = "cpu"
)

// Sources of the I/O workload's URLs.
const (
	SourceEmbedded = "embedded"
	SourceURLs     = "urls"
)

// Report is the whole output of one compare run. Parts that were not run are
// nil and left out of the JSON.
type Report struct {
	Schema    string            `json:"schema"`
	Env       Env               `json:"env"`
	IO        *IOSection        `json:"io,omitempty"`
	CPU       *CPUSection       `json:"cpu,omitempty"`
	Converter *ConverterSection `json:"converter,omitempty"`
}

// NewReport returns an empty report for this process's environment.
func NewReport() Report {
	return Report{Schema: Schema, Env: CurrentEnv()}
}

// Env describes where the figures were measured.
type Env struct {
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	// CPUModel is the processor's name, as go test prints it on its cpu:
	// line; empty where the system does not say.
	CPUModel string `json:"cpu_model,omitempty"`
}

// CurrentEnv returns the environment of this process.
func CurrentEnv() Env {
	return Env{
		Go:         runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		CPUModel:   cpuModel(),
	}
}

// Cores is how many cores a model of workers workers can compute its tasks
// on at once here: goroutines share this process's GOMAXPROCS; worker
// processes each have a GOMAXPROCS of their own, so what limits them
// together is the machine's CPUs. Never more than the tasks, nor less than
// one. The CPU bound and the sweep's serial fraction both count with it.
func (e Env) Cores(workers, tasks int, processes bool) int {
	procs := e.GOMAXPROCS
	if processes {
		procs = max(procs, e.CPUs)
	}
	return max(1, min(workers, procs, tasks))
}

// IOSection is the I/O workload's part of the report.
type IOSection struct {
	Source   string `json:"source"` // SourceEmbedded or SourceURLs
	Requests int    `json:"requests"`
	// LatencySeconds is the embedded server's latency per response; nil
	// (null) for real sites, whose latency is unknown.
	LatencySeconds *float64 `json:"latency_seconds"`
	Results        []Result `json:"results"`
}

// Percentiles summarise many durations, in seconds, as hey and oha print
// a load's latencies: the median, the 90th and 99th percentiles (nearest
// rank) and the slowest.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// CPUSection is the CPU workload's part of the report.
type CPUSection struct {
	Numbers  []int    `json:"numbers"`
	Expected []string `json:"expected"` // the closed form of each number, in decimal
	Results  []Result `json:"results"`
}

// ConverterSection is the converter's part of the report: one load run per
// cache variant and cost, each as the converter package reports it; with
// compare convert -procs, the load across processes, one row per way of
// sharing; with -backpressure, the rate service's table.
type ConverterSection struct {
	Results      []converter.LoadResult         `json:"results"`
	Processes    []converter.ProcsResult        `json:"processes,omitempty"`
	Backpressure []converter.BackpressureResult `json:"backpressure,omitempty"`
	// Notes are lines for the text formats, under the processes table.
	Notes []string `json:"-"`
}

// Result is one model's measurement of one workload, as the JSON output
// (Schema) gives it. Pointers are null where a figure is unknown: speedup without a
// sequential row, bound and efficiency against real sites. They are null too
// where the figure would rank a model that may not be ranked (see
// Comparable): speedup when the model or the sequential row failed a task,
// efficiency when the model did, and on the CPU workload the bounds when the
// sequential row did.
type Result struct {
	Model   string   `json:"model"`
	Workers int      `json:"workers"` // concurrency the model ran with
	Runs    int      `json:"runs"`
	Seconds Seconds  `json:"seconds"`
	Speedup *float64 `json:"speedup"` // sequential median / this median; null unless Comparable
	// BoundSeconds is the model's lower bound; Efficiency is
	// BoundSeconds / median.
	BoundSeconds   *float64 `json:"bound_seconds"`
	Efficiency     *float64 `json:"efficiency"`
	Tasks          int      `json:"tasks"`
	Failed         int      `json:"failed"`          // the most failed tasks in one measured run
	Bytes          *int64   `json:"bytes,omitempty"` // io only: body bytes of the last run's successful responses
	Sums           []string `json:"sums,omitempty"`  // cpu only: decimal sums of the last run, in input order ("" for a failed task)
	CPUSeconds     float64  `json:"cpu_seconds"`     // user+sys of this process and its worker children during the measured runs, all of them
	PeakGoroutines int      `json:"peak_goroutines"` // of this process, the harness's own included
	PeakThreads    int      `json:"peak_threads"`    // OS threads of this process
	Processes      int      `json:"processes"`       // 1 + the most worker processes seen at once
	PeakRSSBytes   int64    `json:"peak_rss_bytes"`  // this process's peak plus its workers' where measurable
	// PoolStartupSeconds is set for a pool started once, before the
	// measured runs (compare -keep-pool): how long its start took, a cost
	// its times leave out.
	PoolStartupSeconds *float64 `json:"pool_startup_seconds,omitempty"`
	// CPUSecondsPerRun is CPUSeconds over the measured runs: the figure
	// the tables print, per run as their times are.
	CPUSecondsPerRun float64 `json:"cpu_seconds_per_run"`
	// RequestsPerSecond (io only) is the requests of one run over its
	// median time, as hey and oha report a load's rate.
	RequestsPerSecond *float64 `json:"requests_per_second,omitempty"`
	// RequestSeconds (io only) are the percentiles of the time each request
	// took, from its start to its body's end, over every measured run.
	RequestSeconds *Percentiles `json:"request_seconds,omitempty"`

	// UsesProcesses and OneGoroutine are what the model declared of
	// itself (see Traits): the summary and the sweep read them, never the
	// name.
	UsesProcesses bool `json:"-"`
	OneGoroutine  bool `json:"-"`

	// UserSeconds and SystemSeconds split CPUSeconds, per measured run
	// (hyperfine's user and system columns).
	UserSeconds   float64 `json:"-"`
	SystemSeconds float64 `json:"-"`
	// Startup is the mean start-up time the model reported per run.
	Startup float64 `json:"-"`
	// FirstError is one failed task's error, for a note under the table.
	FirstError string `json:"-"`
	// Spans are the last measured run's task spans, in task order, and
	// TaskNames name them (the URL, "n=5000000"), for a timeline.
	Spans     []timeline.Span `json:"-"`
	TaskNames []string        `json:"-"`
}

// Timeline returns the last measured run as a timeline run labelled label.
func (r Result) Timeline(label string) timeline.Run {
	return timeline.Run{Label: label, Spans: r.Spans, Tasks: r.TaskNames}
}

func ptr[T any](v T) *T { return &v }
