package converter

import "context"

// locked is the original's dict and Lock: one map, one mutex, held across
// the computation. It is correct and never computes an amount twice, but
// while one goroutine computes, every other one waits, hits included: the
// cache runs one call at a time.
type locked struct {
	*base
	shard
}

func newLocked(b *base) *locked {
	c := &locked{base: b}
	c.m = make(map[int64]Result)
	return c
}

func (c *locked) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	return c.shard.convert(ctx, c.base, points)
}

func (c *locked) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }
