//go:build !unix

package faults

import "testing"

func ensureDescriptors(t *testing.T, need uint64) {
	t.Skip("no RLIMIT_NOFILE on this platform")
}
