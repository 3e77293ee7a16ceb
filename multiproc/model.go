package multiproc

import (
	"context"
	"io"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// Pool runs both workloads on worker processes, copies of the running binary.
// The zero value is ready to use, with iobound's defaults.
type Pool struct {
	// Procs is the number of worker processes; zero means DefaultProcs.
	Procs int
	// Timeout bounds each request, body and redirects included;
	// each sum too (past it, the worker is killed and replaced);
	// zero means iobound.DefaultTimeout.
	Timeout time.Duration
	// BodyCap bounds each response body; zero means iobound.DefaultBodyCap.
	BodyCap int64
	// RootCAsPEM are the PEM roots https URLs are verified against; nil means
	// the system's (iobound.Server has the embedded server's).
	RootCAsPEM []byte
	LogWriter  io.Writer // the workers' stderr; nil means os.Stderr
}

// settings checks the model's settings, a negative one being an error, and
// fills in their defaults.
func (m Pool) settings() (spec, error) {
	return m.workerSpec(iobound.Settle(m.Name(), m.Timeout, m.BodyCap, iobound.Count("Procs", m.Procs)))
}

// Name is the model's row label.
func (Pool) Name() string { return "multiproc" }

// Download GETs every URL, each in whichever worker is free next. A
// failed URL is a Result with its error. When ctx is done, the URLs not yet
// finished fail with ctx's error and Download returns it.
func (m Pool) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	s, err := m.settings()
	if err != nil {
		return iobound.Report{}, err
	}
	results := make([]iobound.Result, len(urls))
	startup, err := m.run(ctx, s, fetchTasks(urls), func(i int, o outcome) {
		results[i] = o.fetch(urls[i])
	})
	report, _ := iobound.Finish(ctx, m.Name(), urls, results) // err says if cancelled
	report.Startup = startup
	return report, err
}

// SumSquares computes the sum of squares of every number, each in a worker.
// An invalid number fails its own task only.
func (m Pool) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	s, err := m.settings()
	if err != nil {
		return cpubound.Report{}, err
	}
	results := make([]cpubound.Result, len(numbers))
	startup, err := m.run(ctx, s, sumTasks(numbers), func(i int, o outcome) {
		results[i] = o.sum(numbers[i])
	})
	report, _ := cpubound.Finish(ctx, m.Name(), numbers, results) // err says if cancelled
	report.Startup = startup
	return report, err
}

// run spreads the tasks on min(Procs, tasks) workers started for the run.
func (m Pool) run(ctx context.Context, s spec, tasks []message, done func(task int, o outcome)) (time.Duration, error) {
	r := newRunner(ctx, s, tasks).spread(newLanes(min(s.procs, len(tasks))), nil)
	return r.finish(ctx, m.Name(), done)
}
