package converter

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// BackpressureConfig describes the backpressure table: for each capacity K,
// Goroutines goroutines make Calls conversions in all through a cache that
// computes every time (none), so that every conversion asks a RateService
// of capacity K; once with no bound on the callers and once with a
// semaphore of K places. A conversion refused as overloaded is tried again
// after RetryAfter, as a client of a real service would, until it is
// served or its Timeout ends. Zero fields take the defaults shown.
type BackpressureConfig struct {
	Capacities []int         // 1, 2, 4, 8
	Goroutines int           // 16, more than any default capacity
	Calls      int           // 500 conversions per row
	Latency    time.Duration // 1 ms per admitted call
	RetryAfter time.Duration // Latency: the pause before trying a refused conversion again
	Timeout    time.Duration // 1 s for each conversion, its waits and retries included
	Rules      *Rules        // DefaultRules()
}

// BackpressureResult is one row of the table.
type BackpressureResult struct {
	Capacity   int   `json:"capacity"`   // K, the service's capacity
	Semaphore  bool  `json:"semaphore"`  // callers bounded by a semaphore of K places
	Goroutines int   `json:"goroutines"` // G, the callers
	Calls      int64 `json:"calls"`      // conversions asked
	Served     int64 `json:"served"`     // conversions that got their answer
	TimedOut   int64 `json:"timed_out"`  // conversions that gave up at their Timeout
	// Overloaded counts the requests the service refused (ErrOverloaded):
	// work the service did for nothing, and each one a caller's failure
	// that it had to retry.
	Overloaded int64   `json:"overloaded"`
	Seconds    float64 `json:"seconds"`
	// ServedPerSecond is the throughput that counts (goodput).
	ServedPerSecond float64 `json:"served_per_second"`
	// MeanServedSeconds and MaxServedSeconds time a served conversion from
	// the call to the answer, waits for a place and retries included.
	MeanServedSeconds float64 `json:"mean_served_seconds"`
	MaxServedSeconds  float64 `json:"max_served_seconds"`
	MaxInFlight       int64   `json:"max_in_flight"` // most calls the service held at once

	Elapsed time.Duration `json:"-"`
}

func (cfg BackpressureConfig) withDefaults() (BackpressureConfig, error) {
	if cfg.Capacities == nil {
		cfg.Capacities = []int{1, 2, 4, 8}
	}
	if cfg.Goroutines == 0 {
		cfg.Goroutines = 16
	}
	if cfg.Calls == 0 {
		cfg.Calls = 500
	}
	if cfg.Latency == 0 {
		cfg.Latency = time.Millisecond
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = cfg.Latency
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	if cfg.Rules == nil {
		r := DefaultRules()
		cfg.Rules = &r
	}
	for _, k := range cfg.Capacities {
		if k < 1 {
			return cfg, fmt.Errorf("converter: backpressure: capacity %d; it must be at least 1", k)
		}
	}
	switch {
	case cfg.Goroutines < 0:
		return cfg, fmt.Errorf("converter: backpressure: %d goroutines", cfg.Goroutines)
	case cfg.Calls < 0:
		return cfg, fmt.Errorf("converter: backpressure: %d calls", cfg.Calls)
	case cfg.Latency < 0 || cfg.RetryAfter < 0 || cfg.Timeout < 0:
		return cfg, fmt.Errorf("converter: backpressure: negative latency %s, retry pause %s or timeout %s",
			cfg.Latency, cfg.RetryAfter, cfg.Timeout)
	}
	return cfg, cfg.Rules.Validate()
}

// RunBackpressure runs the table: for each capacity, in order, a row
// without the semaphore, then a row with it. Refusals and timeouts are
// counted, not errors; any other failure, or ctx ending, stops the run.
func RunBackpressure(ctx context.Context, cfg BackpressureConfig) ([]BackpressureResult, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var rows []BackpressureResult
	for _, k := range cfg.Capacities {
		for _, bounded := range []bool{false, true} {
			row, err := runBackpressureRow(ctx, cfg, &RateService{Capacity: k, Latency: cfg.Latency}, bounded)
			if err != nil {
				return rows, err
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// runBackpressureRow runs one row against svc, bounding the callers by a
// semaphore of svc.Capacity places when bounded.
func runBackpressureRow(ctx context.Context, cfg BackpressureConfig, svc *RateService, bounded bool) (BackpressureResult, error) {
	opts := Options{Service: svc}
	if bounded {
		opts.ServiceLimit = svc.Capacity
	}
	cache, err := New("none", *cfg.Rules, opts)
	if err != nil {
		return BackpressureResult{}, err
	}
	amount := (max(cfg.Rules.Minimum, 1) + cfg.Rules.Step - 1) / cfg.Rules.Step * cfg.Rules.Step
	var taken, timedOut, servedNs, maxNs atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	t0 := time.Now()
	for range cfg.Goroutines {
		g.Go(func() error {
			for taken.Add(1) <= int64(cfg.Calls) {
				start := time.Now()
				err := convertRetrying(gctx, cache, amount, cfg.RetryAfter, cfg.Timeout)
				switch {
				case err == nil:
					d := int64(time.Since(start))
					servedNs.Add(d)
					for m := maxNs.Load(); d > m && !maxNs.CompareAndSwap(m, d); m = maxNs.Load() {
					}
				case errors.Is(err, context.DeadlineExceeded) && gctx.Err() == nil:
					timedOut.Add(1)
				default:
					return err
				}
			}
			return nil
		})
	}
	err = g.Wait()
	elapsed := time.Since(t0)
	if err != nil {
		return BackpressureResult{}, fmt.Errorf("converter: backpressure at capacity %d: %w", svc.Capacity, err)
	}
	st := svc.Stats()
	row := BackpressureResult{
		Capacity: svc.Capacity, Semaphore: bounded, Goroutines: cfg.Goroutines, Calls: int64(cfg.Calls),
		Served: st.Served, TimedOut: timedOut.Load(), Overloaded: st.Overloaded, MaxInFlight: st.MaxInFlight,
		Seconds: elapsed.Seconds(), MaxServedSeconds: time.Duration(maxNs.Load()).Seconds(), Elapsed: elapsed,
	}
	if elapsed > 0 {
		row.ServedPerSecond = float64(row.Served) / elapsed.Seconds()
	}
	if row.Served > 0 {
		row.MeanServedSeconds = time.Duration(servedNs.Load() / row.Served).Seconds()
	}
	return row, nil
}

// convertRetrying converts amount within timeout, trying again after a
// pause each time the service refuses it as overloaded.
func convertRetrying(ctx context.Context, c Cache, amount int64, pause, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		_, err := c.Convert(ctx, amount)
		if !errors.Is(err, ErrOverloaded) {
			return err
		}
		if err := (Cost{Sleep: pause}).pay(ctx); err != nil {
			return err
		}
	}
}

// BackpressureSummary says, for each capacity of rows (as RunBackpressure
// returns them), what the semaphore changed: the refusals per conversion
// served, against the (G-K)/K that callers retrying once a call's length
// would cause, and the longest conversion, without and with it.
func BackpressureSummary(rows []BackpressureResult) []string {
	var lines []string
	for i, r := range rows {
		if r.Semaphore || i+1 >= len(rows) || !rows[i+1].Semaphore || rows[i+1].Capacity != r.Capacity {
			continue
		}
		with := rows[i+1]
		perServed := func(row BackpressureResult) float64 {
			if row.Served == 0 {
				return 0
			}
			return float64(row.Overloaded) / float64(row.Served)
		}
		expected := float64(r.Goroutines-r.Capacity) / float64(r.Capacity)
		longest := func(s float64) time.Duration { return time.Duration(s * 1e9).Round(100 * time.Microsecond) }
		lines = append(lines, fmt.Sprintf(
			"K=%d: without the semaphore %.1f refusals per conversion served ((G-K)/K = %.1f), the longest %s; with it %.1f, the longest %s.",
			r.Capacity, perServed(r), expected, longest(r.MaxServedSeconds), perServed(with), longest(with.MaxServedSeconds)))
	}
	return lines
}
