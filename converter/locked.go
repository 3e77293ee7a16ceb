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
	shard
}

func newLocked(b *base) *locked {
	return &locked{base: b, shard: shard{m: make(map[int64]Result)}}
}

func (c *locked) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	return c.shard.convert(ctx, c.base, points)
}

func (c *locked) Stats() Stats { return c.stats(int(c.entries.Load()), Unbounded) }

// shard is one map and the mutex that guards it: the whole of the locked
// cache, and one of the sharded cache's pieces.
type shard struct {
	mu sync.Mutex
	m  map[int64]Result
	_  [40]byte // a shard per cache line: locking one does not slow its neighbour
}

// convert returns the cached result of points, or computes and stores it,
// holding the shard's lock throughout.
func (s *shard) convert(ctx context.Context, b *base, points int64) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.m[points]; ok {
		b.hits.Add(1)
		return r, nil
	}
	b.misses.Add(1)
	r, err := b.compute(ctx, points)
	if err != nil {
		return Result{}, err
	}
	s.m[points] = r
	b.entries.Add(1)
	return r, nil
}
