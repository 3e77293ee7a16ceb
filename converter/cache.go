package converter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sys/cpu"
)

// ErrUnknownKind is returned by New for a cache kind it does not know.
var ErrUnknownKind = errors.New("unknown cache kind")

// Cache converts amounts under fixed rules, remembering results so that a
// repeated amount need not be computed again. Every implementation returns
// exactly what Rules.Convert returns, for every amount, and is safe for
// concurrent use; they differ in how they share the remembered results.
//
// Errors are never cached. An amount that fails validation (Rules.Check) is
// rejected before the cache is looked at: the check is cheaper than a
// lookup, and caching it would let invalid input (typed by anyone) fill the
// cache with keys that evict useful ones. Such a call counts as neither hit
// nor miss. A computation that fails (ErrOverflow, or a cancelled context
// during a slow computation) is returned and forgotten, so the next call
// computes again; a cancellation must never be remembered as the answer.
// (The singleflight kind runs each computation detached from the caller's
// cancellation, because other callers share it.)
//
// Convert is the only method that does work; Stats returns a snapshot of
// the counters, and Kind the name New was given.
type Cache interface {
	Convert(ctx context.Context, points int64) (Result, error)
	Stats() Stats
	Kind() string
}

// Unbounded is Stats.Capacity for a cache that grows without limit.
const Unbounded = -1

// Stats counts what a cache did since it was made.
type Stats struct {
	Hits   int64 `json:"hits"`   // calls answered from the cache
	Misses int64 `json:"misses"` // valid calls not found in the cache
	// Computations counts how many times the rules ran. Misses minus
	// Computations is the work saved by sharing one computation among
	// concurrent misses (singleflight).
	Computations int64 `json:"computations"`
	// Duplicates counts computations whose result was already stored by
	// another goroutine when they went to store it: work done twice because
	// the computation ran outside the lock (rwlocked, syncmap, lru).
	Duplicates int64 `json:"duplicates"`
	Evictions  int64 `json:"evictions"`
	Entries    int   `json:"entries"`  // results held now
	Capacity   int   `json:"capacity"` // most results it will hold; Unbounded, or 0 for none
}

// HitRatio returns Hits / (Hits + Misses), or 0 before any valid call.
func (s Stats) HitRatio() float64 {
	if s.Hits+s.Misses == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Hits+s.Misses)
}

// Options tune a cache. The zero Options are the bare arithmetic, a
// capacity of DefaultCapacity and DefaultShards shards.
type Options struct {
	// Cost is paid by every computation (see Cost).
	Cost Cost
	// Capacity bounds the lru and singleflight caches; 0 means
	// DefaultCapacity. The other kinds ignore it.
	Capacity int
	// Shards is the number of locks of the sharded cache; 0 means
	// DefaultShards.
	Shards int
	// Service, when set, is asked once by every computation, after the
	// Cost: the remote rate service, with its capacity (see RateService).
	Service *RateService
	// ServiceLimit, when above 0, bounds the computations that call the
	// Service at once with a semaphore (golang.org/x/sync/semaphore): a
	// computation beyond it waits for a place, until its context ends,
	// instead of calling a service that would refuse it. Set it to the
	// Service's capacity, or below it when other clients share the
	// service. 0 means no bound.
	ServiceLimit int
	// OnCompute, when set, is called at the start of every computation,
	// before the cost, by the goroutine that computes (holding whatever
	// lock the cache holds across computations). Tests use it to count
	// and to hold computations; it must be safe for concurrent use.
	OnCompute func(ctx context.Context, points int64)
}

// Defaults for Options.
const (
	DefaultCapacity = 1024
	DefaultShards   = 16
)

// Kinds lists the cache kinds New knows, in a fixed order, from no cache to
// the most careful one.
func Kinds() []string {
	return []string{"none", "locked", "rwlocked", "sharded", "syncmap", "lru", "singleflight"}
}

// New returns a cache of the named kind (see Kinds) over rules, which are
// validated first.
func New(kind string, rules Rules, opts Options) (Cache, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	if opts.Capacity < 0 {
		return nil, fmt.Errorf("converter: capacity %d is negative", opts.Capacity)
	}
	if opts.Shards < 0 {
		return nil, fmt.Errorf("converter: %d shards is negative", opts.Shards)
	}
	if err := checkService(opts); err != nil {
		return nil, err
	}
	if opts.Capacity == 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.Shards == 0 {
		opts.Shards = DefaultShards
	}
	// The rules are copied so that a caller changing its Tiers slice later
	// cannot change a cache's answers behind its back.
	rules.Tiers = append([]Tier(nil), rules.Tiers...)
	b := newBase(kind, rules, opts)
	switch kind {
	case "none":
		return &none{base: b}, nil
	case "locked":
		return newLocked(b), nil
	case "rwlocked":
		return newRWLocked(b), nil
	case "sharded":
		return newSharded(b, opts.Shards), nil
	case "syncmap":
		return &syncMap{base: b}, nil
	case "lru":
		return newLRU(b, opts.Capacity)
	case "singleflight":
		return newFlight(b, opts.Capacity)
	case "redis":
		return nil, fmt.Errorf("converter: cache %q needs a server's URL: use NewRedis (or LoadConfig.CacheURL)", kind)
	}
	return nil, fmt.Errorf("converter: cache %q: %w (known: %s)",
		kind, ErrUnknownKind, strings.Join(Kinds(), ", "))
}

// cacheLine is the size padding rounds to: the processor's cache line as
// golang.org/x/sys/cpu knows it (64 bytes on amd64, 128 on arm64), and 64
// where it knows none (wasm says 0, which would make no padding at all).
const cacheLine = max(unsafe.Sizeof(cpu.CacheLinePad{}), 64)

// counter is an atomic counter that fills a cache line by itself. Two
// counters side by side are then a whole line apart, and a core bumping
// one never takes the other's line away from the core bumping that one:
// without the padding, hits and misses would share a line and every hit
// would slow the next miss on another core (false sharing: no data is
// shared, only the line that holds it).
type counter struct {
	atomic.Int64
	_ [cacheLine - unsafe.Sizeof(atomic.Int64{})]byte
}

// base is what every cache shares: the rules, the cost, the service, the
// counters.
type base struct {
	kind    string
	rules   Rules
	cost    Cost
	service *RateService
	limit   *semaphore.Weighted // nil: no bound on calls to the service
	slots   int64               // the limit's size, for messages
	hook    func(ctx context.Context, points int64)

	// The fields above are read on every call and never written; the
	// counters below are written on every call. The pad keeps the first
	// counter off the line that holds the last read-only field, so that
	// counting does not evict the rules from other cores' caches, however
	// the allocator aligns the struct.
	_ cpu.CacheLinePad

	hits, misses, computations, duplicates, evictions, entries counter
}

// checkService refuses a service limit that cannot work.
func checkService(opts Options) error {
	if opts.ServiceLimit < 0 || opts.ServiceLimit > 0 && opts.Service == nil {
		return fmt.Errorf("converter: a service limit of %d needs a Service and a positive limit", opts.ServiceLimit)
	}
	return nil
}

// newBase copies what a cache needs from the validated rules and options.
func newBase(kind string, rules Rules, opts Options) *base {
	b := &base{kind: kind, rules: rules, cost: opts.Cost, service: opts.Service, hook: opts.OnCompute}
	if opts.ServiceLimit > 0 {
		b.slots = int64(opts.ServiceLimit)
		b.limit = semaphore.NewWeighted(b.slots)
	}
	return b
}

func (b *base) Kind() string { return b.kind }

// compute runs the rules on a checked amount: the work a cache saves.
func (b *base) compute(ctx context.Context, points int64) (Result, error) {
	b.computations.Add(1)
	if b.hook != nil {
		b.hook(ctx, points)
	}
	if err := b.cost.pay(ctx); err != nil {
		return Result{}, fmt.Errorf("converter: %s points: %w", FormatPoints(points), err)
	}
	if err := b.ask(ctx); err != nil {
		return Result{}, fmt.Errorf("converter: %s points: %w", FormatPoints(points), err)
	}
	return b.rules.apply(points)
}

// ask calls the rate service, if there is one, through the semaphore, if
// there is one. The wait for a place takes the caller's context, so that
// it ends with the caller's deadline: backpressure that could block for
// ever would only move the overload from the service to the callers.
func (b *base) ask(ctx context.Context) error {
	if b.service == nil {
		return nil
	}
	if b.limit != nil {
		if err := b.limit.Acquire(ctx, 1); err != nil {
			return fmt.Errorf("waiting for one of %d places at the rate service: %w", b.slots, err)
		}
		defer b.limit.Release(1)
	}
	return b.service.Call(ctx)
}

// stats returns the counters; entries and capacity are the caller's.
func (b *base) stats(entries, capacity int) Stats {
	return Stats{
		Hits:         b.hits.Load(),
		Misses:       b.misses.Load(),
		Computations: b.computations.Load(),
		Duplicates:   b.duplicates.Load(),
		Evictions:    b.evictions.Load(),
		Entries:      entries,
		Capacity:     capacity,
	}
}
