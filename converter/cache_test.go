package converter

import (
	"context"
	"math"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCtx bounds a test that waits on a barrier: if the code under test
// never lets the barrier open, the test fails instead of hanging. It is a
// safety net, never a measure: no assertion depends on how long anything
// takes.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func newCache(t *testing.T, kind string, rules Rules, opts Options) Cache {
	t.Helper()
	c, err := New(kind, rules, opts)
	require.NoError(t, err)
	require.Equal(t, kind, c.Kind())
	return c
}

// overflowRules accept amounts whose conversion overflows int64.
func overflowRules() Rules {
	return Rules{Minimum: 1, Step: 1, Maximum: math.MaxInt64, Tiers: []Tier{{From: 0, Rate: Rate{A: 1, B: 2}}}}
}

func TestKindsAreListedInAFixedOrder(t *testing.T) {
	assert.Equal(t, []string{"none", "locked", "rwlocked", "sharded", "syncmap", "lru", "singleflight"}, Kinds())
}

func TestNewRefusesAnUnknownKind(t *testing.T) {
	_, err := New("memcached", DefaultRules(), Options{})
	require.ErrorIs(t, err, ErrUnknownKind)
	assert.EqualError(t, err,
		`converter: cache "memcached": unknown cache kind (known: none, locked, rwlocked, sharded, syncmap, lru, singleflight)`)
	_, err = New("redis", DefaultRules(), Options{})
	assert.EqualError(t, err, `converter: cache "redis" needs a server's URL: use NewRedis (or LoadConfig.CacheURL)`)
}

func TestNewRefusesInvalidRulesAndOptions(t *testing.T) {
	bad := DefaultRules()
	bad.Step = 0
	_, err := New("lru", bad, Options{})
	assert.ErrorIs(t, err, ErrInvalidRules)
	_, err = New("lru", DefaultRules(), Options{Capacity: -1})
	assert.ErrorContains(t, err, "capacity -1")
	_, err = New("sharded", DefaultRules(), Options{Shards: -1})
	assert.ErrorContains(t, err, "-1 shards")
}

func TestNewCopiesTheRules(t *testing.T) {
	rules := DefaultRules()
	c := newCache(t, "none", rules, Options{})
	rules.Tiers[0].Rate = Rate{A: 1, B: 1000}
	got, err := c.Convert(t.Context(), 1_000)
	require.NoError(t, err)
	assert.Equal(t, int64(700), got.Converted)
}

// TestEveryCacheReturnsWhatTheRulesReturn is the property every variant
// must have: for any input, valid or not, the same result and the same
// error as the uncached rules, whatever it has seen before. A small
// capacity makes the bounded caches evict along the way.
func TestEveryCacheReturnsWhatTheRulesReturn(t *testing.T) {
	rules := DefaultRules()
	rng := rand.New(rand.NewSource(42))
	inputs := []int64{math.MinInt64, -1_000, -1, 0, 1, 999, 1_000, 1_050, 99_900, 100_000, 100_001,
		10_000_000, 10_000_100, math.MaxInt64}
	for range 3_000 {
		switch rng.Intn(4) {
		case 0: // any int64, nearly always invalid
			inputs = append(inputs, rng.Int63()-rng.Int63())
		case 1: // near the limits, valid or not
			inputs = append(inputs, rng.Int63n(12_000_000)-1_000_000)
		default: // valid amounts, often repeated
			inputs = append(inputs, 1_000+100*rng.Int63n(200))
		}
	}
	for _, kind := range Kinds() {
		t.Run(kind+" agrees with the rules on every input", func(t *testing.T) {
			c := newCache(t, kind, rules, Options{Capacity: 16, Shards: 4})
			for _, p := range inputs {
				want, wantErr := rules.Convert(p)
				got, err := c.Convert(t.Context(), p)
				require.Equal(t, want, got, "%d points", p)
				if wantErr == nil {
					require.NoError(t, err, "%d points", p)
				} else {
					require.EqualError(t, err, wantErr.Error(), "%d points", p)
				}
			}
		})
	}
	for _, kind := range Kinds() {
		t.Run(kind+" agrees with the rules on overflow", func(t *testing.T) {
			rules := overflowRules()
			c := newCache(t, kind, rules, Options{Capacity: 4})
			for _, p := range []int64{1, math.MaxInt64 / 2, math.MaxInt64/2 + 1, math.MaxInt64, 1} {
				want, wantErr := rules.Convert(p)
				got, err := c.Convert(t.Context(), p)
				require.Equal(t, want, got, "%d points", p)
				if wantErr == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, ErrOverflow)
					require.EqualError(t, err, wantErr.Error())
				}
			}
		})
	}
}

// TestEveryCacheAgreesUnderParallelLoad runs the property with goroutines
// sharing each cache; under -race it is also the data-race check.
func TestEveryCacheAgreesUnderParallelLoad(t *testing.T) {
	rules := DefaultRules()
	for _, kind := range Kinds() {
		t.Run(kind+" agrees with the rules when shared by 8 goroutines", func(t *testing.T) {
			c := newCache(t, kind, rules, Options{Capacity: 32, Shards: 4})
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					rng := rand.New(rand.NewSource(int64(g)))
					for range 2_000 {
						p := 900 + 50*rng.Int63n(300) // some invalid, most valid
						want, wantErr := rules.Convert(p)
						got, err := c.Convert(t.Context(), p)
						if !assert.Equal(t, want, got) || !assert.Equal(t, wantErr, err) {
							return
						}
					}
				})
			}
			wg.Wait()
			st := c.Stats()
			assert.LessOrEqual(t, st.Computations, st.Misses, "a computation only follows a miss")
			if st.Capacity > 0 {
				assert.LessOrEqual(t, st.Entries, st.Capacity)
			}
		})
	}
}

func TestStatsCountHitsMissesAndComputations(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind+" counts a repeated amount", func(t *testing.T) {
			c := newCache(t, kind, DefaultRules(), Options{})
			for range 3 {
				_, err := c.Convert(t.Context(), 1_000)
				require.NoError(t, err)
			}
			_, err := c.Convert(t.Context(), 2_000)
			require.NoError(t, err)
			st := c.Stats()
			if kind == "none" {
				assert.Equal(t, Stats{Misses: 4, Computations: 4}, st)
				assert.Zero(t, st.HitRatio())
				assert.Zero(t, Stats{}.HitRatio(), "no calls, no ratio")
				return
			}
			assert.Equal(t, int64(2), st.Hits)
			assert.Equal(t, int64(2), st.Misses)
			assert.Equal(t, int64(2), st.Computations)
			assert.Equal(t, 2, st.Entries)
			assert.InDelta(t, 0.5, st.HitRatio(), 1e-9)
			if kind == "lru" || kind == "singleflight" {
				assert.Equal(t, DefaultCapacity, st.Capacity)
			} else {
				assert.Equal(t, Unbounded, st.Capacity)
			}
		})
	}
}

func TestValidationErrorsAreNotCached(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind+" rejects invalid amounts without touching the cache", func(t *testing.T) {
			var computed atomic.Int64
			c := newCache(t, kind, DefaultRules(), Options{
				OnCompute: func(context.Context, int64) { computed.Add(1) },
			})
			for range 2 {
				for _, p := range []int64{-5, 0, 900, 1_050, 20_000_000} {
					_, err := c.Convert(t.Context(), p)
					require.Error(t, err)
				}
			}
			assert.Equal(t, Stats{Capacity: c.Stats().Capacity}, c.Stats())
			assert.Zero(t, computed.Load())
		})
	}
}

func TestComputationErrorsAreNotCached(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind+" computes an overflow again on every call", func(t *testing.T) {
			c := newCache(t, kind, overflowRules(), Options{})
			for range 3 {
				_, err := c.Convert(t.Context(), math.MaxInt64)
				require.ErrorIs(t, err, ErrOverflow)
			}
			st := c.Stats()
			assert.Equal(t, int64(3), st.Computations)
			assert.Zero(t, st.Hits)
			assert.Zero(t, st.Entries)
		})
	}
}

func TestACancelledComputationIsNotCached(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind+" does not remember a cancelled computation", func(t *testing.T) {
			ctx := testCtx(t)
			entered := make(chan struct{}, 1)
			release := make(chan struct{})
			first := true
			var mu sync.Mutex
			c := newCache(t, kind, DefaultRules(), Options{
				OnCompute: func(context.Context, int64) {
					mu.Lock()
					hold := first
					first = false
					mu.Unlock()
					if hold {
						entered <- struct{}{}
						select {
						case <-release:
						case <-ctx.Done():
						}
					}
				},
				Cost: Cost{Sleep: time.Millisecond},
			})
			callCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() {
				_, err := c.Convert(callCtx, 1_000)
				done <- err
			}()
			<-entered
			cancel()
			close(release)
			err := <-done
			if kind == "singleflight" {
				// The flight is detached from the context of the caller
				// that started it, so that its end cannot fail others
				// waiting for the same amount; the caller gets the result.
				require.NoError(t, err)
			} else {
				// The computation sees the cancellation in its cost.
				require.ErrorIs(t, err, context.Canceled)
			}
			got, err := c.Convert(ctx, 1_000)
			require.NoError(t, err)
			assert.Equal(t, int64(700), got.Converted)
			if kind == "singleflight" {
				assert.Equal(t, int64(1), c.Stats().Computations, "the detached flight's result was kept")
				assert.Equal(t, int64(1), c.Stats().Hits)
			} else {
				assert.Equal(t, int64(2), c.Stats().Computations, "the cancelled result was not kept")
			}
		})
	}
}

// barrier opens when n goroutines have arrived.
type barrier struct {
	n       int64
	arrived atomic.Int64
	open    chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: int64(n), open: make(chan struct{})} }

// arrive counts the caller and returns at once.
func (b *barrier) arrive() {
	if b.arrived.Add(1) == b.n {
		close(b.open)
	}
}

// wait returns true when the barrier is open, false if ctx ends first.
func (b *barrier) wait(ctx context.Context) bool {
	select {
	case <-b.open:
		return true
	case <-ctx.Done():
		return false
	}
}

// TestSingleflightComputesOnceForConcurrentMisses makes 100 goroutines ask
// for one amount, and holds the first computation until all 100 have
// called Convert, so every one of them misses the lru while it runs. Only
// singleflight turns those 100 misses into one computation; the plain lru
// below it computes many times in the same test.
func TestSingleflightComputesOnceForConcurrentMisses(t *testing.T) {
	const goroutines = 100
	for _, tt := range []struct {
		kind string
		once bool
	}{{"singleflight", true}, {"lru", false}} {
		t.Run(tt.kind+" with 100 goroutines missing one amount", func(t *testing.T) {
			ctx := testCtx(t)
			called := newBarrier(goroutines)
			c := newCache(t, tt.kind, DefaultRules(), Options{
				OnCompute: func(context.Context, int64) {
					assert.True(t, called.wait(ctx), "not every goroutine called Convert")
				},
			})
			results := make([]Result, goroutines)
			var wg sync.WaitGroup
			for i := range goroutines {
				wg.Go(func() {
					called.arrive()
					r, err := c.Convert(ctx, 250_000)
					assert.NoError(t, err)
					results[i] = r
				})
			}
			wg.Wait()
			for _, r := range results {
				assert.Equal(t, int64(200_000), r.Converted)
			}
			st := c.Stats()
			assert.Equal(t, int64(goroutines), st.Hits+st.Misses)
			assert.Equal(t, 1, st.Entries)
			if tt.once {
				assert.Equal(t, int64(1), st.Computations, "singleflight computes a hot miss once")
				assert.Zero(t, st.Duplicates)
			} else {
				assert.Greater(t, st.Computations, int64(1), "the lru alone computes a hot miss more than once")
				assert.Equal(t, st.Computations-1, st.Duplicates)
			}
		})
	}
}

// TestLockedHoldsItsLockAcrossTheComputation shows the original's design
// behaviourally: 100 goroutines convert 100 different amounts, and each
// computation waits until all 100 goroutines have called Convert and then
// yields the processor many times. Any other goroutine that could compute
// now would; under the locked cache none ever does.
func TestLockedHoldsItsLockAcrossTheComputation(t *testing.T) {
	const goroutines = 100
	for _, tt := range []struct {
		kind   string
		serial bool
	}{{"locked", true}, {"sharded", false}, {"rwlocked", false}, {"syncmap", false}, {"none", false}} {
		t.Run(tt.kind+" with 100 goroutines on 100 amounts", func(t *testing.T) {
			ctx := testCtx(t)
			called := newBarrier(goroutines)
			var active, most atomic.Int64
			c := newCache(t, tt.kind, DefaultRules(), Options{
				Shards: 64,
				OnCompute: func(context.Context, int64) {
					n := active.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					assert.True(t, called.wait(ctx), "not every goroutine called Convert")
					for range 100 {
						runtime.Gosched()
					}
					active.Add(-1)
				},
			})
			var wg sync.WaitGroup
			for i := range goroutines {
				wg.Go(func() {
					called.arrive()
					_, err := c.Convert(ctx, 1_000+100*int64(i))
					assert.NoError(t, err)
				})
			}
			wg.Wait()
			assert.Equal(t, int64(goroutines), c.Stats().Computations)
			if tt.serial {
				assert.Equal(t, int64(1), most.Load(), "computations ran one at a time")
			} else {
				assert.Greater(t, most.Load(), int64(1), "computations overlapped")
			}
		})
	}
}

// TestComputingOutsideTheLockDuplicatesWork holds two computations of the
// same amount until both have started: possible only because rwlocked,
// syncmap and lru compute outside any lock. Both run, one result is kept,
// and Stats.Duplicates shows the waste.
func TestComputingOutsideTheLockDuplicatesWork(t *testing.T) {
	for _, kind := range []string{"rwlocked", "syncmap", "lru"} {
		t.Run(kind+" computes one amount twice for two concurrent misses", func(t *testing.T) {
			ctx := testCtx(t)
			both := newBarrier(2)
			c := newCache(t, kind, DefaultRules(), Options{
				OnCompute: func(context.Context, int64) {
					both.arrive()
					assert.True(t, both.wait(ctx), "the second computation never started")
				},
			})
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					r, err := c.Convert(ctx, 5_000)
					assert.NoError(t, err)
					assert.Equal(t, int64(3_500), r.Converted)
				})
			}
			wg.Wait()
			st := c.Stats()
			assert.Equal(t, int64(2), st.Misses)
			assert.Equal(t, int64(2), st.Computations)
			assert.Equal(t, int64(1), st.Duplicates)
			assert.Equal(t, 1, st.Entries)
		})
	}
}

// TestShardedComputesInDifferentShardsAtOnce holds a computation until a
// second one, in another shard, has started: it can only pass if shards
// lock independently.
func TestShardedComputesInDifferentShardsAtOnce(t *testing.T) {
	ctx := testCtx(t)
	both := newBarrier(2)
	c := newCache(t, "sharded", DefaultRules(), Options{
		Shards: 8,
		OnCompute: func(context.Context, int64) {
			both.arrive()
			assert.True(t, both.wait(ctx), "the other shard's computation never started")
		},
	})
	s := c.(*sharded)
	a, b := int64(1_000), int64(1_100)
	for s.shardOf(b) == s.shardOf(a) {
		b += 100
	}
	var wg sync.WaitGroup
	for _, p := range []int64{a, b} {
		wg.Go(func() {
			_, err := c.Convert(ctx, p)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, int64(2), c.Stats().Computations)
}

func TestShardedSpreadsMultiplesOfTheStep(t *testing.T) {
	c := newCache(t, "sharded", DefaultRules(), Options{Shards: 16}).(*sharded)
	used := map[*shard]int{}
	for i := range 1_600 {
		used[c.shardOf(1_000+100*int64(i))]++
	}
	assert.Len(t, used, 16, "every shard is used")
	for _, n := range used {
		assert.InDelta(t, 100, n, 50, "shards are roughly even")
	}
}

// TestLRUNeverExceedsItsCapacity checks the bound after every call, from 8
// goroutines drawing from 10 times more amounts than the cache holds.
func TestLRUNeverExceedsItsCapacity(t *testing.T) {
	const capacity = 64
	for _, kind := range []string{"lru", "singleflight"} {
		t.Run(kind+" holds at most its capacity under parallel load", func(t *testing.T) {
			c := newCache(t, kind, DefaultRules(), Options{Capacity: capacity})
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					rng := rand.New(rand.NewSource(int64(g)))
					for range 3_000 {
						_, err := c.Convert(t.Context(), 1_000+100*rng.Int63n(10*capacity))
						if !assert.NoError(t, err) {
							return
						}
						if st := c.Stats(); !assert.LessOrEqual(t, st.Entries, capacity) {
							return
						}
					}
				})
			}
			wg.Wait()
			st := c.Stats()
			assert.Equal(t, capacity, st.Entries, "full after so many distinct amounts")
			assert.Equal(t, capacity, st.Capacity)
			assert.Positive(t, st.Evictions)
			assert.Equal(t, st.Computations-st.Duplicates, int64(st.Entries)+st.Evictions,
				"every stored result is either held or was evicted")
		})
	}
}
