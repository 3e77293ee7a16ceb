package bench

import (
	"context"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
	"conclab/internal/procfs"
)

// spawner leaves a child process running from its first call on, as a pool
// that keeps its workers would.
type spawner struct {
	*fakeModel
	t     *testing.T
	child *exec.Cmd
}

func (s *spawner) SumSquares(ctx context.Context, numbers []int) (cpubound.Report, error) {
	if s.child == nil {
		s.child = startSleeper(s.t)
	}
	return s.fakeModel.SumSquares(ctx, numbers)
}

func startSleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func TestSamplerCountsWorkerProcesses(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep command")
	}
	t.Run("a worker alive during the runs counts as a process", func(t *testing.T) {
		m := &spawner{fakeModel: newFake(Baseline), t: t}
		sec, err := Runner{Runs: 1}.CPU(context.Background(), []Model{m}, []int{10})
		require.NoError(t, err)
		assert.Equal(t, 2, sec.Results[0].Processes)
		assert.Greater(t, sec.Results[0].PeakRSSBytes, int64(0))
	})
	t.Run("an excluded child, like the embedded server, does not", func(t *testing.T) {
		server := startSleeper(t)
		sec, err := Runner{Runs: 1, Exclude: []int{server.Process.Pid}}.CPU(context.Background(), []Model{newFake(Baseline)}, []int{10})
		require.NoError(t, err)
		assert.Equal(t, 1, sec.Results[0].Processes)
	})
	t.Run("a child that is not excluded is counted", func(t *testing.T) {
		startSleeper(t)
		sec, err := Runner{Runs: 1}.CPU(context.Background(), []Model{newFake(Baseline)}, []int{10})
		require.NoError(t, err)
		assert.Equal(t, 2, sec.Results[0].Processes)
	})
}

func TestProcReaders(t *testing.T) {
	w := procfs.NewWatch()
	defer w.Close()
	assert.Positive(t, selfThreads(w))
	rss, hwm := selfRSS()
	assert.Positive(t, rss)
	assert.GreaterOrEqual(t, hwm, rss)
}
