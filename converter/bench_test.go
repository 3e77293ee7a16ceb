package converter

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// BenchmarkCache measures every cache kind shared by GOMAXPROCS goroutines
// (b.RunParallel), on amounts drawn from a Zipf and from a uniform
// distribution over 10,000 amounts (the bounded caches hold 1,024), with
// the bare arithmetic and with an expensive computation. Read ns/op with
// hit-ratio and computations/op beside it: a cache pays when it turns
// expensive computations into hits, and costs when the computation is
// cheaper than its lock.
//
//	go test -run '^$' -bench Cache -benchtime 20000x ./converter
func BenchmarkCache(b *testing.B) {
	const keys = 10_000
	rules := DefaultRules()
	amounts, err := validAmounts(rules, keys)
	if err != nil {
		b.Fatal(err)
	}
	// Every goroutine of RunParallel takes its own stream, drawn before
	// timing starts; the streams are the same for every kind.
	streams := map[string][][]int64{}
	for _, dist := range Dists() {
		for g := range runtime.GOMAXPROCS(0) {
			s := make([]int64, 1<<16)
			for i, k := range keyStream(dist, 1.1, keys, int64(g+1), len(s)) {
				s[i] = amounts[k]
			}
			streams[dist] = append(streams[dist], s)
		}
	}
	for _, kind := range Kinds() {
		for _, dist := range Dists() {
			for _, costName := range []string{CostCheap, CostExpensive} {
				b.Run(fmt.Sprintf("cache=%s/dist=%s/cost=%s", kind, dist, costName), func(b *testing.B) {
					cost, err := CostPreset(costName)
					if err != nil {
						b.Fatal(err)
					}
					c, err := New(kind, rules, Options{Cost: cost})
					if err != nil {
						b.Fatal(err)
					}
					var next atomic.Int64
					ctx := b.Context()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						s := streams[dist][int(next.Add(1)-1)%len(streams[dist])]
						for i := 0; pb.Next(); i++ {
							if _, err := c.Convert(ctx, s[i&(len(s)-1)]); err != nil {
								b.Error(err)
								return
							}
						}
					})
					st := c.Stats()
					b.ReportMetric(st.HitRatio(), "hit-ratio")
					b.ReportMetric(float64(st.Computations)/float64(b.N), "computations/op")
				})
			}
		}
	}
}

// BenchmarkRulesConvert is the bare computation, for scale: a few
// nanoseconds, less than an uncontended mutex.
func BenchmarkRulesConvert(b *testing.B) {
	rules := DefaultRules()
	for i := 0; b.Loop(); i++ {
		if _, err := rules.Convert(1_000 + 100*int64(i%10_000)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCost calibrates the presets against the clock.
func BenchmarkCost(b *testing.B) {
	for _, name := range CostPresets() {
		b.Run("cost="+name, func(b *testing.B) {
			cost, err := CostPreset(name)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := cost.pay(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParsePoints(b *testing.B) {
	for b.Loop() {
		if _, err := ParsePoints(" 12,345,678 "); err != nil {
			b.Fatal(err)
		}
	}
}
