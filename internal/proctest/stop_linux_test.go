package proctest_test

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/proctest"
)

func TestStopped(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	t.Run("a running child is not stopped", func(t *testing.T) {
		assert.False(t, proctest.Stopped(pid))
	})
	require.NoError(t, cmd.Process.Signal(syscall.SIGSTOP))
	t.Run("a child sent SIGSTOP is stopped", func(t *testing.T) {
		require.Eventually(t, func() bool { return proctest.Stopped(pid) }, 10*time.Second, time.Millisecond)
	})
	require.NoError(t, cmd.Process.Signal(syscall.SIGCONT))
	t.Run("a child sent SIGCONT runs again", func(t *testing.T) {
		require.Eventually(t, func() bool { return !proctest.Stopped(pid) }, 10*time.Second, time.Millisecond)
		assert.False(t, proctest.Gone(pid))
	})
}
