package iobound

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

func TestChild(t *testing.T) {
	t.Run("a child serves the pages and exits cleanly on Close", func(t *testing.T) {
		c, err := StartChild(context.Background(), Config{Latency: time.Millisecond})
		require.NoError(t, err)
		assert.NotEqual(t, syscall.Getpid(), c.PID())

		client := newTestClient(t, 5*time.Second)
		for _, tt := range []struct {
			url  string
			size int
		}{{c.URL(PathBig), BigPageBytes}, {c.URL(PathSmall), SmallPageBytes}} {
			_, body, getErr, readErr := get(client, tt.url)
			require.NoError(t, getErr)
			require.NoError(t, readErr)
			assert.Len(t, body, tt.size)
		}
		assert.Len(t, c.URLs(2), 4)
		client.CloseIdleConnections()

		require.NoError(t, c.Close())
		require.NotNil(t, c.proc.State(), "the child has been waited for")
		assert.True(t, c.proc.State().Exited(), "it exited by itself, not by a kill")
		assert.Equal(t, 0, c.proc.State().ExitCode())
		assert.NoError(t, c.Close(), "a second Close is harmless")
	})
	t.Run("a child gets its faults through the environment", func(t *testing.T) {
		c, err := StartChild(context.Background(), Config{Faults: map[string]Fault{"/broken": FaultStatus500}})
		require.NoError(t, err)
		defer c.Close()
		resp, _, getErr, _ := get(newTestClient(t, 5*time.Second), c.URL("/broken"))
		require.NoError(t, getErr)
		assert.Equal(t, 500, resp.StatusCode)
	})
	t.Run("a child exits cleanly on SIGTERM", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no SIGTERM on Windows")
		}
		c, err := StartChild(context.Background(), Config{})
		require.NoError(t, err)
		require.NoError(t, c.proc.Cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, c.Close())
		assert.Equal(t, 0, c.proc.State().ExitCode())
	})
	t.Run("a bad config fails before any process starts", func(t *testing.T) {
		c, err := StartChild(context.Background(), Config{Latency: -1})
		assert.Error(t, err)
		assert.Nil(t, c)
	})
	t.Run("a child cannot start a child of its own", func(t *testing.T) {
		t.Setenv(child.RoleEnv, childRole)
		c, err := StartChild(context.Background(), Config{})
		assert.ErrorIs(t, err, child.ErrNested)
		assert.Nil(t, c)
	})
	t.Run("failed starts leave no descriptor open", func(t *testing.T) {
		before, ok := proctest.OpenFDs()
		if !ok {
			t.Skip("no /proc to count descriptors")
		}
		// Deadlines from none to a few milliseconds end the start before the
		// fork, during it, or during the handshake: every path must close
		// both ends of both pipes.
		for i := range 10 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*time.Millisecond)
			c, err := StartChild(ctx, Config{})
			cancel()
			if err == nil {
				require.NoError(t, c.Close())
			}
		}
		after, _ := proctest.OpenFDs()
		assert.Equal(t, before, after, "descriptors open before and after")
	})
	t.Run("a cancelled start leaves no child behind", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c, err := StartChild(ctx, Config{})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, c)
	})
}
