package converter

import (
	"context"
	"sync"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// shard is one map and the mutex that guards it: the whole of the locked
// cache, and one of the sharded cache's pieces.
//
// The sharded cache keeps its shards side by side in one slice, and every
// call writes its shard's mutex. Were two shards on one cache line, a core
// locking one would take the line from the core locking its neighbour,
// and shards meant to be independent would slow each other (false
// sharing). So a shard fills whole cache lines, and a line of padding in
// front of its fields keeps them a line away from the previous shard's
// even when the slice does not start on a line boundary, which Go does
// not promise.
type shard struct {
	_ cpu.CacheLinePad
	shardFields
	_ [cacheLine - unsafe.Sizeof(shardFields{})%cacheLine]byte
}

type shardFields struct {
	mu sync.Mutex
	m  map[int64]Result
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
