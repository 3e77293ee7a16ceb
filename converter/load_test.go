package converter

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunLoadMeasuresEveryKind(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind+" runs 20,000 calls on 4 goroutines", func(t *testing.T) {
			res, err := RunLoad(t.Context(), LoadConfig{Kind: kind, Goroutines: 4, Ops: 20_000, Keys: 2_000, Capacity: 256})
			require.NoError(t, err)
			assert.Equal(t, kind, res.Cache)
			assert.Equal(t, 4, res.Goroutines)
			assert.Equal(t, int64(20_000), res.Ops)
			assert.Equal(t, res.Ops, res.Hits+res.Misses, "every call is a hit or a miss")
			assert.LessOrEqual(t, res.Computations, res.Misses)
			assert.Positive(t, res.Seconds)
			assert.Positive(t, res.OpsPerSecond)
			assert.InDelta(t, res.Seconds*1e9/float64(res.Ops), res.NsPerOp, res.NsPerOp*1e-6)
			assert.Equal(t, DistZipf, res.Dist)
			assert.Equal(t, CostCheap, res.Cost)
			switch kind {
			case "none":
				require.NotNil(t, res.Capacity)
				assert.Zero(t, *res.Capacity)
				assert.Zero(t, res.HitRatio)
				assert.Equal(t, res.Ops, res.Computations)
			case "lru", "singleflight":
				require.NotNil(t, res.Capacity)
				assert.Equal(t, 256, *res.Capacity)
				assert.LessOrEqual(t, res.Entries, 256)
			default:
				assert.Nil(t, res.Capacity, "unbounded")
				assert.Greater(t, res.HitRatio, 0.5, "a Zipf load repeats its amounts")
			}
		})
	}
}

func TestLoadResultJSONHasTheContractKeys(t *testing.T) {
	for _, tt := range []struct {
		kind        string
		hasCapacity bool
	}{{"lru", true}, {"syncmap", false}, {"none", true}} {
		t.Run(tt.kind+" writes the converter.results keys", func(t *testing.T) {
			res, err := RunLoad(t.Context(), LoadConfig{Kind: tt.kind, Goroutines: 2, Ops: 1_000})
			require.NoError(t, err)
			data, err := json.Marshal(res)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			for _, key := range []string{"cache", "goroutines", "ops", "seconds", "ops_per_second", "ns_per_op",
				"hit_ratio", "hits", "misses", "computations", "evictions", "entries"} {
				assert.Contains(t, m, key)
			}
			_, ok := m["capacity"]
			assert.Equal(t, tt.hasCapacity, ok, "capacity is left out for an unbounded cache")
		})
	}
}

func TestRunLoadRepeatsExactlyOnOneGoroutine(t *testing.T) {
	cfg := LoadConfig{Kind: "lru", Goroutines: 1, Ops: 10_000, Keys: 1_000, Capacity: 100, Dist: DistUniform}
	a, err := RunLoad(t.Context(), cfg)
	require.NoError(t, err)
	b, err := RunLoad(t.Context(), cfg)
	require.NoError(t, err)
	assert.Equal(t, [4]int64{a.Hits, a.Misses, a.Computations, a.Evictions},
		[4]int64{b.Hits, b.Misses, b.Computations, b.Evictions})
	assert.Equal(t, DistUniform, a.Dist)
}

func TestZipfKeysFavourTheSmallest(t *testing.T) {
	keys := keyStream(DistZipf, 1.1, 1_000, 1, 50_000)
	count := make([]int, 1_000)
	for _, k := range keys {
		require.GreaterOrEqual(t, k, 0)
		require.Less(t, k, 1_000)
		count[k]++
	}
	assert.Greater(t, count[0], count[1])
	assert.Greater(t, count[1], count[10])
	assert.Greater(t, count[0], 50_000/10, "the hottest key takes a large share")
	assert.Equal(t, keys, keyStream(DistZipf, 1.1, 1_000, 1, 50_000), "the same seed gives the same stream")
	assert.NotEqual(t, keys, keyStream(DistZipf, 1.1, 1_000, 2, 50_000), "another seed gives another stream")
}

func TestUniformKeysSpreadEvenly(t *testing.T) {
	keys := keyStream(DistUniform, 1.1, 10, 1, 100_000)
	count := make([]int, 10)
	for _, k := range keys {
		count[k]++
	}
	for k, n := range count {
		assert.InDelta(t, 10_000, n, 600, "key %d", k)
	}
}

func TestValidAmountsAreTheSmallestTheRulesAccept(t *testing.T) {
	rules := DefaultRules()
	amounts, err := validAmounts(rules, 3)
	require.NoError(t, err)
	assert.Equal(t, []int64{1_000, 1_100, 1_200}, amounts)
	all, err := validAmounts(rules, 99_991)
	require.NoError(t, err)
	assert.Equal(t, int64(10_000_000), all[len(all)-1])
	_, err = validAmounts(rules, 99_992)
	assert.ErrorContains(t, err, "99992 keys asked, the rules accept 99991 amounts")
}

func TestRunLoadRefusesBadConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  LoadConfig
		err  error
		msg  string
	}{
		{"an unknown kind is refused", LoadConfig{Kind: "memcached"}, ErrUnknownKind, ""},
		{"an unknown distribution is refused", LoadConfig{Kind: "lru", Dist: "normal"}, ErrUnknownDist, ""},
		{"more keys than valid amounts are refused", LoadConfig{Kind: "lru", Keys: 1_000_000}, nil, "the rules accept"},
		{"a Zipf exponent of 1 is refused", LoadConfig{Kind: "lru", ZipfS: 1}, nil, "must be above 1"},
		{"negative goroutines are refused", LoadConfig{Kind: "lru", Goroutines: -1}, nil, "-1 goroutines"},
		{"invalid rules are refused", LoadConfig{Kind: "lru", Rules: &Rules{}}, ErrInvalidRules, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RunLoad(t.Context(), tt.cfg)
			require.Error(t, err)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			}
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestRunLoadStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := RunLoad(ctx, LoadConfig{Kind: "locked", Cost: Cost{Sleep: time.Hour}})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRunAllRunsEveryKindInOrder(t *testing.T) {
	results, err := RunAll(t.Context(), LoadConfig{Goroutines: 2, Ops: 2_000})
	require.NoError(t, err)
	var kinds []string
	for _, r := range results {
		kinds = append(kinds, r.Cache)
	}
	assert.Equal(t, Kinds(), kinds)
}

func TestCostPresets(t *testing.T) {
	for _, name := range CostPresets() {
		t.Run(name+" is named by its String", func(t *testing.T) {
			c, err := CostPreset(name)
			require.NoError(t, err)
			assert.Equal(t, name, c.String())
		})
	}
	_, err := CostPreset("free")
	assert.ErrorIs(t, err, ErrUnknownCost)
	assert.Equal(t, "spin=7,sleep=1ms", Cost{Spin: 7, Sleep: time.Millisecond}.String())
}

func TestCostIsPaidOncePerComputation(t *testing.T) {
	c := newCache(t, "locked", DefaultRules(), Options{Cost: Cost{Spin: 10, Sleep: time.Microsecond}})
	for range 5 {
		r, err := c.Convert(t.Context(), 1_000)
		require.NoError(t, err)
		assert.Equal(t, int64(700), r.Converted, "the cost changes the time, never the result")
	}
	assert.Equal(t, int64(1), c.Stats().Computations)
}

func TestAZeroLoadConfigFillsEveryDefault(t *testing.T) {
	cfg, err := LoadConfig{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, 8, cfg.Goroutines)
	assert.Equal(t, 100_000, cfg.Ops)
	assert.Equal(t, 10_000, cfg.Keys)
	assert.Equal(t, DistZipf, cfg.Dist)
	require.NotNil(t, cfg.Rules)
	assert.Equal(t, DefaultRules(), *cfg.Rules)
	cfg.Kind = "syncmap"
	_, err = RunLoad(t.Context(), cfg)
	assert.NoError(t, err)
}
