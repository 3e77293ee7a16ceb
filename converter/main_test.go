package converter

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func writeFile(path, data string) error { return os.WriteFile(path, []byte(data), 0o644) }
