package faults

import (
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

func TestMain(m *testing.M) {
	// This test binary is also the process pool's workers and the server's
	// child process: those do their job here and never return.
	child.RunIfChild()
	// Under -race every process sleeps a second at exit so that late race
	// reports can print; every worker stop would pay it. The workers inherit
	// this setting. A GORACE the caller set is left alone.
	if _, ok := os.LookupEnv("GORACE"); !ok {
		_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	// Go's own resolver, here and in the workers, which inherit the
	// environment: it refuses the unknown host name without a query, where
	// the C library's might ask a name server.
	_ = os.Setenv("GODEBUG", strings.TrimPrefix(os.Getenv("GODEBUG")+",netdns=go", ","))
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
