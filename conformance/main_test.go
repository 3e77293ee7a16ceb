package conformance

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

func TestMain(m *testing.M) {
	// This test binary is also the process pool's workers and the embedded
	// server's child process: those do their job here and never return.
	child.RunIfChild()
	// Under -race every process sleeps a second at exit so that late race
	// reports can print; every worker stop would pay it. The workers inherit
	// this setting. A GORACE the caller set is left alone.
	if _, ok := os.LookupEnv("GORACE"); !ok {
		_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
