package converter

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	mrand "math/rand"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/internal/testserver"
)

// newRedisCache connects a Redis cache to url and closes it when the test
// ends. Each call is a separate client with its own connections: several
// of them stand in for several processes sharing one server.
func newRedisCache(t *testing.T, url string, rules Rules, opts RedisOptions) *Redis {
	t.Helper()
	if opts.Timeout == 0 {
		// A safety net for tests that hold computations on barriers,
		// never a measure.
		opts.Timeout = time.Minute
	}
	c, err := NewRedis(t.Context(), url, rules, opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, c.Close()) })
	require.Equal(t, "redis", c.Kind())
	return c
}

// testNamespace returns a namespace no other test uses.
func testNamespace() string { return "test:" + rand.Text() }

// sumStats adds the counters of several caches.
func sumStats[C Cache](caches []C) Stats {
	var sum Stats
	for _, c := range caches {
		st := c.Stats()
		sum.Hits += st.Hits
		sum.Misses += st.Misses
		sum.Computations += st.Computations
		sum.Duplicates += st.Duplicates
		sum.Entries += st.Entries
	}
	return sum
}

func TestRedisReturnsWhatTheRulesReturn(t *testing.T) {
	srv := testserver.Redis(t)
	for _, tt := range []struct {
		name   string
		rules  Rules
		inputs []int64
	}{
		{"valid and invalid amounts, repeated", DefaultRules(),
			[]int64{math.MinInt64, -1, 0, 999, 1_000, 1_050, 99_900, 100_000, 1_000, 100_000, 10_000_100, math.MaxInt64}},
		{"amounts whose conversion overflows", overflowRules(),
			[]int64{1, math.MaxInt64 / 2, math.MaxInt64/2 + 1, math.MaxInt64, 1, math.MaxInt64}},
	} {
		t.Run("redis agrees with the rules on "+tt.name, func(t *testing.T) {
			c := newRedisCache(t, srv.URL, tt.rules, RedisOptions{Namespace: testNamespace()})
			for _, p := range tt.inputs {
				want, wantErr := tt.rules.Convert(p)
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
}

func TestRedisCountsHitsMissesAndComputations(t *testing.T) {
	srv := testserver.Redis(t)
	c := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: testNamespace()})
	for _, p := range []int64{1_000, 1_000, 1_000, 2_000, 500} {
		_, _ = c.Convert(t.Context(), p) // 500 is refused, and not counted
	}
	assert.Equal(t, Stats{Hits: 2, Misses: 2, Computations: 2, Entries: 2, Capacity: Unbounded}, c.Stats())
}

// TestRedisComputesOnceForConcurrentMisses asks for one amount from many
// goroutines at once, on one client and on several, and holds the one
// computation until every call has missed: each of them has found no
// result and no free lock while it ran, so the overlap is certain. One
// computation serves them all.
func TestRedisComputesOnceForConcurrentMisses(t *testing.T) {
	srv := testserver.Redis(t)
	for _, tt := range []struct {
		name                string
		clients, goroutines int
	}{
		{"100 goroutines on one client", 1, 100},
		{"4 clients of 25 goroutines each, like 4 processes", 4, 25},
	} {
		t.Run(tt.name+" compute a missing amount once", func(t *testing.T) {
			ctx := testCtx(t)
			total := int64(tt.clients * tt.goroutines)
			ns := testNamespace()
			var caches []*Redis
			hold := func(context.Context, int64) {
				for sumStats(caches).Misses < total {
					if !assert.NoError(t, ctx.Err(), "not every call missed") {
						return
					}
					time.Sleep(time.Millisecond)
				}
			}
			for range tt.clients {
				caches = append(caches, newRedisCache(t, srv.URL, DefaultRules(),
					RedisOptions{Namespace: ns, Options: Options{OnCompute: hold}}))
			}
			var wg sync.WaitGroup
			for _, c := range caches {
				for range tt.goroutines {
					wg.Go(func() {
						r, err := c.Convert(ctx, 250_000)
						assert.NoError(t, err)
						assert.Equal(t, int64(200_000), r.Converted)
					})
				}
			}
			wg.Wait()
			assert.Equal(t, Stats{Misses: total, Computations: 1, Entries: 1}, sumStats(caches))
		})
	}
}

// TestRedisComputesEachAmountOnceAcrossClients runs 4 clients of 4
// goroutines, each converting the same 50 amounts in its own order, and
// compares with a cache per client, which is what a mutex-guarded map in
// each process gives: that one computes every amount once per client, the
// shared one once in all.
func TestRedisComputesEachAmountOnceAcrossClients(t *testing.T) {
	const clients, goroutines, amounts = 4, 4, 50
	srv := testserver.Redis(t)
	rules := DefaultRules()
	for _, tt := range []struct {
		name   string
		shared bool
	}{{"a cache per client computes each amount once per client", false}, {"redis computes each amount once in all", true}} {
		t.Run(tt.name, func(t *testing.T) {
			ns := testNamespace()
			var caches []Cache
			for range clients {
				if tt.shared {
					caches = append(caches, newRedisCache(t, srv.URL, rules, RedisOptions{Namespace: ns}))
				} else {
					caches = append(caches, newCache(t, "locked", rules, Options{}))
				}
			}
			var wg sync.WaitGroup
			for i, c := range caches {
				for g := range goroutines {
					wg.Go(func() {
						for _, k := range mrand.New(mrand.NewSource(int64(i*goroutines + g))).Perm(amounts) {
							p := 1_000 + 100*int64(k)
							want, _ := rules.Convert(p)
							got, err := c.Convert(t.Context(), p)
							if !assert.NoError(t, err) || !assert.Equal(t, want, got) {
								return
							}
						}
					})
				}
			}
			wg.Wait()
			st := sumStats(caches)
			assert.Equal(t, int64(clients*goroutines*amounts), st.Hits+st.Misses)
			if tt.shared {
				assert.Equal(t, int64(amounts), st.Computations)
				assert.Equal(t, amounts, st.Entries)
			} else {
				assert.Equal(t, int64(clients*amounts), st.Computations)
			}
			assert.Zero(t, st.Duplicates)
		})
	}
}

// TestRedisLockDoesNotSurviveAStalledHolder plays what the lock cannot
// prevent. A computes while holding the lock, and stalls past its expiry;
// B finds the lock expired, takes it and computes too. A, resuming, stores
// its result and must leave B's lock alone; B then finds A's result
// stored, keeps it and counts its own work as a duplicate. Two
// computations, one result, and no wrong answer, since a conversion is a
// pure function of the amount.
func TestRedisLockDoesNotSurviveAStalledHolder(t *testing.T) {
	srv := testserver.Redis(t)
	ctx := testCtx(t)
	ns := testNamespace()
	bComputing, aStored := make(chan struct{}), make(chan struct{})
	aComputing := make(chan struct{})
	a := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: ns, LockExpiry: 20 * time.Millisecond,
		Options: Options{OnCompute: func(context.Context, int64) {
			close(aComputing)
			<-bComputing // A stalls until B holds the lock A lost
		}}})
	b := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: ns, LockExpiry: time.Minute,
		Options: Options{OnCompute: func(context.Context, int64) {
			close(bComputing)
			<-aStored
		}}})
	aDone := make(chan Result, 1)
	go func() {
		r, err := a.Convert(ctx, 5_000)
		assert.NoError(t, err)
		aDone <- r
	}()
	<-aComputing
	bDone := make(chan Result, 1)
	go func() {
		r, err := b.Convert(ctx, 5_000)
		assert.NoError(t, err)
		bDone <- r
	}()
	ra := <-aDone
	lock := a.keyOf(5_000) + ":lock"
	n, err := a.client.Exists(ctx, lock).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "A left B's lock alone")
	close(aStored)
	rb := <-bDone
	assert.Equal(t, int64(3_500), ra.Converted)
	assert.Equal(t, ra, rb)
	n, err = a.client.Exists(ctx, lock).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "B released its own lock")
	assert.Equal(t, Stats{Misses: 1, Computations: 1, Entries: 1, Capacity: Unbounded}, a.Stats())
	assert.Equal(t, Stats{Misses: 1, Computations: 1, Duplicates: 1, Capacity: Unbounded}, b.Stats())
}

// TestRedisFailedComputationReleasesItsLock cancels a computation that
// holds the lock: the lock is released at once, so the next caller computes
// at once instead of waiting for the expiry (an hour here, far beyond the
// call's timeout), and nothing is stored.
func TestRedisFailedComputationReleasesItsLock(t *testing.T) {
	srv := testserver.Redis(t)
	ctx := testCtx(t)
	entered := make(chan struct{}, 1)
	var first atomic.Bool
	first.Store(true)
	c := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{
		Namespace: testNamespace(), LockExpiry: time.Hour, Timeout: time.Minute,
		Options: Options{Cost: Cost{Sleep: time.Millisecond}, OnCompute: func(ctx context.Context, _ int64) {
			if first.Swap(false) {
				entered <- struct{}{}
				<-ctx.Done() // the caller gives up while computing
			}
		}},
	})
	callCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := c.Convert(callCtx, 1_000)
		done <- err
	}()
	<-entered
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	r, err := c.Convert(ctx, 1_000)
	require.NoError(t, err)
	assert.Equal(t, int64(700), r.Converted)
	assert.Equal(t, int64(2), c.Stats().Computations)
	assert.Equal(t, 1, c.Stats().Entries)
}

// TestRedisKeepsRulesAndNamespacesApart shares one server among caches
// with other rules or another namespace: none ever reads another's
// result.
func TestRedisKeepsRulesAndNamespacesApart(t *testing.T) {
	srv := testserver.Redis(t)
	ns := testNamespace()
	richer := DefaultRules()
	richer.Tiers = []Tier{{From: 0, Rate: Rate{A: 10, B: 9}}}
	seven := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: ns})
	nine := newRedisCache(t, srv.URL, richer, RedisOptions{Namespace: ns})
	other := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: testNamespace()})
	for _, tt := range []struct {
		c    *Redis
		want int64
	}{{seven, 700}, {nine, 900}, {seven, 700}, {other, 700}} {
		r, err := tt.c.Convert(t.Context(), 1_000)
		require.NoError(t, err)
		assert.Equal(t, tt.want, r.Converted)
	}
	assert.Equal(t, int64(1), seven.Stats().Hits)
	assert.Equal(t, int64(1), nine.Stats().Computations, "other rules, other keys")
	assert.Equal(t, int64(1), other.Stats().Computations, "another namespace, other keys")
}

func TestRedisRefusesAValueItCannotRead(t *testing.T) {
	srv := testserver.Redis(t)
	c := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: testNamespace()})
	require.NoError(t, c.client.Set(t.Context(), c.keyOf(1_000), "seven hundred", 0).Err())
	_, err := c.Convert(t.Context(), 1_000)
	require.ErrorIs(t, err, ErrSharedCache)
	assert.EqualError(t, err, fmt.Sprintf(`converter: 1,000 points: shared cache failed: %s: read: `+
		`stored value "seven hundred" is not a number of points`, srv.URL))
}

// TestRedisStoppedMidRunFailsOnlyWhatItMust stops the server while 3
// clients of 4 goroutines convert: the run completes, every conversion
// that succeeded is right, and every one that failed says the shared
// cache failed, and where.
func TestRedisStoppedMidRunFailsOnlyWhatItMust(t *testing.T) {
	srv := testserver.Redis(t)
	ctx := testCtx(t)
	redisClosesItsProbes(t)
	rules := DefaultRules()
	var computed atomic.Int64
	ns := testNamespace()
	var caches []*Redis
	for range 3 {
		caches = append(caches, newRedisCache(t, srv.URL, rules, RedisOptions{
			Namespace: ns, Timeout: 5 * time.Second,
			Options: Options{OnCompute: func(context.Context, int64) {
				if computed.Add(1) == 20 {
					assert.NoError(t, srv.Kill())
				}
			}},
		}))
	}
	var succeeded, failed atomic.Int64
	var wg sync.WaitGroup
	for _, c := range caches {
		for g := range 4 {
			wg.Go(func() {
				for i := range 40 {
					p := 1_000 + 100*int64((g*40+i)%60)
					got, err := c.Convert(ctx, p)
					if err != nil {
						failed.Add(1)
						assert.ErrorIs(t, err, ErrSharedCache)
						assert.ErrorContains(t, err, srv.URL)
						continue
					}
					succeeded.Add(1)
					want, _ := rules.Convert(p)
					assert.Equal(t, want, got)
				}
			})
		}
	}
	waitWithin(t, ctx, &wg)
	assert.Equal(t, int64(3*4*40), succeeded.Load()+failed.Load())
	// The 20th computation starts only after 8 goroutines of the 12 have
	// finished one, while the server was up, so 8 at least succeeded; the
	// one that stopped the server cannot store its result.
	assert.GreaterOrEqual(t, succeeded.Load(), int64(8), "the conversions before the stop succeeded")
	assert.Positive(t, failed.Load(), "the conversions after the stop failed")
}

// redisClosesItsProbes checks, once the test's clients are closed (it
// must be called before they are made), that they left no goroutine
// behind. A go-redis client whose dials are all refused starts a goroutine
// that probes the server once a second until it answers or the client is
// closed; it sees the close only when it next wakes up, after goleak in
// TestMain would have given up. So this waits for it, with a deadline.
func redisClosesItsProbes(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := goleak.Find(before)
			if err == nil || time.Now().After(deadline) {
				assert.NoError(t, err, "closed clients left goroutines behind")
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// waitWithin waits for wg, failing the test if ctx ends first: a run that
// hangs is what these tests exist to catch.
func waitWithin(t *testing.T, ctx context.Context, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the run did not complete")
	}
}

func TestNewRedisRefusesWhatItCannotUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "redis://" + l.Addr().String() + "/0"
	require.NoError(t, l.Close()) // nothing listens there now

	tests := []struct {
		name, url string
		err       error
		msg       string
	}{
		{"another scheme is refused", "http://127.0.0.1:6379/0", ErrCacheURL,
			"converter: cache URL http://127.0.0.1:6379/0: bad cache URL: redis: invalid URL scheme: http"},
		{"a database that is not a number is refused", "redis://127.0.0.1:6379/zero", ErrCacheURL,
			`converter: cache URL redis://127.0.0.1:6379/zero: bad cache URL: redis: invalid database number: "zero"`},
		{"an unknown parameter is refused", "redis://127.0.0.1:6379/0?colour=blue", ErrCacheURL,
			"converter: cache URL redis://127.0.0.1:6379/0?colour=blue: bad cache URL: redis: unexpected option: colour"},
		{"a URL that does not parse is refused without showing its password", "redis://u:secret@[::1/0", ErrCacheURL,
			"converter: cache URL redis://u:xxxxx@[::1/0: bad cache URL: "},
		{"a server that does not answer is refused", closed, ErrSharedCache,
			"converter: shared cache failed: " + closed + " does not answer: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRedis(t.Context(), tt.url, DefaultRules(), RedisOptions{Timeout: 10 * time.Second})
			require.ErrorIs(t, err, tt.err)
			assert.ErrorContains(t, err, tt.msg)
			assert.NotContains(t, err.Error(), "secret")
			if tt.err == ErrCacheURL {
				assert.EqualError(t, CheckCacheURL(tt.url), err.Error(), "CheckCacheURL says the same without connecting")
			} else {
				assert.NoError(t, CheckCacheURL(tt.url))
			}
		})
	}
	_, err = NewRedis(t.Context(), closed, DefaultRules(), RedisOptions{Timeout: -time.Second})
	assert.ErrorContains(t, err, "negative timeout")
	_, err = NewRedis(t.Context(), closed, Rules{}, RedisOptions{})
	assert.ErrorIs(t, err, ErrInvalidRules)
}

func TestRunLoadOnRedis(t *testing.T) {
	srv := testserver.Redis(t)
	t.Run("a load on redis computes each amount at most once", func(t *testing.T) {
		res, err := RunLoad(t.Context(), LoadConfig{Kind: "redis", CacheURL: srv.URL, Goroutines: 4, Ops: 2_000, Keys: 200})
		require.NoError(t, err)
		assert.Equal(t, "redis", res.Cache)
		assert.Equal(t, res.Ops, res.Hits+res.Misses)
		assert.LessOrEqual(t, res.Computations, int64(200))
		assert.Equal(t, int(res.Computations), res.Entries)
		assert.Nil(t, res.Capacity, "unbounded")
	})
	t.Run("each run starts cold in its own namespace", func(t *testing.T) {
		cfg := LoadConfig{Kind: "redis", CacheURL: srv.URL, Goroutines: 1, Ops: 100, Keys: 10}
		a, err := RunLoad(t.Context(), cfg)
		require.NoError(t, err)
		b, err := RunLoad(t.Context(), cfg)
		require.NoError(t, err)
		assert.Equal(t, a.Computations, b.Computations)
		cfg.Namespace = testNamespace()
		_, err = RunLoad(t.Context(), cfg)
		require.NoError(t, err)
		c, err := RunLoad(t.Context(), cfg)
		require.NoError(t, err)
		assert.Zero(t, c.Computations, "runs that share a namespace share results")
	})
	t.Run("RunAll adds redis when given its URL", func(t *testing.T) {
		results, err := RunAll(t.Context(), LoadConfig{CacheURL: srv.URL, Goroutines: 2, Ops: 500})
		require.NoError(t, err)
		var kinds []string
		for _, r := range results {
			kinds = append(kinds, r.Cache)
		}
		assert.Equal(t, append(Kinds(), "redis"), kinds)
	})
	t.Run("the redis kind needs a URL", func(t *testing.T) {
		_, err := RunLoad(t.Context(), LoadConfig{Kind: "redis"})
		assert.ErrorContains(t, err, "needs a CacheURL")
	})
}
