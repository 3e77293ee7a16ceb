package testserver

import (
	"testing"

	"go.uber.org/goleak"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

func TestMain(m *testing.M) {
	child.RunIfChild()
	// Every server a test starts must be gone when the tests end.
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
