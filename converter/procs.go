package converter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// How the processes of a ProcsConfig share results.
const (
	// SharePerProcess gives each process a cache of its own (the locked
	// kind), as the seed's dict-and-Lock code does under multiprocessing:
	// the lock is correct, and guards memory no other process sees.
	SharePerProcess = "per-process"
	// ShareOwner keeps one cache in the owner process (the one that
	// started the workers), which answers every worker's lookups over its
	// pipes with a singleflight cache (see Owner).
	ShareOwner = "owner"
	// ShareRedis keeps the results in a Redis server (see NewRedis): the
	// way to share when the workers run on several machines.
	ShareRedis = "redis"
)

// ErrUnknownShare is returned for a Share that is none of the above.
var ErrUnknownShare = errors.New("unknown way of sharing")

// Shares lists the ways of sharing in the order a table shows them.
func Shares() []string { return []string{SharePerProcess, ShareOwner, ShareRedis} }

// Limits of a ProcsConfig.
const (
	DefaultProcs = 4
	MaxProcs     = 64
)

// ProcsConfig describes one load spread over worker processes: Procs
// processes, each running Load with Load.Goroutines goroutines, make
// Load.Ops calls in all, on the same Load.Keys amounts. Process i draws
// its goroutines' amounts from seeds of its own, so the processes ask for
// the same popular amounts in different orders, as independent workers
// would.
type ProcsConfig struct {
	Share string     // required: one of Shares
	Procs int        // DefaultProcs
	Load  LoadConfig // Kind is ignored; CacheURL is required for ShareRedis
	// Timeout bounds each conversion (0: DefaultOwnerTimeout), and so
	// each worker's whole run: a worker gets Timeout for each of its
	// calls in turn, plus start-up.
	Timeout time.Duration
}

// ProcsResult is what a load across processes measured.
type ProcsResult struct {
	Share      string  `json:"share"`
	Procs      int     `json:"procs"`
	Goroutines int     `json:"goroutines"` // per process
	Ops        int64   `json:"ops"`        // calls in all
	Seconds    float64 `json:"seconds"`    // the slowest process's load
	// OpsPerSecond is Ops over Seconds.
	OpsPerSecond float64 `json:"ops_per_second"`
	HitRatio     float64 `json:"hit_ratio"`
	Hits         int64   `json:"hits"`
	Misses       int64   `json:"misses"`
	// Computations counts the rules run in every process (or in the
	// owner); Distinct the different amounts among them. Their
	// difference, Repeated, is work that sharing would have saved: zero
	// when each amount is computed exactly once across all processes.
	Computations int64 `json:"computations"`
	Distinct     int64 `json:"distinct"`
	Repeated     int64 `json:"repeated"`
}

// withDefaults checks cfg and fills in its defaults.
func (cfg ProcsConfig) withDefaults() (ProcsConfig, error) {
	if cfg.Procs == 0 {
		cfg.Procs = DefaultProcs
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultOwnerTimeout
	}
	if !slices.Contains(Shares(), cfg.Share) {
		return cfg, fmt.Errorf("converter: processes: %q: %w (known: %s)",
			cfg.Share, ErrUnknownShare, strings.Join(Shares(), ", "))
	}
	switch {
	case cfg.Procs < 0 || cfg.Procs > MaxProcs:
		return cfg, fmt.Errorf("converter: processes: %d processes: must be between 1 and %d", cfg.Procs, MaxProcs)
	case cfg.Timeout < 0:
		return cfg, fmt.Errorf("converter: processes: negative timeout %s", cfg.Timeout)
	case cfg.Share == ShareRedis && cfg.Load.CacheURL == "":
		return cfg, fmt.Errorf("converter: processes: sharing through redis needs a cache URL")
	}
	load, err := cfg.Load.withDefaults()
	if err != nil {
		return cfg, err
	}
	cfg.Load = load
	return cfg, nil
}

// procJob is what the owner sends a worker: its part of the load.
type procJob struct {
	Share   string        `json:"share"`
	Load    LoadConfig    `json:"load"`
	Timeout time.Duration `json:"timeout"`
}

// procReport is what a worker sends back: its load's figures and the
// amounts it computed (none when the owner computes).
type procReport struct {
	Load     LoadResult `json:"load"`
	Computed []int64    `json:"computed,omitempty"`
}

// jobs splits cfg into one job per process.
func (cfg ProcsConfig) jobs() []procJob {
	jobs := make([]procJob, cfg.Procs)
	for i := range jobs {
		load := cfg.Load
		load.Ops = cfg.Load.Ops / cfg.Procs
		if i < cfg.Load.Ops%cfg.Procs {
			load.Ops++
		}
		load.Seed = cfg.Load.Seed + int64(i*cfg.Load.Goroutines)
		load.Kind = "locked"
		if cfg.Share != SharePerProcess {
			load.Kind = cfg.Share
		}
		jobs[i] = procJob{Share: cfg.Share, Load: load, Timeout: cfg.Timeout}
	}
	return jobs
}

// runJob runs one worker's job. In ShareOwner the conversions are asked
// over r and w, the worker's ends of the pipes to the owner.
func runJob(ctx context.Context, job procJob, r io.ReadCloser, w io.WriteCloser) (procReport, error) {
	cfg, err := job.Load.withDefaults()
	if err != nil {
		return procReport{}, err
	}
	var (
		mu       sync.Mutex
		computed []int64
	)
	opts := Options{Cost: cfg.Cost, Capacity: cfg.Capacity, Shards: cfg.Shards,
		OnCompute: func(_ context.Context, p int64) {
			mu.Lock()
			computed = append(computed, p)
			mu.Unlock()
		}}
	var cache Cache
	switch job.Share {
	case SharePerProcess:
		cache, err = New(cfg.Kind, *cfg.Rules, opts)
	case ShareOwner:
		cache, err = NewOwnerClient(r, w, *cfg.Rules, job.Timeout)
	case ShareRedis:
		cache, err = NewRedis(ctx, cfg.CacheURL, *cfg.Rules,
			RedisOptions{Options: opts, Namespace: cfg.Namespace, Timeout: job.Timeout})
	default:
		err = fmt.Errorf("converter: processes: %q: %w", job.Share, ErrUnknownShare)
	}
	if err != nil {
		return procReport{}, err
	}
	res, err := runLoadOn(ctx, cfg, cache)
	if c, ok := cache.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	if err != nil {
		return procReport{}, err
	}
	mu.Lock()
	defer mu.Unlock()
	return procReport{Load: res, Computed: computed}, nil
}

// summarize adds the workers' reports up; owner is the owner's counters in
// ShareOwner, nil otherwise.
func summarize(cfg ProcsConfig, reports []procReport, owner *Stats) ProcsResult {
	res := ProcsResult{Share: cfg.Share, Procs: cfg.Procs, Goroutines: cfg.Load.Goroutines}
	distinct := make(map[int64]struct{})
	for _, r := range reports {
		res.Ops += r.Load.Ops
		res.Seconds = max(res.Seconds, r.Load.Seconds)
		res.Hits += r.Load.Hits
		res.Misses += r.Load.Misses
		res.Computations += r.Load.Computations
		for _, p := range r.Computed {
			distinct[p] = struct{}{}
		}
	}
	res.Distinct = int64(len(distinct))
	if owner != nil {
		res.Hits, res.Misses = owner.Hits, owner.Misses
		res.Computations, res.Distinct = owner.Computations, int64(owner.Entries)
	}
	res.Repeated = res.Computations - res.Distinct
	if res.Hits+res.Misses > 0 {
		res.HitRatio = float64(res.Hits) / float64(res.Hits+res.Misses)
	}
	if res.Seconds > 0 {
		res.OpsPerSecond = float64(res.Ops) / res.Seconds
	}
	return res
}
