package converter

import (
	"context"
	"sync"
)

// rwlocked lets hits share a read lock and computes outside any lock, then
// checks again under the write lock before storing. Hits no longer wait for
// a computation, but two goroutines that miss the same amount at the same
// time both compute it; the second finds the first's result when it goes
// to store its own, and Stats.Duplicates counts that wasted work.
type rwlocked struct {
	*base
	mu sync.RWMutex
	m  map[int64]Result
}

func newRWLocked(b *base) *rwlocked { return &rwlocked{base: b, m: make(map[int64]Result)} }

func (c *rwlocked) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	c.mu.RLock()
	r, ok := c.m[points]
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
		return r, nil
	}
	c.misses.Add(1)
	r, err := c.compute(ctx, points)
	if err != nil {
		return Result{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[points]; ok {
		c.duplicates.Add(1)
		return prev, nil
	}
	c.m[points] = r
	c.entries.Add(1)
	return r, nil
}

func (c *rwlocked) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }
