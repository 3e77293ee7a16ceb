package converter_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"conclab/converter"
)

func ExampleRules_Convert() {
	rules := converter.DefaultRules()
	for _, points := range []int64{1_000, 99_900, 100_000, 1_050, 500, 20_000_000} {
		r, err := rules.Convert(points)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(r)
	}
	// Output:
	// 1,000 A points give 700 B points at 10:7 (tier 0)
	// 99,900 A points give 69,930 B points at 10:7 (tier 0)
	// 100,000 A points give 80,000 B points at 10:8 (tier 1)
	// converter: 1,050 points: not a multiple of the step of 100
	// converter: 500 points: below the minimum of 1,000
	// converter: 20,000,000 points: above the maximum of 10,000,000
}

func ExampleParsePoints() {
	for _, input := range []string{"1,500", " 2000 ", "abc", "1e3", "-5", "1,50", "99999999999999999999"} {
		n, err := converter.ParsePoints(input)
		switch {
		case errors.Is(err, converter.ErrSyntax), errors.Is(err, converter.ErrRange), errors.Is(err, converter.ErrNegative):
			fmt.Println(err)
		case err != nil:
			fmt.Println("unexpected:", err)
		default:
			fmt.Println(n)
		}
	}
	// Output:
	// 1500
	// 2000
	// converter: points "abc": not a whole number of points (unexpected 'a')
	// converter: points "1e3": not a whole number of points (exponents are not accepted; write the digits)
	// converter: points "-5": negative
	// converter: points "1,50": not a whole number of points (misplaced thousands separator)
	// converter: points "99999999999999999999": too large (the largest is 9,223,372,036,854,775,807)
}

func ExampleLoadRules() {
	rules, err := converter.LoadRules(strings.NewReader(`{
		"minimum": 100, "step": 50, "maximum": 5000,
		"tiers": [{"from": 0, "rate": {"a": 3, "b": 2}}, {"from": 1000, "rate": {"a": 1, "b": 1}}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := rules.Convert(250)
	fmt.Println(r)

	_, err = converter.LoadRules(strings.NewReader(`{
		"minimum": 100, "step": 50, "maximum": 5000,
		"tiers": [{"from": 0, "rate": {"a": 0, "b": 2}}]
	}`))
	fmt.Println(err)
	// Output:
	// 250 A points give 166 B points at 3:2 (tier 0)
	// converter: invalid rules: tier 0: rate 0:2 has a zero denominator
}

// ExampleNew shares one cache among goroutines that all want the same
// amount at once: singleflight computes it once.
func ExampleNew() {
	cache, err := converter.New("singleflight", converter.DefaultRules(), converter.Options{Capacity: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := cache.Convert(context.Background(), 250_000); err != nil {
				fmt.Println(err)
			}
		})
	}
	wg.Wait()
	r, _ := cache.Convert(context.Background(), 250_000)
	fmt.Println(r)
	st := cache.Stats()
	fmt.Println("calls:", st.Hits+st.Misses, "computations:", st.Computations, "entries:", st.Entries, "of", st.Capacity)
	// Output:
	// 250,000 A points give 200,000 B points at 10:8 (tier 1)
	// calls: 11 computations: 1 entries: 1 of 100
}

func ExampleKinds() {
	for _, kind := range converter.Kinds() {
		cache, _ := converter.New(kind, converter.DefaultRules(), converter.Options{Capacity: 2})
		for _, p := range []int64{1_000, 2_000, 1_000, 3_000, 1_000, 500} {
			_, _ = cache.Convert(context.Background(), p) // 500 is refused, and not cached
		}
		st := cache.Stats()
		fmt.Printf("%-12s hits %d misses %d computations %d evictions %d entries %d\n",
			kind, st.Hits, st.Misses, st.Computations, st.Evictions, st.Entries)
	}
	// Output:
	// none         hits 0 misses 5 computations 5 evictions 0 entries 0
	// locked       hits 2 misses 3 computations 3 evictions 0 entries 3
	// rwlocked     hits 2 misses 3 computations 3 evictions 0 entries 3
	// sharded      hits 2 misses 3 computations 3 evictions 0 entries 3
	// syncmap      hits 2 misses 3 computations 3 evictions 0 entries 3
	// lru          hits 2 misses 3 computations 3 evictions 1 entries 2
	// singleflight hits 2 misses 3 computations 3 evictions 1 entries 2
}

// ExampleRunLoad runs a load on one goroutine, whose counts repeat exactly
// (timings do not, so they are not printed here).
func ExampleRunLoad() {
	res, err := converter.RunLoad(context.Background(), converter.LoadConfig{
		Kind: "lru", Goroutines: 1, Ops: 10_000, Keys: 1_000, Capacity: 100, Dist: converter.DistZipf,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d ops, hit ratio %.2f, %d computations, %d evictions, %d entries of %d\n",
		res.Cache, res.Ops, res.HitRatio, res.Computations, res.Evictions, res.Entries, *res.Capacity)
	// Output:
	// lru: 10000 ops, hit ratio 0.68, 3241 computations, 3141 evictions, 100 entries of 100
}

// ExampleNewRedis shares one cache among processes, and machines: each
// connects to the same server with the same namespace, and an amount is
// computed once among them all. It needs a Redis server, so it is compiled
// but not run.
func ExampleNewRedis() {
	ctx := context.Background()
	cache, err := converter.NewRedis(ctx, "redis://127.0.0.1:6379/0", converter.DefaultRules(),
		converter.RedisOptions{Namespace: "points:run-42", Timeout: 2 * time.Second})
	if err != nil {
		fmt.Println(err) // a URL it cannot use (ErrCacheURL), or a server that does not answer (ErrSharedCache)
		return
	}
	defer cache.Close()
	r, err := cache.Convert(ctx, 150_000)
	switch {
	case errors.Is(err, converter.ErrSharedCache):
		fmt.Println("the cache failed, not the amount:", err)
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(r)
	}
}

// ExampleRunBackpressure puts 8 goroutines in front of a rate service that
// takes 2 calls at once, each conversion retried until served. Without a
// bound, the service refuses the calls beyond 2, and the callers come back
// for more; with a semaphore of 2 places the callers queue instead, and
// the service refuses nothing. Timings vary from run to run, so only what
// does not is printed.
func ExampleRunBackpressure() {
	rows, err := converter.RunBackpressure(context.Background(), converter.BackpressureConfig{
		Capacities: []int{2}, Goroutines: 8, Calls: 200, Latency: time.Millisecond, Timeout: time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range rows {
		fmt.Printf("capacity %d, semaphore %-5v: served %d of %d, requests refused: %-5v at most %d in flight: %v\n",
			row.Capacity, row.Semaphore, row.Served, row.Calls, row.Overloaded > 0,
			row.Capacity, row.MaxInFlight <= int64(row.Capacity))
	}
	// Output:
	// capacity 2, semaphore false: served 200 of 200, requests refused: true  at most 2 in flight: true
	// capacity 2, semaphore true : served 200 of 200, requests refused: false at most 2 in flight: true
}

func ExampleFormatPoints() {
	fmt.Println(converter.FormatPoints(10_000_000))
	// Output: 10,000,000
}
