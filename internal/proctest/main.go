package proctest

import (
	"fmt"
	"os"
	"testing"
)

// NoChildrenLeft wraps a test binary's testing.M so that the binary fails
// when any child process, running or unreaped, outlives its tests:
//
//	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
type NoChildrenLeft struct{ M *testing.M }

// Run runs the tests, then looks for children.
func (c NoChildrenLeft) Run() int {
	code := c.M.Run()
	if kids, ok := Children(os.Getpid()); ok && len(kids) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: child processes left behind: %v\n", kids)
		return 1
	}
	return code
}
