//go:build linux

package multiproc

import (
	"context"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/proctest"
)

// TestStartNamesTheDescriptorLimit lowers this process's descriptor limit
// so that starting a worker runs out of descriptors, step after step.
// A descriptor gets the lowest free number and the limit caps the numbers,
// so limits that grow by one from below the count open now fail first at
// the stdin pipe, then at the stdout pipe (with the stdin pipe made), then
// in the fork, until a worker starts.
func TestStartNamesTheDescriptorLimit(t *testing.T) {
	t.Run("a start that runs out of descriptors fails the run, names RLIMIT_NOFILE and gives back what it took", func(t *testing.T) {
		var saved syscall.Rlimit
		require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved))
		before := openFDs(t)
		failedAt := map[string]bool{}
		for limit := before - 4; ; limit++ {
			require.Less(t, limit, before+64, "no worker started even with 64 descriptors to spare")
			low := saved
			low.Cur = uint64(limit)
			require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
			_, err := Pool{Procs: 1}.Download(context.Background(), []string{"http://127.0.0.1:1/"})
			require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved))
			if err == nil {
				break // the worker started
			}
			t.Logf("limit %d: %v", limit, err)
			require.ErrorIs(t, err, syscall.EMFILE)
			assert.Contains(t, err.Error(), "RLIMIT_NOFILE, is ")
			require.Equal(t, before, openFDs(t), "open descriptors after a start failed with the limit at %d", limit)
			for _, step := range []string{"stdin", "stdout", "start worker"} {
				if strings.Contains(err.Error(), step) {
					failedAt[step] = true
				}
			}
		}
		assert.Equal(t, map[string]bool{"stdin": true, "stdout": true, "start worker": true}, failedAt,
			"the steps at which a start ran out of descriptors")
	})
}

func openFDs(t *testing.T) int {
	t.Helper()
	n, ok := proctest.OpenFDs()
	require.True(t, ok, "needs /proc/self/fd")
	return n
}
