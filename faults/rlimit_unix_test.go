//go:build unix

package faults

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// ensureDescriptors makes sure this process, and the children it starts from
// now on, may open need descriptors: it raises the soft RLIMIT_NOFILE to the
// hard one when the soft one is lower, and skips the test, naming the limit,
// when even the hard one is too low. (Go raises the soft limit at start-up
// but gives children the original one back, unless the program sets the
// limit itself, as here.)
func ensureDescriptors(t *testing.T, need uint64) {
	t.Helper()
	var rl syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl))
	if rl.Max < need {
		t.Skipf("the hard descriptor limit (RLIMIT_NOFILE) is %d; this test needs %d", rl.Max, need)
	}
	saved := rl
	rl.Cur = rl.Max
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl),
		"raising the soft descriptor limit (RLIMIT_NOFILE) from %d to %d", saved.Cur, rl.Max)
	t.Logf("descriptor limit (RLIMIT_NOFILE): soft %d, hard %d; this test needs %d", saved.Cur, rl.Max, need)
}
