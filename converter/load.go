package converter

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Key distributions for LoadConfig.Dist.
const (
	// DistZipf draws amounts with a Zipf law: a few amounts are asked
	// very often and most rarely, as with real users (everyone converts
	// 1,000 or 10,000 points). Caches love it.
	DistZipf = "zipf"
	// DistUniform draws every amount equally often: the worst case for a
	// bounded cache smaller than the set of amounts.
	DistUniform = "uniform"
)

// ErrUnknownDist is returned for a LoadConfig.Dist that is not a known
// distribution.
var ErrUnknownDist = errors.New("unknown key distribution")

// Dists lists the key distributions in a fixed order.
func Dists() []string { return []string{DistZipf, DistUniform} }

// LoadConfig describes one load run: Goroutines goroutines share one cache
// and make Ops calls in all, on amounts drawn from Keys distinct valid
// amounts. Zero fields take the defaults shown.
type LoadConfig struct {
	Kind       string  // cache kind (see Kinds); required
	Goroutines int     // 8
	Ops        int     // 100,000 calls in all, shared among the goroutines
	Keys       int     // 10,000 distinct amounts: the smallest valid ones
	Dist       string  // DistZipf
	ZipfS      float64 // 1.1, the Zipf exponent s (> 1; larger is more skewed)
	Cost       Cost    // the zero Cost (the "cheap" preset)
	Capacity   int     // DefaultCapacity (lru, singleflight)
	Shards     int     // DefaultShards (sharded)
	Seed       int64   // 1; goroutine i draws from seed+i, so runs repeat exactly
	Rules      *Rules  // DefaultRules()
	Runs       int     // RunAll: 1 run of each kind (see RunSamples)
	// CacheURL is the Redis server of the redis kind (see NewRedis), and
	// makes RunAll add that kind; the other kinds ignore it.
	CacheURL string
	// Namespace is the redis kind's key namespace: by default a new one
	// for every run, so that each run starts cold. Runs that must share
	// results (one per process, say) give the same one.
	Namespace string
}

// LoadResult is what a load run measured. Its JSON is one entry of the
// compare command's converter.results.
type LoadResult struct {
	Cache        string  `json:"cache"`
	Dist         string  `json:"dist"`
	Cost         string  `json:"cost"`
	Keys         int     `json:"keys"`
	Goroutines   int     `json:"goroutines"`
	Ops          int64   `json:"ops"`
	Seconds      float64 `json:"seconds"`
	OpsPerSecond float64 `json:"ops_per_second"`
	// NsPerOp is wall time over calls, as b.RunParallel reports it: with
	// several goroutines it is the inverse of throughput, not the latency
	// of one call.
	NsPerOp      float64 `json:"ns_per_op"`
	HitRatio     float64 `json:"hit_ratio"`
	Hits         int64   `json:"hits"`
	Misses       int64   `json:"misses"`
	Computations int64   `json:"computations"`
	Duplicates   int64   `json:"duplicates"`
	Evictions    int64   `json:"evictions"`
	Entries      int     `json:"entries"`
	// Capacity is nil for a cache without bound (and omitted from JSON),
	// 0 for none.
	Capacity *int `json:"capacity,omitempty"`
	// Runs is the number of runs RunSamples and RunAll took (omitted
	// for RunLoad's one); the figures above are those of the median run,
	// NsPerOp and OpsPerSecond the median of all. NsPerOpSamples holds
	// every run's time per call, and NsPerOpSpread the distance from the
	// median to the farthest of the middle ones: median ± spread covers
	// every run but the fastest and slowest quarter (see RunSamples).
	Runs           int       `json:"runs,omitempty"`
	NsPerOpSamples []float64 `json:"ns_per_op_samples,omitempty"`
	NsPerOpSpread  float64   `json:"ns_per_op_spread,omitempty"`

	Elapsed time.Duration `json:"-"`
}

func (cfg LoadConfig) withDefaults() (LoadConfig, error) {
	if cfg.Goroutines == 0 {
		cfg.Goroutines = 8
	}
	if cfg.Ops == 0 {
		cfg.Ops = 100_000
	}
	if cfg.Keys == 0 {
		cfg.Keys = 10_000
	}
	if cfg.Dist == "" {
		cfg.Dist = DistZipf
	}
	if cfg.ZipfS == 0 {
		cfg.ZipfS = 1.1
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Rules == nil {
		r := DefaultRules()
		cfg.Rules = &r
	}
	switch {
	case cfg.Goroutines < 0:
		return cfg, fmt.Errorf("converter: load: %d goroutines", cfg.Goroutines)
	case cfg.Runs < 0 || cfg.Runs > MaxRuns:
		return cfg, fmt.Errorf("converter: load: %d runs: must be between 1 and %d", cfg.Runs, MaxRuns)
	case cfg.Ops < 0:
		return cfg, fmt.Errorf("converter: load: %d ops", cfg.Ops)
	case cfg.Keys < 0:
		return cfg, fmt.Errorf("converter: load: %d keys", cfg.Keys)
	case cfg.Dist != DistZipf && cfg.Dist != DistUniform:
		return cfg, fmt.Errorf("converter: load: %q: %w (known: %s)",
			cfg.Dist, ErrUnknownDist, strings.Join(Dists(), ", "))
	case !(cfg.ZipfS > 1):
		return cfg, fmt.Errorf("converter: load: Zipf exponent %v must be above 1", cfg.ZipfS)
	}
	return cfg, nil
}

// RunLoad runs one load: it builds the cache, draws every goroutine's amounts
// beforehand (so that drawing is not timed), starts the goroutines together
// and times them until the last one ends. The first error, or ctx being
// done, stops the run.
func RunLoad(ctx context.Context, cfg LoadConfig) (LoadResult, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return LoadResult{}, err
	}
	cache, err := cfg.newCache(ctx)
	if err != nil {
		return LoadResult{}, err
	}
	if c, ok := cache.(io.Closer); ok {
		defer c.Close() // nothing was written that closing could lose
	}
	return runLoadOn(ctx, cfg, cache, nil)
}

// runLoadOn runs a load with defaults applied on a cache the caller made.
// each, when not nil, is given every call's amount, result and error, and
// the load goes on past failed calls unless it returns an error; when nil,
// the first failed call stops the load.
func runLoadOn(ctx context.Context, cfg LoadConfig, cache Cache, each func(points int64, r Result, err error) error) (LoadResult, error) {
	amounts, err := validAmounts(*cfg.Rules, cfg.Keys)
	if err != nil {
		return LoadResult{}, err
	}
	streams := make([][]int64, cfg.Goroutines)
	for i := range streams {
		// Goroutine i cycles through at most 1<<16 draws of its own, so
		// drawing stays cheap for long runs.
		n := cfg.Ops / cfg.Goroutines
		if i < cfg.Ops%cfg.Goroutines {
			n++
		}
		ring := keyStream(cfg.Dist, cfg.ZipfS, cfg.Keys, cfg.Seed+int64(i), min(n, 1<<16))
		streams[i] = make([]int64, n)
		for j := range streams[i] {
			streams[i][j] = amounts[ring[j%len(ring)]]
		}
	}

	start := make(chan struct{})
	g, gctx := errgroup.WithContext(ctx)
	for _, stream := range streams {
		g.Go(func() error {
			<-start
			for j, p := range stream {
				if j%1024 == 0 && gctx.Err() != nil {
					return context.Cause(gctx)
				}
				r, err := cache.Convert(gctx, p)
				if each != nil {
					err = each(p, r, err)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	t0 := time.Now()
	close(start)
	err = g.Wait()
	elapsed := time.Since(t0)
	if err != nil {
		return LoadResult{}, fmt.Errorf("converter: load on %s: %w", cfg.Kind, err)
	}

	st := cache.Stats()
	res := LoadResult{
		Cache:        cfg.Kind,
		Dist:         cfg.Dist,
		Cost:         cfg.Cost.String(),
		Keys:         cfg.Keys,
		Goroutines:   cfg.Goroutines,
		Ops:          int64(cfg.Ops),
		Seconds:      elapsed.Seconds(),
		HitRatio:     st.HitRatio(),
		Hits:         st.Hits,
		Misses:       st.Misses,
		Computations: st.Computations,
		Duplicates:   st.Duplicates,
		Evictions:    st.Evictions,
		Entries:      st.Entries,
		Elapsed:      elapsed,
	}
	if st.Capacity != Unbounded {
		c := st.Capacity
		res.Capacity = &c
	}
	if cfg.Ops > 0 && elapsed > 0 {
		res.NsPerOp = float64(elapsed.Nanoseconds()) / float64(cfg.Ops)
		res.OpsPerSecond = float64(cfg.Ops) / elapsed.Seconds()
	}
	return res, nil
}

// newCache builds the cache a load runs on.
func (cfg LoadConfig) newCache(ctx context.Context) (Cache, error) {
	opts := Options{Cost: cfg.Cost, Capacity: cfg.Capacity, Shards: cfg.Shards}
	if cfg.Kind != "redis" {
		return New(cfg.Kind, *cfg.Rules, opts)
	}
	if cfg.CacheURL == "" {
		return nil, fmt.Errorf("converter: load: the redis cache needs a CacheURL")
	}
	ns := cmp.Or(cfg.Namespace, DefaultRedisNamespace+":load:"+crand.Text())
	return NewRedis(ctx, cfg.CacheURL, *cfg.Rules, RedisOptions{Options: opts, Namespace: ns})
}

// RunAll runs cfg on each cache kind, in the order of Kinds, ignoring
// cfg.Kind; then on Redis when cfg.CacheURL is set. Each kind takes
// cfg.Runs runs (see RunSamples), one when it is 0.
func RunAll(ctx context.Context, cfg LoadConfig) ([]LoadResult, error) {
	var results []LoadResult
	kinds := Kinds()
	if cfg.CacheURL != "" {
		kinds = append(kinds, "redis")
	}
	for _, kind := range kinds {
		cfg.Kind = kind
		res, err := RunSamples(ctx, cfg, max(cfg.Runs, 1))
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}

// validAmounts returns the n smallest amounts the rules accept.
func validAmounts(r Rules, n int) ([]int64, error) {
	first := (max(r.Minimum, 1) + r.Step - 1) / r.Step * r.Step
	if first > r.Maximum || int64(n-1) > (r.Maximum-first)/r.Step {
		have := int64(0)
		if first <= r.Maximum {
			have = (r.Maximum-first)/r.Step + 1
		}
		return nil, fmt.Errorf("converter: load: %d keys asked, the rules accept %d amounts", n, have)
	}
	amounts := make([]int64, n)
	for i := range amounts {
		amounts[i] = first + int64(i)*r.Step
	}
	return amounts, nil
}

// keyStream returns n key indexes in [0, keys), drawn from dist with a
// generator seeded by seed: the same arguments give the same stream.
func keyStream(dist string, s float64, keys int, seed int64, n int) []int {
	rng := rand.New(rand.NewSource(seed))
	out := make([]int, n)
	if keys == 0 {
		return out[:0]
	}
	switch dist {
	case DistZipf:
		z := rand.NewZipf(rng, s, 1, uint64(keys-1))
		for i := range out {
			out[i] = int(z.Uint64())
		}
	default:
		for i := range out {
			out[i] = rng.Intn(keys)
		}
	}
	return out
}
