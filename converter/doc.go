// Package converter converts one company's loyalty points into another's
// under exact rules, and shows, with seven caches behind one interface and
// an eighth in Redis, what it takes to share a cache among goroutines and
// among processes, how to keep callers within what a service can take, and
// when a cache pays at all.
//
// # The rules
//
// A rate is a ratio of integers (10 A points give 7 B points), never a
// float: 0.7 has no exact binary form, and a member must get exactly what the
// rules say. The product amount×B is taken in 128 bits with math/bits, so it
// cannot wrap, and the quotient is rounded down, so nobody is credited more
// than earned; a result that does not fit in int64 is ErrOverflow, never a
// wrapped number. An amount must be at least a minimum, at most a maximum and
// a multiple of a step; each failure is its own sentinel error (ErrNegative,
// ErrZero, ErrBelowMinimum, ErrNotStep, ErrAboveMaximum) for errors.Is, and
// the message names the amount and the limit. Tiered rates apply to the whole
// amount (see Rules). ParsePoints reads what people type ("1,500"); LoadRules
// reads rules from strict JSON and refuses rules that make no sense.
//
// # Sharing a cache
//
// The original program keeps results in a dict guarded by one Lock, held
// while the result is computed. In Go that is the "locked" cache: correct,
// and it makes the cache a single-lane road. While one goroutine computes,
// every other goroutine waits, even those whose answer is already in the
// map. Python's GIL hides part of this (only one thread runs Python code
// anyway); Go runs goroutines on every core, so a lock that serialises them
// throws away real parallelism, and the race detector (go test -race) finds
// the bugs of a map shared without one.
//
// The other variants take the lock apart, each trading something:
//
//   - rwlocked lets hits share a read lock and computes with no lock held,
//     checking again before it stores. Hits stop waiting for computations,
//     but two goroutines missing the same amount together both compute it:
//     Stats.Duplicates counts that wasted work.
//   - sharded keeps the locked design but cuts the map into N pieces, each
//     with its own mutex; different amounts rarely wait for each other, yet
//     one hot amount still stalls its shard.
//   - syncmap uses sync.Map, made for keys written once and read often: hits
//     take no lock at all. Misses duplicate work like rwlocked's.
//   - lru bounds the cache (hashicorp/golang-lru). Every other variant grows
//     by one entry per distinct amount ever asked, for ever: with amounts
//     coming from users, that is a memory leak with a friendly name. The
//     price is a lock on every call, hits included, since a hit moves its
//     entry to the front of the recency list, and evictions: a bounded cache
//     smaller than the working set misses more.
//   - singleflight puts golang.org/x/sync/singleflight in front of the lru:
//     concurrent misses on one amount wait for the computation already in
//     flight instead of starting their own, so a burst of requests for a hot
//     amount that is not cached yet (a "stampede") costs one computation.
//   - redis (NewRedis) keeps the results in a Redis server, so that
//     processes, and machines, share them, with a lock key per amount for
//     what singleflight does within one process (see Across processes).
//
// Errors are never cached: an invalid amount is refused before the cache is
// consulted (cheaper than a lookup, and it keeps typed garbage out of a
// bounded cache), and a failed computation is forgotten, since a cancelled
// context is not the answer for the next caller.
//
// # When a cache does not pay
//
// The conversion itself is a multiplication and a division: tens of
// nanoseconds. An uncontended mutex costs about as much, a contended one
// far more, and every hit also pays for a map lookup. So for the bare rules
// a cache buys nothing, and compare convert shows it: with the cheap cost
// no cache is faster than none beyond the spread, and none is the fastest
// or tied with it (the summary under the table names the variants whose
// ranges overlap the fastest's). With the expensive cost the order turns
// round: none is slower than the fastest beyond the spread, by several
// times (the summary prints the factor). Among the caches themselves the
// order changes from one invocation to the next on a busy machine, at
// times even where the summary saw a difference beyond the spread: five
// runs of a millisecond are few, so take a difference between two caches
// as real when it holds over several invocations, or with -runs 20. Even
// counting is shared state: a counter that every goroutine bumps moves its cache line between
// cores on every call, which is why none keeps only one (see False
// sharing). A cache starts to pay when a computation costs much more than
// a lookup (a rule that asks a slow rate service: Options.Cost simulates
// one) and when amounts repeat (a Zipf distribution, as real users
// produce, rather than a uniform one). Measure both before adding a cache;
// then choose the lock layout by what the load does: mostly hits favours
// syncmap or sharded, unbounded keys need the lru, hot keys with expensive
// misses need singleflight.
//
// # Across processes: an owner, or Redis
//
// A sync.Mutex guards memory, and memory belongs to one process. Run the
// converter in N worker processes, each with its own cache and its own
// lock, and every amount is computed up to N times, once per process's
// map: the lock is correct and protects nothing the processes share. The
// fix is a cache they all reach. On one machine that can be one process
// that owns the cache while the others ask it over their pipes (Owner,
// OwnerClient): the owner answers with the singleflight cache, so two
// processes missing one amount at the same moment share one computation,
// and every amount is computed exactly once. Every call, hits included,
// is then a message and its answer (microseconds on a pipe where a map
// lookup takes tens of nanoseconds), and the owner is one process every
// call waits for: the price of sharing. Across machines the owner is a
// cache server: Redis, here.
//
// RunProcs shows all three side by side: the same load in N worker
// processes (this program started again through internal/child), with a
// cache per process, with this process as the owner, or with Redis. Each
// worker talks to the owner over two pipes of its own (its file
// descriptors 3 and 4) rather than its standard input and output, which
// carry its start-up handshake and its report: two conversations, one a
// stream of concurrent lookups and the other one line each way, would
// otherwise need a framing to tell them apart. ProcsResult counts the
// computations of every process and the distinct amounts among them;
// their difference, Repeated, is the work a shared cache saves. A worker
// whose shared cache fails stops asking it: its later calls fail at once
// with the first error (a circuit breaker that never closes), so a dead
// server costs failed calls, counted, and not a timeout per call.
//
// NewRedis makes a Cache on a Redis server, and computes each amount once
// among all its clients with a lock key per amount. A caller that misses
// runs SET lock token NX PX expiry: the one that sets it holds the lock,
// computes, stores the result and deletes the lock; the others poll for
// the result with a growing pause (250 µs, doubling to 25 ms), until
// their call's deadline. Two steps are Lua scripts, which Redis runs
// whole, with nothing in between:
//
//   - looking up and taking the lock, so that a caller that misses cannot
//     take a fresh lock just after the holder stored the result and left,
//     and compute it again;
//   - storing and deleting the lock, deleting it only if it still holds
//     this caller's token, so that a holder that lost its lock (below)
//     cannot delete the lock of the caller that took over.
//
// WATCH and MULTI could do the second step too, but optimistically: the
// GET under WATCH, then MULTI, DEL, EXEC on a connection of its own, and a
// retry when another client touched the key, for three round trips where
// the script takes one. The script is the pattern Redis documents for a
// lock on one instance.
//
// Sharing has a price: every call, hits included, is a round trip to the
// server, tens or hundreds of microseconds where a map lookup takes tens
// of nanoseconds. So the shared cache pays only for computations that
// cost more than a round trip (a remote rate service, not the
// arithmetic), and there it pays twice: each amount is asked of the
// service once, however many processes want it.
//
// What this lock does not guarantee: it is a lease, not a lock. A holder
// that stalls past the expiry (a long pause, a stopped process, a slow
// rate service) loses it without knowing; another caller takes it and
// computes the same amount again, and the result stored second is dropped
// (Stats.Duplicates counts it). The answer is still right, because a
// conversion is a pure function of the amount and the rules, which are
// part of every key. A computation with effects (crediting a member)
// would need more than this: a fencing token checked where the effect
// happens, or an effect that is safe to repeat. Nor does the lock survive
// a failover to a replica that had not yet received it.
//
// Every call has a deadline (RedisOptions.Timeout, 5 s by default), which
// bounds each command and the wait for another's computation. A Redis that
// is down refuses at once; one that hangs runs into the deadline. Either
// way the conversion fails with ErrSharedCache, naming the server (its
// password masked) and the step that failed, and nothing hangs. It never
// computes around the cache: an outage hidden that way would look like a
// poor hit ratio, and be found last. A stored value it cannot read is an
// error too, never a result. Results expire (an hour by default), so runs
// leave nothing behind on a shared server; RunLoad gives each run its own
// namespace, so that each starts cold.
//
// # Semaphores and backpressure
//
// A lock lets one goroutine in; a semaphore lets K in. The original's
// advice, "use locks or semaphores", meets its second half when the
// computation asks a remote service that can only do so much at once.
// RateService is that service: at most Capacity calls at once, each taking
// Latency. Beyond its capacity it refuses a call at once with
// ErrOverloaded instead of slowing down. Both are what real services do,
// but refusing is the honest choice here: a service that slows down is
// queueing the excess inside itself, invisibly, until its memory or its
// callers' patience runs out, and the lesson would hide in the latency; a
// refusal (HTTP 503 or 429) is counted, and makes the overload visible
// to the caller, who must decide what to do with it.
//
// Options.ServiceLimit puts golang.org/x/sync/semaphore in front of the
// service: a computation takes one of K places before it calls, and waits
// for one, with its own context, when all are taken. The wait has the
// caller's deadline: a bound on callers that could block for ever would
// only move the overload from the service to the callers.
//
// RunBackpressure measures both ways under a load of G goroutines, more
// than K, each conversion tried again a moment after a refusal, as a
// client of a real service would. The shape of the table, whatever the
// machine (K from 1 to 8, G = 16, 1 ms a call):
//
//   - Goodput (served per second) is about K per millisecond with and
//     without the semaphore: the service is the bottleneck, and pushing
//     harder cannot make it serve more.
//   - Without the semaphore the service refuses several requests for
//     every one it serves: the G-K callers left out each come back once
//     a call's length, so about (G-K)/K refusals per answer. That is
//     work it does for nothing, and on a real service (parsing, TLS,
//     logging) work that makes the overload worse. With the semaphore it
//     refuses none.
//   - The mean time of a conversion is about the same both ways, G/K calls
//     long: the queue is the same length, only its place changes. The
//     longest is not: without the semaphore, whoever retries first after
//     a call ends gets the place, and an unlucky caller can lose that race
//     for the whole run; the semaphore queues its waiters first come,
//     first served, and the longest wait stays near the mean.
//
// That is backpressure: when the consumer is full, the producer waits,
// close to where the work comes from, instead of pushing and being pushed
// back. A semaphore is the smallest form of it; a bounded channel, a
// worker pool of K goroutines and a connection pool of K connections are
// others. Size it to the service's capacity: smaller wastes capacity,
// larger lets refusals back in.
//
// # False sharing
//
// A processor core does not read or write a byte: it owns a whole cache
// line (64 bytes on amd64, 128 on arm64) while it writes any byte of it.
// Two goroutines writing two different variables on one line therefore
// take the line from each other's core on every write, as if they shared
// the variable: false sharing. No data race, no wrong answer, only time.
//
// Two places here write per call: the sharded cache's mutexes, which sit
// side by side in one slice, and the counters every cache bumps. A shard
// is padded (golang.org/x/sys/cpu.CacheLinePad in front, and the rest of
// its last line behind) so that it fills whole lines and its mutex is a
// full line away from its neighbour's whatever the slice's alignment,
// which Go does not promise; each counter fills a line, and a line of
// padding keeps the first one off the rules that every call reads. A
// shard used to be padded to 56 bytes by a hand count that had fallen out
// of date: padding is computed from unsafe.Sizeof now, and a test checks
// the layout with unsafe.Sizeof and unsafe.Offsetof.
//
// BenchmarkFalseSharing shows the cost without anything else in the way:
// each goroutine locks only its own shard, or bumps only its own counter,
// so nothing is shared but lines. Packed, four 16-byte shards share a
// 64-byte line; padded, none does. Run it with -cpu 1,2,4: with one core
// the layouts must run alike (a line has nowhere to go), and the packed
// one falls behind as cores are added, since every write then waits for
// the line to come back from another core. That needs cores that run
// the benchmark's goroutines at the same moment: on a machine busy with
// other work (a load average above its cores) they take turns, no line
// moves between cores while one runs, and the two layouts come out alike,
// within a noise larger than the difference. On an idle 2-core amd64
// machine, -count 3: with one core, shards 13.5–14.3 ns/op packed or
// padded and counters 6.4–6.5; with two, padded shards 6.9–7.2 ns/op
// against 27.6–29.1 packed, padded counters 3.2 against 13.8–14.2: the
// padded layouts gained the second core and the packed ones lost more
// than it gave. The sharded cache under
// BenchmarkCache pays true sharing too (a hot amount's shard, wanted by
// every core), which no padding removes; padding removes only the cost
// of neighbours that share nothing but a line.
//
// # Measuring
//
// RunLoad runs one variant under a configurable load (goroutines, calls,
// key distribution, cost) and returns throughput with the cache's Stats;
// BenchmarkCache does the same under go test -bench. One run of a few
// milliseconds is not a measurement: RunSamples runs a variant several
// times and keeps the median time per call with its spread, Tied calls
// two variants tied when their ranges (median ± spread) overlap, and
// Summary turns a table into sentences that follow from it: which was
// fastest, which tied with it, which were slower beyond the spread and by
// what factor. Hit ratio and
// computations per call explain the times: a variant is fast because it
// computes less, or because its goroutines wait less, and the counters say
// which. RunAll runs every kind of Kinds (LoadConfig.Runs times each), and redis too when
// LoadConfig.CacheURL names a server (it is left out otherwise, since it
// needs one). RunBackpressure makes the table of the section on
// backpressure (compare convert -backpressure prints it, and under it
// BackpressureSummary's refusals per conversion and longest waits, the
// figures the bullets above predict), and RunProcs
// the load across processes (compare convert -procs N);
// BenchmarkBackpressure and BenchmarkFalseSharing measure what those
// sections claim.
package converter
