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
// "wait" registers a callback and returns to the loop. An await does the
// same for an asyncio coroutine: the coroutine is suspended, the loop
// runs other callbacks, and a callback resumes it when what it waits for
// is ready. Here those callbacks are written out by hand, and the state a
// coroutine would keep between awaits lives in the connection's fields.
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
// goroutine. 10,000 http requests in flight take one goroutine and tens of
// megabytes, where one goroutine per request on net/http takes 10,000
// goroutines, their stacks and buffers, and hundreds of megabytes (see
// BenchmarkManyRequests). It loses on CPU-bound work, which it cannot spread
// over cores, and on anything that blocks: one blocking call stops every
// task.
//
// That is why asyncio hands getaddrinfo to its executor, a pool of
// min(32, CPUs + 4) threads: the system's resolver has no non-blocking
// form, and calling it on the loop's thread would freeze the loop for as
// long as DNS takes. Loop.Go is that executor here: a host name is looked
// up on a goroutine of a pool of the same size, the loop goes on with the
// other requests meanwhile, and the answer comes back through
// CallSoonThreadsafe, which queues a callback and wakes the poller with a
// byte on its eventfd (a pipe with kqueue), the only way another goroutine
// may hand the loop work. Each name is looked up once per run, when the
// first URL or redirect that needs it comes, and every request to it waits
// for that one answer.
//
// # TLS on the loop: Go's await
//
// TLS is the same story with a better way out. crypto/tls performs its
// handshake, and every read and write after it, with blocking calls on a
// net.Conn. aiohttp runs TLS on asyncio's thread by feeding ssl.MemoryBIO
// by hand; here each https connection runs the standard library's
// tls.Client inside a coroutine (iter.Pull, tls.go). The coroutine does a
// round trip in plain blocking style: handshake, write the request, read
// until the parser holds the whole response. Its net.Conn is the
// connection's non-blocking socket: a Read or Write that meets EAGAIN
// yields to the loop what it waits for (readable, writable) instead of
// blocking, the loop arms that readiness, and when the poller reports it
// the loop resumes the coroutine right where it yielded. That yield is
// await: the code reads as if it blocked, and control passes back to the
// loop explicitly, only there. At any moment exactly one of the loop and
// its coroutines runs; nothing runs beside them, so no lock is needed and
// the connection's parser and the client's one read buffer are shared as
// on a plain connection. The handshake has no deadline of its own: the
// request's timeout closes the connection, which stops the coroutine
// wherever it waits (its socket then returns an error, crypto/tls gives
// up, the coroutine returns). An idle TLS connection is kept for its host
// and reused, as a plain one; a reused one does not shake hands again.
//
// Where it differs from Python's await: an iter.Pull coroutine is a
// goroutine in the runtime's accounting, with a stack of its own (it
// starts at a few KiB and grows as the handshake's cryptography needs,
// where a Python coroutine is a frame on the heap), and
// runtime.NumGoroutine counts it. The
// runtime switches to it directly, without its scheduler, on the same OS
// thread, and it never runs in parallel with the loop. So an https run of
// the event loop reports one goroutine per TLS connection open beside the
// loop's own, up to MaxConns; Report.Coroutines says how many of the
// goroutines were these coroutines. A coroutine made on the loop's locked
// thread must end on it, which is why Run ends them (Loop's exit hooks)
// before it unlocks.
//
// # How many at once
//
// Download keeps at most MaxConns requests in flight, and connections open,
// at once: DefaultMaxConns, 100, unless told otherwise, as aiohttp's
// connector allows 100 connections by default, and the original asyncio
// program downloads through one. The default run, 160 requests, goes in
// two rounds: its bound is two latencies, 40 ms at 20 ms. A cap matters
// outside the process: servers have limits of their own (nginx's 512
// worker_connections, the listen backlog of five of Python's http.server),
// and 10,000 connects at once overflow even Linux's default backlog of
// 4,096, after which the kernel retries a dropped SYN only a second later.
// For no cap, pass math.MaxInt (compare's -conns 0).
//
// # The same HTTP as net/http
//
// A benchmark whose fastest model did less work would teach the wrong
// lesson, so the client does what the models built on net/http do with the
// same URL, and counts the same bytes:
//
//   - Every request is a GET with Host, User-Agent and Accept-Encoding:
//     gzip, as net/http's Transport asks for gzip; credentials in the URL
//     (http://user:pass@host/) add Basic auth. Connections are kept alive
//     and reused.
//   - Redirects (301, 302, 303, 307 and 308 with a Location) are followed
//     as net/http's client follows them: the Location resolved against the
//     URL that answered, a Referer without credentials, up to ten requests
//     in all, then ErrTooManyRedirects ("stopped after 10 redirects"), which
//     is also how a loop ends. A 3xx without a Location is the response. A
//     GET without a body is resent as a GET without a body whatever the
//     status, which is what net/http's rules per status come to for it.
//     Authorization comes from each hop's own URL: a relative Location
//     keeps the credentials, an absolute one drops them unless it names
//     them, to another host or to the same one. A redirect's body is read
//     up to 2 KiB, so that a short one leaves the connection reusable. The
//     timeout covers the whole chain, as Client.Timeout does, and the
//     status and byte count are the final response's.
//   - A body with Content-Encoding: gzip is decoded and counted decoded,
//     and the cap applies to the decoded bytes. A corrupt or truncated body
//     fails its URL with an error that says gzip. compress/gzip reads from
//     an io.Reader and cannot be handed bytes as they arrive, so the
//     compressed bytes are kept until the body is complete, then decoded on
//     the loop in one go.
//   - Status lines and headers may take 10 MiB (DefaultMaxHeaderBytes, net/http's
//     MaxResponseHeaderBytes); more fails with ErrHeaderTooLarge.
//   - The parser accepts the responses http.ReadResponse accepts, refuses
//     the others, and frames the body as it does; FuzzParserAgainstNetHTTP
//     holds it to that.
//   - A connection the server closes before any byte of the response is
//     retried once on a new connection.
//   - Every URL in a Result or an error has its password redacted
//     (iobound.Redact).
//
// Where it still differs, on purpose or for now:
//
//   - https: the same checks as net/http (the run's roots, or the system's;
//     the host name), HTTP/1.1 only, as the models built on net/http are
//     set up (iobound.NewClient), and no session cache, as net/http has
//     none by default. A handshake that fails (a certificate no root signed
//     or for another host, plain HTTP on the port) fails its URL with
//     ErrTLS; plain HTTP on the port says what net/http says.
//   - net/http retries only a reused connection that the server closed
//     before answering; this client retries a fresh one too, once, since a
//     server at its limit of connections (nginx's worker_connections) does
//     just that to a new one.
//   - A chunked body's trailer section that ends in a bare LF: net/http
//     takes it only if a CRLF CRLF follows within its 4 KiB buffer, bytes
//     that belong to whatever comes after the response; the parser, which
//     reads nothing past the response, refuses it. The fuzz target leaves
//     this one case out, and TestParserTrailerLookahead shows it.
//   - The compressed bytes kept for decoding are bounded too: the cap, a
//     sixteenth more and 64 KiB, far more than gzip adds to any body not
//     padded on purpose.
//   - A host name is looked up once per run and its first IPv4 address
//     used (the first address when it has none); net/http looks up at each
//     dial and races IPv4 against IPv6. No proxy: net/http's default
//     Transport reads HTTP_PROXY, which never applies to 127.0.0.1.
//   - The head's 10 MiB are counted exactly; net/http counts what its
//     reader has buffered, up to 4 KiB beyond.
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
// system call itself through golang.org/x/sys/unix. Two kinds of goroutine
// may appear beside it, besides the TLS coroutines that take turns with it
// (above). The executor's, while a host name is looked up
// (none when the URLs name addresses, as the default run's do). And the
// context package's: Run wakes the poller when its context is cancelled
// with context.AfterFunc, whose function runs on a goroutine of its own
// that writes one byte to the loop's eventfd and exits. It exists only
// once the context is done.
//
// # The pieces
//
// model.go is the model, laid out as every model package's is: Download and
// SumSquares hand their tasks to run, which starts them on one loop;
// download.go and cpu.go are the two workloads' tasks. poller.go declares the small interface every platform implements
// (poll_epoll.go, poll_kqueue.go, and poll_other.go, which reports
// ErrUnsupported); loop.go is the loop and its executor; parse.go is the
// response parser, a pure state machine of the bytes received so far, as
// net/http keeps body framing apart from the connection; conn.go is one
// connection's state machine; client.go is the policy above it: the cap on
// connections (MaxConns), reuse of idle connections, one retry of a
// connection that the server closed before answering, per-request timeouts
// from the loop's timers, and what to do when the process runs out of
// descriptors (wait for one of its own connections to close, or fail with
// ErrDescriptors when none is open); redirect.go is what each hop sends and
// where a redirect goes; tls.go runs a connection's TLS in a coroutine;
// lookup.go looks host names up off the loop; gzip.go decodes.
package eventloop
