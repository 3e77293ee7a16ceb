package demo_test

import (
	"testing"

	"go.uber.org/goleak"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

func TestMain(m *testing.M) {
	child.RunIfChild()
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
