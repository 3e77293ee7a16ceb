// Package eventloop runs both workloads on one goroutine with an event loop,
// the way Python's asyncio does, built from the system calls up: a poller
// (epoll on Linux, kqueue on macOS and the BSDs), a loop of callbacks, an
// HTTP/1.1 client that never blocks, and the CPU job as cooperative tasks.
//
// # How it switches between tasks
//
// Cooperative multitasking: a task runs until it gives control back, and
// only there can another one run. In asyncio those places are the awaits;
// here they are the ends of callbacks. A download is a chain of them:
// connect (the socket is non-blocking, so connect returns EINPROGRESS),
// wait until the socket is writable, write the request, wait until it is
// readable, feed what arrived to the response parser, wait again. Each
// "wait" registers a callback and returns to the loop, which is what an
// await compiles to.
//
// The loop keeps three things, as asyncio's BaseEventLoop does: a ready
// queue of callbacks to run now (CallSoon appends to it), a waiting set of
// descriptors with the callbacks to run when they become readable or
// writable (AddReader, AddWriter), and a heap of timers ordered by deadline
// (CallLater). One iteration, asyncio's _run_once: ask the poller which
// descriptors are ready, waiting not at all if a callback is already ready,
// else until the nearest timer, else as long as it takes; move the ready
// descriptors' callbacks and the due timers to the ready queue; run the
// callbacks that were in the queue when the iteration began. What they
// schedule waits for the next iteration, so a task that keeps rescheduling
// itself still lets I/O and timers in between its steps.
//
// The catch is the word cooperative. Nothing preempts a callback: one that
// computes for a second delays every other task, every timer and every
// response by a second (Starve measures it). The CPU workload shows both
// sides: each sum yields to the loop every 100,000 iterations, so the sums
// interleave and a timer still fires on time, but they finish no sooner than
// one after another, since one goroutine is one CPU.
//
// # When it wins, when it loses
//
// It wins when tasks mostly wait. A waiting download costs a registration,
// a few small structs and a slot in a timer heap: no stack, no thread, no
// goroutine. 10,000 requests in flight take one goroutine and tens of
// megabytes, where one goroutine per request on net/http takes 10,000
// goroutines, their stacks and buffers, and hundreds of megabytes (see
// BenchmarkManyRequests). It loses on CPU-bound work, which it cannot spread
// over cores, and on anything that blocks: one blocking call stops every
// task. That is why asyncio hands getaddrinfo to a thread pool: the C
// resolver has no non-blocking form, and calling it on the loop's thread
// would freeze the loop for as long as DNS takes. This model need not,
// because its URLs are known before the loop starts: Download resolves each
// host once, up front, and the loop only ever sees addresses. (A crawler
// that learns new hosts as it goes would need a resolver that speaks DNS on
// the loop, or a helper thread, as asyncio does.) TLS is the same story:
// crypto/tls performs its handshake with blocking reads and writes on a
// net.Conn, so https URLs fail with ErrTLS here and nowhere else.
//
// "Every request in flight at once" has a limit of its own, outside the
// process: 10,000 connects at once overflow the server's listen backlog
// (4,096 by default on Linux), and the kernel retries a dropped SYN only
// after a second. Capping the connections in flight (MaxConns) then helps:
// on the two-core machine this was written on, 10,000 requests at 20 ms
// took about 1.1 s with no cap and about 0.35 s with MaxConns 2000.
//
// # What Go changes
//
// In Python the event loop is how one thread waits on many sockets at once.
// Go already does that for you: every net.Conn is non-blocking underneath,
// and the runtime parks the goroutine that reads it and wakes it from its
// own netpoller, the same epoll or kqueue this package calls. A goroutine
// per request on net/http is therefore an event loop too, one the runtime
// runs and preempts, with a stack per task where asyncio has a coroutine
// frame. This package removes the runtime's help to show the mechanism: Run
// locks its goroutine to its OS thread, starts no goroutine, and makes every
// system call itself through golang.org/x/sys/unix. The one goroutine that
// may appear is the context package's: Run wakes the poller when its
// context is cancelled with context.AfterFunc, whose function runs on a
// goroutine of its own that writes one byte to the loop's eventfd (a pipe
// with kqueue) and exits. It exists only once the context is done.
//
// # The pieces
//
// poller.go declares the small interface every platform implements
// (poll_epoll.go, poll_kqueue.go, and poll_other.go, which reports
// ErrUnsupported); loop.go is the loop; parse.go is the response parser, a
// pure state machine of the bytes received so far, as net/http keeps body
// framing apart from the connection; conn.go is one connection's state
// machine; client.go is the policy above it: resolution, the cap on
// connections (MaxConns), reuse of idle connections, one retry of a reused
// connection that the server had closed, per-request timeouts from the
// loop's timers, and what to do when the process runs out of descriptors
// (wait for one of its own connections to close, or fail with
// ErrDescriptors when none is open).
package eventloop
