package converter

import (
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
	"go.uber.org/goleak"

	"conclab/internal/child"
)

func TestMain(m *testing.M) {
	child.RunIfChild()
	// go-redis logs every failed dial to stderr; the tests that stop a
	// server expect those failures and check the errors they cause.
	redis.SetLogger(&logging.VoidLogger{})
	goleak.VerifyTestMain(m)
}

func writeFile(path, data string) error { return os.WriteFile(path, []byte(data), 0o644) }
