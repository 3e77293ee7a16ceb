package demo_test

import (
	"testing"

	"go.uber.org/goleak"

	"conclab/demo"
	"conclab/internal/proctest"
)

func TestMain(m *testing.M) {
	demo.RunChildIfRequested()
	goleak.VerifyTestMain(proctest.NoChildrenLeft{M: m})
}
