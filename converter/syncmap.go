package converter

import (
	"context"
	"sync"
)

// syncMap uses sync.Map, which is built for this case: keys written once
// and read many times by many goroutines. Hits take no lock at all. Misses
// compute outside any lock and store with LoadOrStore, so, as with
// rwlocked, concurrent misses on one amount compute it more than once.
type syncMap struct {
	*base
	m sync.Map // int64 -> Result
}

func (c *syncMap) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	if v, ok := c.m.Load(points); ok {
		c.hits.Add(1)
		return v.(Result), nil
	}
	c.misses.Add(1)
	r, err := c.compute(ctx, points)
	if err != nil {
		return Result{}, err
	}
	if prev, loaded := c.m.LoadOrStore(points, r); loaded {
		c.duplicates.Add(1)
		return prev.(Result), nil
	}
	c.entries.Add(1)
	return r, nil
}

func (c *syncMap) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }
