package converter

import (
	"context"
	"sync"
)

// sharded is locked cut into N independent pieces: an amount's shard is
// chosen by a hash, and each shard's mutex is held across its computations.
// Amounts in different shards no longer wait for each other; amounts in the
// same shard still do, so one hot amount still stalls its whole shard.
type sharded struct {
	*base
	shards []shard
}

type shard struct {
	mu sync.Mutex
	m  map[int64]Result
	_  [40]byte // a shard per cache line: locking one does not slow its neighbour
}

func newSharded(b *base, n int) *sharded {
	c := &sharded{base: b, shards: make([]shard, n)}
	for i := range c.shards {
		c.shards[i].m = make(map[int64]Result)
	}
	return c
}

// shardOf spreads amounts over the shards. Amounts are multiples of the step
// (of 100, say), so points % n alone would use a few shards only; a
// multiplicative (Fibonacci) hash mixes the bits first.
func (c *sharded) shardOf(points int64) *shard {
	h := uint64(points) * 0x9E3779B97F4A7C15
	return &c.shards[(h>>32)%uint64(len(c.shards))]
}

func (c *sharded) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	s := c.shardOf(points)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.m[points]; ok {
		c.hits.Add(1)
		return r, nil
	}
	c.misses.Add(1)
	r, err := c.compute(ctx, points)
	if err != nil {
		return Result{}, err
	}
	s.m[points] = r
	c.entries.Add(1)
	return r, nil
}

func (c *sharded) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }
