package converter

import (
	"context"
	"sync"
)

// locked is the original's dict and Lock: one map, one mutex, held across
// the computation. It is correct and never computes an amount twice, but
// while one goroutine computes, every other one waits, hits included: the
// cache runs one call at a time.
type locked struct {
	*base
	mu sync.Mutex
	m  map[int64]Result
}

func newLocked(b *base) *locked { return &locked{base: b, m: make(map[int64]Result)} }

func (c *locked) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.m[points]; ok {
		c.hits.Add(1)
		return r, nil
	}
	c.misses.Add(1)
	r, err := c.compute(ctx, points)
	if err != nil {
		return Result{}, err
	}
	c.m[points] = r
	c.entries.Add(1)
	return r, nil
}

func (c *locked) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }
