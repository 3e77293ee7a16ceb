// Package threaded runs both workloads on a fixed pool of worker goroutines,
// the Go counterpart of the original's ThreadPoolExecutor of 5 threads.
//
// Read it beside package sequential: the two files differ only where this
// one becomes concurrent. The loop that ran each task in turn is replaced by
// Pool.run, which starts Workers goroutines, hands them task indexes through
// a channel, and waits for them all. Each worker writes its result into the
// slot of its task's index, so the results need no lock and come back in
// input order, however the work was interleaved.
//
// Switching between tasks is preemptive, as with threads. No line of this
// package says "now let another task run": when a worker blocks on the
// network, Go's scheduler parks its goroutine and runs another, and since Go
// 1.14 it also preempts a goroutine that computes for too long (about 10 ms)
// without blocking. That is the price and the comfort of threads: the code
// reads sequentially, but any two lines of different workers can interleave,
// so shared state needs care (here, there is none besides the client, which
// is safe for concurrent use).
//
// The workers share one http.Client, and its transport matters. net/http
// keeps at most 2 idle connections per host by default (DefaultMaxIdleConnsPerHost).
// With 5 workers, whenever more than 2 of their connections are idle at once
// (responses that arrive together, the end of a burst of work) the rest are
// closed, and the next requests pay for new TCP connections: more accepts on
// the server, more sockets in TIME_WAIT, and over TLS a new handshake each.
// The pool's transport keeps one idle connection per worker instead, which
// is what the original gets from giving each thread its own Session.
// TestConnectionsAccepted counts the connections the server accepted both ways.
//
// On the I/O workload the pool wins by overlapping waits: with W workers and
// a fixed latency L per response, N requests take about ceil(N/W) × L, so 5
// workers cut 160 requests at 20 ms from 3.2 s to 0.64 s. More workers help
// until something else is the limit (the server, the sockets, the CPU spent
// per request), which is why the best pool size is not obvious and the
// benchmarks try 1, 2, 5, 10 and 50.
//
// On the CPU workload this is where Go and Python part ways. Python threads
// share one interpreter lock (the GIL), so a thread pool runs Python code one
// thread at a time and the CPU job is no faster than sequential, usually a
// little slower. Goroutines have no such lock: the runtime runs up to
// GOMAXPROCS of them at once on as many OS threads, so on 2 cores the pool
// computes two sums at a time and comes close to twice as fast. Run the
// benchmarks with GOMAXPROCS=1 to see what Python would see: the workers
// still take turns (the scheduler preempts them) but only one computes at any
// moment, and the speedup disappears.
//
// A zero Workers means DefaultWorkers, the original's 5, as a zero Timeout or
// BodyCap means iobound's default; a negative setting is an error wrapping
// iobound.ErrNegativeSetting, before any work starts. A failed URL or an invalid
// number is a result with its error; a cancelled context stops handing out
// tasks, ends the requests in flight, fails the tasks not started with the
// context's error, and returns only once every worker has.
package threaded
