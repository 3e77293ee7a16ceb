package demo_test

import (
	"testing"

	"go.uber.org/goleak"

	"conclab/demo"
)

func TestMain(m *testing.M) {
	demo.RunChildIfRequested()
	goleak.VerifyTestMain(m)
}
