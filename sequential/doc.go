// Package sequential is the baseline: both workloads on one goroutine, one
// task after another, as the original's first version runs them.
//
// There is no switching between tasks at all. Download sends a request,
// waits for the whole response, and only then sends the next; SumSquares
// finishes one sum before it starts the next. The loop in run is the whole
// model, and every other model package replaces exactly that loop (a pool of
// goroutines in threaded, a reactor in eventloop, worker processes in
// multiproc), so a diff against this package shows what each one changes.
//
// One http.Client is used for the whole run, with its connections kept alive
// between requests, like the original's requests.Session: the second request
// to a site reuses the first one's TCP connection instead of opening a new
// one. The client is the run's own and its idle connections are closed when
// the run ends, so nothing outlives Download.
//
// It loses wherever there is waiting to overlap. Against the embedded server
// each request costs at least the server's latency, so 160 requests at 20 ms
// cannot take less than 3.2 s, and the machine sits idle for nearly all of
// it. On the CPU workload it uses one core however many there are. It wins
// on simplicity: nothing is shared, nothing can race, the results come in
// order, and a trace reads top to bottom. When the work is short, or the
// bottleneck is elsewhere, that is often the right answer.
//
// In Go, as in Python, this code runs one task at a time; the difference is
// only that Go's runtime still uses other threads behind your back (for the
// garbage collector, its system monitor and blocking system calls), which is
// why a "sequential" Go program may show more than one thread, and a little
// more than one core's worth of CPU time.
//
// The zero Model is ready to use; Timeout and BodyCap default to iobound's,
// and a negative one is an error wrapping iobound.ErrNegativeSetting.
// A failed URL or an invalid number is a result with its error, never an
// abort; a cancelled context stops the run between tasks (and inside the
// request in flight), the tasks not started fail with the context's error,
// and the method returns it wrapped, as every model does: "sequential: run
// cancelled: context canceled".
package sequential
