package multiproc

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

// envTestParent makes the test binary act as a parent that runs a pool and
// is then killed by the test (see TestWorkersDieWithTheirParent).
const envTestParent = "CONCLAB_MULTIPROC_TEST_PARENT"

// envTestUnwired makes the test binary behave as a main that forgot to call
// child.RunIfChild: "print" writes its usual output to stdout, "exit" exits
// at once (see TestStartFailsClearlyWithoutchild.RunIfChild).
const envTestUnwired = "CONCLAB_MULTIPROC_TEST_UNWIRED"

// envTestOneLife names a file that only one worker may create: a worker
// started after it exists exits at once, as a worker that cannot start
// would (see TestRunEndsWhenNoReplacementStarts).
const envTestOneLife = "CONCLAB_MULTIPROC_TEST_ONE_LIFE"

// envTestWorkerOne changes how worker 1 starts, before it becomes a worker:
// a duration delays it, "exit" makes it exit at once (see
// TestReadyWorkerDoesNotWaitForTheOthers and TestRunFailsWhenAWorkerCannotStart).
const envTestWorkerOne = "CONCLAB_MULTIPROC_TEST_WORKER_ONE"

func TestMain(m *testing.M) {
	if hook := os.Getenv(envTestWorkerOne); hook != "" && slices.Contains(os.Args, "-multiproc-worker=1") {
		if d, err := time.ParseDuration(hook); err == nil {
			time.Sleep(d)
		} else {
			os.Exit(1)
		}
	}
	if path := os.Getenv(envTestOneLife); path != "" && child.Role() != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			os.Exit(1)
		}
		_ = f.Close()
	}
	switch os.Getenv(envTestUnwired) {
	case "print":
		fmt.Println("usage: compare [io|cpu|convert] [flags]")
		os.Exit(0)
	case "exit":
		os.Exit(1)
	}
	child.RunIfChild()
	if os.Getenv(envTestParent) != "" {
		os.Exit(actAsParent())
	}
	// Under -race every process sleeps a second at exit so that late race
	// reports can print; every worker stop would pay it. The workers inherit
	// this setting. A GORACE the caller set is left alone.
	if _, ok := os.LookupEnv("GORACE"); !ok {
		_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
