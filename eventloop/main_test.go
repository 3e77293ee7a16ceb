package eventloop

import (
	"testing"

	"go.uber.org/goleak"

	"conclab/iobound"
)

func TestMain(m *testing.M) {
	iobound.RunServerIfChild()
	goleak.VerifyTestMain(m)
}
