package converter

import (
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/cpu"
)

// packedShard is a shard without padding, as a struct of a mutex and a map
// naturally is: 16 bytes, four to a 64-byte line. The benchmarks measure
// what the padding buys against it.
type packedShard struct {
	mu sync.Mutex
	m  map[int64]Result
}

func TestPaddingPutsHotFieldsOnTheirOwnCacheLines(t *testing.T) {
	line := unsafe.Sizeof(cpu.CacheLinePad{})
	if line == 0 {
		t.Skip("golang.org/x/sys/cpu knows no cache line size on this platform")
	}
	require.GreaterOrEqual(t, cacheLine, line, "the padding rounds to at least the processor's line")
	require.Zero(t, cacheLine%line, "the padding rounds to whole processor lines")

	var s [2]shard
	t.Run("a shard occupies whole cache lines", func(t *testing.T) {
		assert.Zero(t, unsafe.Sizeof(shard{})%line, "size %d", unsafe.Sizeof(shard{}))
		assert.Equal(t, uintptr(unsafe.Pointer(&s[1]))-uintptr(unsafe.Pointer(&s[0])), unsafe.Sizeof(shard{}))
	})
	t.Run("neighbouring shards' mutexes and maps are at least a line apart", func(t *testing.T) {
		endOfFirst := uintptr(unsafe.Pointer(&s[0].m)) + unsafe.Sizeof(s[0].m)
		startOfSecond := uintptr(unsafe.Pointer(&s[1].mu))
		// A gap of a whole line means no line can hold a byte of both,
		// wherever the slice starts.
		assert.GreaterOrEqual(t, startOfSecond-endOfFirst, line)
		assert.GreaterOrEqual(t, unsafe.Offsetof(s[0].shardFields), line, "nothing before the mutex shares its line")
	})
	t.Run("the packed shard that the benchmarks compare against shares its line", func(t *testing.T) {
		assert.Less(t, unsafe.Sizeof(packedShard{}), line)
	})

	var b base
	counters := []struct {
		name string
		off  uintptr
	}{
		{"hits", unsafe.Offsetof(b.hits)}, {"misses", unsafe.Offsetof(b.misses)},
		{"computations", unsafe.Offsetof(b.computations)}, {"duplicates", unsafe.Offsetof(b.duplicates)},
		{"evictions", unsafe.Offsetof(b.evictions)}, {"entries", unsafe.Offsetof(b.entries)},
	}
	t.Run("every counter fills a line by itself", func(t *testing.T) {
		assert.Zero(t, unsafe.Sizeof(counter{})%line)
		for i := 1; i < len(counters); i++ {
			// Two 8-byte aligned values a line apart can never share one:
			// lines start at multiples of the line size.
			assert.GreaterOrEqual(t, counters[i].off-counters[i-1].off, line,
				"%s and %s", counters[i-1].name, counters[i].name)
		}
	})
	t.Run("the counters are a line away from the read-only fields", func(t *testing.T) {
		endOfReadOnly := unsafe.Offsetof(b.hook) + unsafe.Sizeof(b.hook)
		assert.GreaterOrEqual(t, counters[0].off-endOfReadOnly, line)
	})
}

// BenchmarkFalseSharing isolates false sharing: every goroutine of
// b.RunParallel works on its own shard (or counter), so no data is shared
// and no lock is ever contended; only the cache lines are, when the
// layout is packed. "shards" is the sharded cache's hit path (lock, look
// up, unlock) on padded shards against packed ones; "counters" is the
// hit/miss counting of every cache, one counter per goroutine, padded or
// packed. The difference is the cost of cores taking a line from each
// other; it grows with the number of cores, and is nil with one.
//
//	go test -run '^$' -bench FalseSharing -cpu 1,2,4 ./converter
func BenchmarkFalseSharing(b *testing.B) {
	n := 64 // more than any -cpu value used here; goroutine i takes slot i
	padded, packed := make([]shard, n), make([]packedShard, n)
	for i := range n {
		padded[i].m = map[int64]Result{1_000: {}}
		packed[i].m = map[int64]Result{1_000: {}}
	}
	paddedCounters, packedCounters := make([]counter, n), make([]atomic.Int64, n)
	cases := []struct {
		name string
		op   func(i int)
	}{
		{"shards/layout=padded", func(i int) {
			s := &padded[i]
			s.mu.Lock()
			_ = s.m[1_000]
			s.mu.Unlock()
		}},
		{"shards/layout=packed", func(i int) {
			s := &packed[i]
			s.mu.Lock()
			_ = s.m[1_000]
			s.mu.Unlock()
		}},
		{"counters/layout=padded", func(i int) { paddedCounters[i].Add(1) }},
		{"counters/layout=packed", func(i int) { packedCounters[i].Add(1) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(1)-1) % n
				for pb.Next() {
					c.op(i)
				}
			})
		})
	}
}
