package iobound

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	RunServerIfChild()
	goleak.VerifyTestMain(m)
}
