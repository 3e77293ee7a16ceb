package eventloop

import (
	"testing"

	"go.uber.org/goleak"

	"conclab/internal/child"
)

func TestMain(m *testing.M) {
	child.RunIfChild()
	goleak.VerifyTestMain(m)
}
