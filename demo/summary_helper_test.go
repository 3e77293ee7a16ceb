package demo_test

import "conclab/bench"

// measurement is one model's figures on one workload, written as a person
// reads them off a table; report turns a run of them into the harness's
// report, which is what the summary reads. Zero means unknown.
type measurement struct {
	Model          string
	Workers        int
	Median         float64 // seconds per run
	Speedup        float64
	CPU            float64 // cores kept busy
	PeakGoroutines int
	PeakRSSBytes   int64
	Tasks, Failed  int
}

type measurements struct {
	IO, CPU          []measurement
	CPUs, GOMAXPROCS int
}

// traits are what the four models declare (bench.Traits), by the names
// the test data gives them.
var traits = map[string]struct{ processes, oneGoroutine bool }{
	"sequential": {false, true},
	"threaded":   {false, false},
	"eventloop":  {false, true},
	"multiproc":  {true, false},
}

func (m measurement) result() bench.Result {
	r := bench.Result{
		Model: m.Model, Workers: m.Workers, Runs: 1, PeakGoroutines: m.PeakGoroutines, PeakRSSBytes: m.PeakRSSBytes,
		Tasks: m.Tasks, Failed: m.Failed, CPUSeconds: m.CPU * m.Median,
		UsesProcesses: traits[m.Model].processes, OneGoroutine: traits[m.Model].oneGoroutine,
	}
	r.Seconds.Median, r.Seconds.Mean = m.Median, m.Median
	if m.Speedup > 0 {
		r.Speedup = &m.Speedup
	}
	return r
}

func (m measurements) report() bench.Report {
	rep := bench.Report{Env: bench.Env{CPUs: m.CPUs, GOMAXPROCS: m.GOMAXPROCS}}
	results := func(ms []measurement) []bench.Result {
		out := make([]bench.Result, len(ms))
		for i, x := range ms {
			out[i] = x.result()
		}
		return out
	}
	if m.IO != nil {
		rep.IO = &bench.IOSection{Results: results(m.IO)}
	}
	if m.CPU != nil {
		rep.CPU = &bench.CPUSection{Results: results(m.CPU)}
	}
	return rep
}
