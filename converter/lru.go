package converter

import (
	"context"
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"
)

// lruCache bounds the cache: at most capacity results, the least recently
// used one evicted to make room. The other caches grow with every distinct
// amount ever asked, which is a memory leak when amounts come from users.
// hashicorp's LRU takes its own lock on every call, hits included (a hit
// moves the entry to the front, which is a write); computations run outside
// it, so concurrent misses on one amount may compute it more than once.
type lruCache struct {
	*base
	lru *lru.Cache[int64, Result]
	cap int
}

func newLRU(b *base, capacity int) (*lruCache, error) {
	c := &lruCache{base: b, cap: capacity}
	l, err := lru.NewWithEvict(capacity, func(int64, Result) { c.evictions.Add(1) })
	if err != nil {
		return nil, fmt.Errorf("converter: lru of %d: %w", capacity, err)
	}
	c.lru = l
	return c, nil
}

func (c *lruCache) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	if r, ok := c.lru.Get(points); ok {
		c.hits.Add(1)
		return r, nil
	}
	c.misses.Add(1)
	r, err := c.compute(ctx, points)
	if err != nil {
		return Result{}, err
	}
	if found, _ := c.lru.ContainsOrAdd(points, r); found {
		c.duplicates.Add(1)
	}
	return r, nil
}

func (c *lruCache) Stats() Stats { return c.stats(c.lru.Len(), c.cap) }
