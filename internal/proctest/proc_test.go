package proctest_test

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/proctest"
)

func TestProcesses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	cmd := exec.Command("sleep", "30")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid

	t.Run("a running child is listed, with this process as its parent", func(t *testing.T) {
		kids, ok := proctest.Children(os.Getpid())
		require.True(t, ok)
		assert.Contains(t, kids, pid)
		assert.Equal(t, os.Getpid(), proctest.Parent(pid))
		assert.False(t, proctest.Gone(pid))
	})

	require.NoError(t, cmd.Process.Kill())
	t.Run("a killed child is gone before it is reaped, and listed until then", func(t *testing.T) {
		require.Eventually(t, func() bool { return proctest.Gone(pid) }, 10*time.Second, time.Millisecond)
		kids, _ := proctest.Children(os.Getpid())
		assert.Contains(t, kids, pid)
	})
	_ = cmd.Wait()
	t.Run("a reaped child is not listed", func(t *testing.T) {
		kids, _ := proctest.Children(os.Getpid())
		assert.NotContains(t, kids, pid)
		assert.Equal(t, -1, proctest.Parent(pid))
	})
}

func TestOpenFDs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	before, ok := proctest.OpenFDs()
	require.True(t, ok)
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	during, _ := proctest.OpenFDs()
	require.NoError(t, f.Close())
	after, _ := proctest.OpenFDs()
	assert.Equal(t, before+1, during)
	assert.Equal(t, before, after)
}
