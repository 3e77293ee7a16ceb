package eventloop

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

func TestDownloadOutOfDescriptors(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to count descriptors")
	}
	child := startChild(t, iobound.Config{Latency: 5 * time.Millisecond})
	var saved syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved))
	limit := func(t *testing.T, free int) {
		// The limit bounds descriptor numbers, and new descriptors take
		// the lowest free number: find the limit below which exactly free
		// numbers are unused.
		entries, err := os.ReadDir("/proc/self/fd")
		require.NoError(t, err)
		open := make(map[uint64]bool)
		for _, e := range entries {
			var fd uint64
			_, err := fmt.Sscan(e.Name(), &fd)
			require.NoError(t, err)
			// The listing's own descriptor, closed by now, no longer reads.
			_, err = os.Readlink("/proc/self/fd/" + e.Name())
			open[fd] = err == nil
		}
		var n uint64
		for unused := 0; ; n++ {
			if !open[n] {
				unused++
			}
			if unused > free {
				break
			}
		}
		lim := saved
		lim.Cur = n
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
		t.Cleanup(func() { require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved)) })
	}
	t.Run("requests wait for a descriptor that a finished connection gives back", func(t *testing.T) {
		urls := child.URLs(15)
		limit(t, 2+4) // the poller's two, and four sockets
		report, err := Model{}.Download(t.Context(), urls)
		require.NoError(t, err)
		for _, res := range report.Results {
			assert.NoError(t, res.Err)
		}
	})
	t.Run("with no descriptor and no connection to give one back, requests fail with a clear error", func(t *testing.T) {
		urls := child.URLs(3)
		limit(t, 2) // the poller's two only
		report, err := Model{}.Download(t.Context(), urls)
		require.NoError(t, err)
		for _, res := range report.Results {
			require.ErrorIs(t, res.Err, ErrDescriptors)
			assert.ErrorIs(t, res.Err, syscall.EMFILE)
			assert.Contains(t, res.Err.Error(), "RLIMIT_NOFILE")
		}
	})
}
