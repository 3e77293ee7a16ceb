package converter

import (
	"context"
	"fmt"
	"strconv"

	"golang.org/x/sync/singleflight"
)

// flight puts singleflight in front of the lru: concurrent misses on one
// amount join the one computation already in flight instead of starting
// their own, so an amount is computed once however many goroutines want it
// at the same moment (a "cache stampede" on a hot key costs one
// computation, not one per goroutine).
//
// The computation runs with the context of the goroutine that started it,
// stripped of its cancellation: one caller giving up must not fail the
// others waiting for the same result. Each caller waits on its own
// context, and leaves when that is done.
type flight struct {
	*lruCache
	group singleflight.Group
}

func newFlight(b *base, capacity int) (*flight, error) {
	l, err := newLRU(b, capacity)
	if err != nil {
		return nil, err
	}
	return &flight{lruCache: l}, nil
}

func (c *flight) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	if r, ok := c.lru.Get(points); ok {
		c.hits.Add(1)
		return r, nil
	}
	c.misses.Add(1)
	detached := context.WithoutCancel(ctx)
	ch := c.group.DoChan(strconv.FormatInt(points, 10), func() (any, error) {
		// A flight for this amount may have ended between our Get and
		// DoChan; it stored its result, and computing again would be the
		// duplicate work this cache exists to avoid.
		if r, ok := c.lru.Peek(points); ok {
			return r, nil
		}
		r, err := c.compute(detached, points)
		if err != nil {
			return nil, err
		}
		c.lru.Add(points, r)
		return r, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Result{}, res.Err
		}
		return res.Val.(Result), nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("converter: %s points: %w", FormatPoints(points), context.Cause(ctx))
	}
}
