// Package multiproc runs the two workloads on a pool of worker processes:
// the Go counterpart of the original's multiprocessing.Pool, whose
// initializer gives each process its own requests.Session.
//
// # Processes, not goroutines
//
// A worker is a separate operating-system process with its own address
// space: the running binary started again (os.Executable) with a marker in
// its environment. Go cannot fork a running program (a copy of the runtime
// without its threads is unusable), so every worker starts from main, the
// way Python's "spawn" start method does. That is why the binary must call
// child.RunIfChild (package conclab/internal/child) first thing in main,
// and every test binary that uses a Pool must call it first thing in
// TestMain: in a worker it never returns.
//
// Nothing is shared. Each task goes to a worker as a message over the
// worker's stdin, and its result comes back over the worker's stdout: encoded,
// copied through the kernel, decoded. Each worker builds its own http.Client
// once, before its first task (the original's initializer), so keep-alive
// connections are reused within a worker and never across workers. Its
// settings come in the parent's hello, the roots it verifies https against
// among them (Pool.RootCAsPEM): a certificate pool cannot cross a pipe, its
// PEM can. A worker
// writes its logs to stderr, which the parent passes through, every line
// prefixed with the worker's index and pid.
//
// # How it switches between tasks
//
// It does not: each worker runs one task at a time, start to finish, and the
// operating system runs the workers in parallel on the cores. The parent
// keeps one goroutine per worker that only waits on that worker's pipe; when
// a worker replies, its goroutine hands it the next task from a shared queue,
// so tasks go to whichever worker is free first (Pool.imap with a chunksize
// of 1). At most Procs tasks run at once, so the I/O workload's lower bound
// is ceil(requests / Procs) × latency.
//
// A worker that only got its next task once the parent had read its answer
// would idle for a round trip between tasks: its answer crossing the pipe,
// the parent's goroutine waking, the task crossing back. So while the queue
// holds a task for every worker, each worker is sent its next task along
// with the current one, and finds it waiting when it answers, as
// Pool.map's chunks do without fixing the tasks' order in advance. Near the
// end of the queue a worker gets one task at a time, so that none waits
// behind a busy worker while another is free; a task waiting in the pipe
// of a worker that dies goes to its replacement.
//
// # What it costs
//
// Start-up is real: each call starts its workers (an exec, a Go runtime
// start, every package's init, a handshake) and stops them at the end, as
// the original starts a Pool per run. A worker takes tasks from the moment
// it has answered its handshake, without waiting for the others;
// Report.Startup holds the time until the first one had, and it counts in
// the run's wall time, as it does in Python. Every task then pays a message
// round trip, well under a tenth of a millisecond, which the parent pays
// but, sent ahead, the worker does not.
//
// The parent must also wait quietly. Its goroutines sleep on the pipes
// while both cores compute, and each answer wakes the process; a read or
// write through the os package then tells the runtime it is in a system
// call, which wakes the runtime's monitor thread (sysmon), and that looks
// around every 20 µs until the process is idle again. Each look takes a
// core from a worker for a moment, and the workers' own monitors do the
// same when they wait for a task. So both ends of every pipe are read and
// written with raw system calls through the runtime's poller (child.Quiet),
// which leaves the monitors asleep. On a 2-core VM with the pool kept,
// perf's sched_switch events counted 53 preemptions of a worker per run of
// the 20 sums before, 41 of them by the parent, and 18 after, all by the
// parent (one per answer, near enough); a run went from 24.4-24.9 to
// 23.7-23.8 ms (BenchmarkCPU); compare's threaded row took 23.2-24.3.
//
// A long-lived program creates its Pool once, and so can a Go one:
// [Pool.Start] starts the workers once and returns a [Running] pool whose
// calls run on them, with a zero Report.Startup, until Close. Its calls
// take turns on the workers; a worker that dies or times out is replaced
// as in a Pool's call. compare -keep-pool measures the pool so.
//
// What a worker costs is mostly CPU, not waiting: BenchmarkWorkerLife
// measures it. On a 2-core Linux VM a worker of this package's test binary
// uses about 4 ms of CPU outside its tasks. Built with CGO_ENABLED=0 it
// uses about 3 ms: with cgo (the default where a C compiler is installed)
// the net package links the C library, so every start goes through the
// dynamic loader as well.
//
// Against the original's workload that weighs more in Go than in Python:
// the Go kernel sums the squares of five million in about 3 ms, no longer
// than a worker takes to start. The 20 sums are about 61 ms of CPU; two
// workers add about 8 ms of their own, so even with both cores busy all
// the time the pool cannot finish in less than (61 + 8) / 2 ≈ 35 ms,
// 1.77 times sequential at best, where goroutines, which start in
// microseconds, reach 1.9 to 2.
//
// # When it wins, and what Go changes
//
// In Python, processes are the way to run CPU work on several cores: the
// GIL lets one thread at a time run bytecode, so threads and asyncio cannot
// speed up the sum of squares, and a pool of N processes can, nearly N-fold.
// For I/O, processes work but are heavy: a handful of processes overlap only
// a handful of requests, where threads or an event loop overlap many.
//
// In Go, goroutines already run on every core (GOMAXPROCS defaults to the
// number of CPUs), so the threaded model gets the same CPU speedup as this
// one without the start-up and the copying. What processes buy in Go is
// isolation, not parallelism: a worker that crashes, leaks, or is killed by
// the kernel takes only itself down; its memory is returned when it exits;
// and a task can be stopped by killing its process, which no goroutine can
// do to another.
//
// # Failure
//
// Python's multiprocessing.Pool hangs when a worker dies in the middle of a
// task: the result never arrives and map waits for it forever. Here no wait
// on a worker is without a deadline, and every way a worker can fail ends
// the same way, whichever workload it was running: its task fails with an
// error naming the worker's pid, the worker is reaped, a replacement starts
// in the same lane, and the rest of the run completes.
//
// A worker that dies (it crashed, or something killed it) closes its end of
// the pipe. The parent sees its stdout end, reaps it for its exit status,
// and fails the task with an error wrapping [ErrWorkerDied] that says how
// it ended ("signal: killed").
//
// A worker that stops answering is worse: nothing closes, and only a clock
// can tell it from a slow task. So every task has a deadline, taken from
// [Pool.Timeout] (10 s unless set), past which the parent kills the worker
// with SIGKILL, which even a stopped process cannot ignore, and fails the
// task with an error wrapping [ErrWorkerTimeout] that names the pid and the
// deadline. For a fetch the deadline is the request timeout plus
// [ReplyMargin], a second: the worker bounds its own request by the timeout
// and then reports a slow site as every model does, with an error wrapping
// iobound.ErrTimeout, so the parent's clock must never win that race. For a
// sum the deadline is the Timeout itself: the loop has no clock of its
// own (no goroutine can stop a running loop; a parent can kill the process
// that runs it). The same default as a request's is ample: a default task
// takes about 3 ms of CPU, and even 100 workers sharing 2 cores give each
// one a fiftieth of a core, 150 ms a task. Like the request timeout it is
// wall time, so a much larger pool than cores, or much larger numbers, may
// need a larger Timeout. The handshake has its own bound, 10 s, for a
// binary that never answers hello.
//
// Cancelling the context kills every worker; the call returns the
// context's error, wrapped, with every unfinished task failed. Workers are
// forked one at a time, the context checked before each fork: Go serialises
// forks anyway, and without the check a cancelled run would go on forking
// every worker already queued for the runtime's fork lock. A run cancelled
// while 100 workers start forks at most the one under way, kills those
// already started, and returns in well under a second with every child reaped.
//
// Workers die with their parent. On Linux the kernel sends a worker
// SIGKILL when the thread that forked it exits (Pdeathsig belongs to the
// forking thread, not to the process: a worker forked from a thread the
// runtime later retires would be killed with it). internal/child forks
// every child from one keeper thread, locked and kept alive while any
// child lives, so that in effect the signal comes when the parent process
// goes. Everywhere, a worker also exits when its stdin reaches end of
// file. Workers ignore Ctrl-C, which a terminal sends
// to the whole process group: stopping is the parent's decision, made once
// by cancelling, not by each worker dying under its task.
//
// Settings are checked before any worker starts: a negative Procs, Timeout
// or BodyCap is an error (wrapping [ErrNegativeSetting]) that costs no
// start-up; zero means the default. A Pool holds only settings, and is
// safe to use from several goroutines. Its RootCAsPEM are PEM rather than a
// certificate pool because they cross the pipe, in every worker's hello;
// PEM without a certificate is an error.
//
// model.go is the model, laid out as every model package's is: Download
// and SumSquares hand their tasks to run, which spreads them on the
// workers; lanes.go is how a lane feeds its worker, proc.go one worker
// process, running.go the kept pool, traits.go what it declares to the
// harness.
//
// # The protocol
//
// The parent sends a hello with the protocol version and the worker's
// settings; the worker answers ready with its pid, or an error and exits if
// the versions differ. Then tasks and results alternate until the parent
// closes stdin. Each pipe has one long-lived encoder and one long-lived
// decoder: JSON, one message per line. JSON rather than gob because the
// messages are few (one per task) and small, so the encoding's cost is
// lost in the pipe's round trip; because each message stands alone, so the
// decoder can be fuzzed on arbitrary bytes (a gob stream's meaning depends
// on type descriptors sent earlier in it); and because a person can read
// the conversation, or hold it, by starting a worker by hand. Sums cross as
// two exact uint64 words. An error crosses as its message and a kind naming
// the sentinel it wrapped, so errors.Is works in the parent as it would have
// in the worker.
package multiproc
