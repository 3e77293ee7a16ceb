package child_test

import (
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

// The roles of this test binary.
const (
	roleEcho    = "child-test-echo"   // announces its config, then echoes stdin to stdout
	roleSilent  = "child-test-silent" // waits for stdin to close, announcing nothing
	roleExit    = "child-test-exit"   // exits with status 3 at once
	roleBadJSON = "child-test-bad"    // announces a line that is not JSON
	roleLog     = "child-test-log"    // writes two lines to stderr, the last without newline
)

func init() {
	child.Register(roleEcho, func() int {
		if err := child.Announce(os.Stdout, map[string]string{"config": child.Config()}); err != nil {
			return 1
		}
		_, _ = io.Copy(os.Stdout, os.Stdin)
		return 0
	})
	child.Register(roleSilent, func() int {
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	})
	child.Register(roleExit, func() int { return 3 })
	child.Register(roleBadJSON, func() int {
		fmt.Println("listening on 127.0.0.1:1")
		time.Sleep(10 * time.Second)
		return 0
	})
	child.Register(roleLog, func() int {
		fmt.Fprint(os.Stderr, "one\ntwo")
		return 0
	})
}

func TestMain(m *testing.M) {
	child.RunIfChild()
	// Under -race every process sleeps a second at exit so that late race
	// reports can print; the children inherit this setting.
	if _, ok := os.LookupEnv("GORACE"); !ok {
		_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
