package converter

import "context"

// sharded is locked cut into N independent pieces: an amount's shard is
// chosen by a hash, and each shard's mutex is held across its computations.
// Amounts in different shards no longer wait for each other; amounts in the
// same shard still do, so one hot amount still stalls its whole shard.
type sharded struct {
	*base
	shards []shard
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
	return c.shardOf(points).convert(ctx, c.base, points)
}

func (c *sharded) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }
