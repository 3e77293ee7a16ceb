// Package demo holds conclab's demonstrations: two data races made visible,
// shared state without locks on an event loop, goroutine leaks, deadlocks,
// preemption, and a summary that turns a full comparison into advice.
//
// Every demonstration returns a report whose Write method explains it for a
// terminal; cmd/compare's demo subcommand prints them. What could crash or
// hang the caller (a data race, a deadlock, GOMAXPROCS set from outside)
// runs in a child process: the current binary re-executed, which must call
// child.RunIfChild (package conclab/internal/child) first thing in main (or
// in TestMain).
//
// # Data races
//
// A data race is two goroutines touching the same memory at the same time,
// at least one of them writing, with nothing ordering the two. The Go
// memory model promises nothing about such a program: a read may see a
// stale value, a half-written one, or one the compiler moved. Two
// demonstrations show what that means in practice.
//
// [MapWrites] writes one map from several goroutines without a lock. A map
// is a structure of buckets and counters that a write changes in several
// steps; two writers interleaving those steps would corrupt it. The runtime
// flags a map while a write is in progress, and a second writer that sees
// the flag stops the whole program with "fatal error: concurrent map
// writes". That is not a panic: recover cannot catch it. So the demonstration
// runs in a child process (the current binary re-executed; a binary that
// uses it calls child.RunIfChild first), and the caller shows the child's
// message and exit status. The check is best-effort: it needs two
// writers inside a write at the same instant, which two cores make likely
// and GOMAXPROCS=1 makes rare, so the demonstration tries a few children.
//
// [Counters] increments one shared integer from N goroutines, M times each,
// three ways. Without synchronisation, n++ is a read, an add and a write:
// a goroutine that read 41 and is paused writes 42 over whatever the others
// counted meanwhile, and their increments are lost. (The demonstration
// yields between the read and the write now and then, so the loss shows on
// one core too; without the yield it shows on many.) With a [sync.Mutex],
// one goroutine at a time runs the read and the write, so nothing is lost;
// the cost is that the others wait, and a waiting goroutine may be parked
// and woken by the scheduler. With [sync/atomic], the processor does the
// read-add-write as one indivisible instruction: nothing is lost, nobody
// waits, and it is usually the fastest of the correct ones, but it covers
// one word; a mutex protects any amount of state and any invariant across
// it. The unsynchronised variant runs in a child process too, so that its
// race stays out of the caller.
//
// # The race detector
//
// Lost updates are a symptom that may or may not appear in a given run. The
// race detector (go build -race, go test -race) finds the cause: it watches
// every memory access and reports two that are not ordered by a
// happens-before edge (a lock, a channel operation, an atomic, a WaitGroup),
// whether or not this run lost anything, naming both stacks. It finds only
// races that execute, slows the program several times, and is meant for
// tests and staging, not production. A child of a race-built binary is
// race-built too: the demonstration runs it with GORACE="halt_on_error=0
// exitcode=0", reads the detector's report from its standard error and
// tells you, while the caller, which only reads a pipe, stays clean.
//
// # Shared state without locks: the event loop
//
// asyncio code rarely takes a lock, and [NoLocks] shows why. Tasks on an
// [conclab/eventloop.Loop] share a counter and a map with no lock; each
// task is a chain of callbacks, one per update, handing the loop back
// between two updates as a coroutine does at an await (with CallSoon, now
// and then on a timer, so the tasks interleave in no simple order). The
// count comes out exact, and the race detector, watching the loop in this
// process, has nothing to report: one goroutine runs every callback, one
// at a time, each to its end, so between two awaits a task has the state
// to itself. The rule has an edge, and the demonstration shows it too: put
// an await between the read and the write and the other tasks run there;
// the write puts back a stale count and updates are lost, on one goroutine,
// with no data race at all. That is what asyncio.Lock is for.
//
// The same update on goroutines (in a child, as the racing counter above)
// loses updates, even on one processor (GOMAXPROCS=1, the default here, so
// that cooperative and preemptive switching are compared on equal terms):
// the scheduler may switch goroutines between any two instructions. The
// demonstration makes the switch land between the read and the write with
// a runtime.Gosched every 1000th update, so the loss shows on every run,
// and its output says so. With more processors, two goroutines may also
// write the map at the same instant, and the runtime stops the child with
// "concurrent map writes".
//
// # Goroutine leaks and cancellation
//
// [Leak] runs the downloader as a pipeline on the embedded server: a
// generator, fetch goroutines (fan-out) feeding one channel (fan-in), parse
// goroutines, and a consumer that sums; one URL fails. Written with
// unbuffered channels alone, the consumer returns at the first error and
// nobody upstream is told: every stage goroutine blocks on a send that no
// one will receive, for good. A blocked goroutine is never collected; a
// server doing this per request grows until it falls over. The
// demonstration counts them as a goroutine profile would (runtime.Stack,
// filtered to the pipeline's functions, grouped by where they wait), then
// ends them through a channel only it knows about, so the caller stays
// clean. The same pipeline with a context and errgroup.WithContext leaks
// none: the failing fetch returns its error to the group, the group
// cancels the context, every request and every send selects on it, and
// Wait returns only once every goroutine has. SetLimit bounds the fetches
// in flight, doing a worker pool's job with one goroutine per URL.
//
// # Deadlock
//
// [Deadlock] runs three children that never finish. In the first, two
// goroutines take two mutexes in opposite orders, with a handshake that
// makes the inversion happen on every run. A watchdog in the parent notices
// that the child makes no progress, sends it SIGQUIT, and the Go runtime
// prints every goroutine's stack: the demonstration shows the two that wait
// in Lock, trimmed to the demonstration's frames. That is how a deadlock is
// found in a real server, which the runtime will not flag: it reports "all
// goroutines are asleep - deadlock!" only when no goroutine can run and
// nothing could ever wake one (no thread running Go code, in a system call
// or in the network poller, and no timer pending; see checkdead in
// runtime/proc.go). The second child is that case, the main goroutine
// waiting on a channel nobody sends on and nothing else alive; the third is
// the same wait with one timer pending, and hangs. One more condition
// matters: the detector is off in any binary that links cgo, because C code
// could call back into Go (golang/go#25538). With CGO_ENABLED=1, package
// net links the C resolver, so this module's binaries get the message only
// when built with CGO_ENABLED=0; the report says which it was.
//
// # Preemption
//
// The event loop's starvation demonstration (eventloop.Starve) shows a
// task that never yields holding up a timer for its whole run. [Preempt]
// runs the same sum of squares on a goroutine, beside a timer, in children
// with GOMAXPROCS 1 and 2. With one P the timer is late by about 10 to
// 20 ms, not by the whole task: sysmon, a runtime thread that needs no P,
// preempts a goroutine that has held its P for 10 ms (forcePreemptNS in
// runtime/proc.go), and since Go 1.14 it does so asynchronously, by a
// signal, so even a loop without function calls stops. sysmon sleeps
// between checks, 20 µs at first and up to 10 ms while it finds nothing to
// do, which is where the rest of the lateness comes from. With two Ps the
// timer runs at once on the idle one. A third child runs with
// GODEBUG=asyncpreemptoff=1, as Go did before 1.14: the loop is never
// preempted and the timer waits for the whole task, as on the event loop.
// The figures are shown, never asserted: they vary with the machine.
//
// # The decision summary
//
// [Summary] reads a full run's measurements (each model's median, speedup
// and CPU use on each workload) and says which model won and why, in the
// spirit of the Python rule "async for I/O when you can, threads when you
// must, processes for CPU". Every claim is derived from the figures, so it
// changes with the machine: with GOMAXPROCS=1 the pool of goroutines
// behaves like Python's threads under the GIL and the summary says so; with
// more cores it shows what Go changes, goroutines computing in parallel,
// which leaves processes for isolation rather than speed, and the event loop
// for memory when connections number in the thousands.
package demo
