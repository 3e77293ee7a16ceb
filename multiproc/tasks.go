package multiproc

import (
	"conclab/cpubound"
	"conclab/internal/task"
	"conclab/iobound"
)

func fetchTasks(urls []string) []message {
	tasks := make([]message, len(urls))
	for i, u := range urls {
		tasks[i] = message{Type: msgTask, ID: i, Kind: kindFetch, URL: u}
	}
	return tasks
}

func sumTasks(numbers []int) []message {
	tasks := make([]message, len(numbers))
	for i, n := range numbers {
		tasks[i] = message{Type: msgTask, ID: i, Kind: kindSum, N: n}
	}
	return tasks
}

// outcome is what became of one task: the worker's reply, or the parent's
// reason it has none (the worker died, or was never started).
type outcome struct {
	reply message
	err   error
	span  task.Span
}

// local is the error of an outcome given by the parent, nil when the
// worker gave it: a worker's error already names its task, as every
// model's does.
func (o outcome) local() error {
	if _, remote := o.err.(*remoteError); remote {
		return nil
	}
	return o.err
}

// fetch is the Result of the fetch of url whose outcome is o.
func (o outcome) fetch(url string) iobound.Result {
	res := iobound.Result{URL: iobound.Redact(url), Status: o.reply.Status, Bytes: o.reply.Bytes, Err: o.err, Span: o.span}
	if err := o.local(); err != nil {
		res.Err = iobound.Failed(url, err).Err
	}
	return res
}

// sum is the Result of the sum of squares of n whose outcome is o.
func (o outcome) sum(n int) cpubound.Result {
	res := cpubound.Result{N: n, Sum: cpubound.Uint128{Hi: o.reply.SumHi, Lo: o.reply.SumLo}, Err: o.err, Span: o.span}
	if err := o.local(); err != nil {
		res.Err = cpubound.Failed(n, err).Err
	}
	return res
}
