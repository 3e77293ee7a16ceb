//go:build linux

package procfs

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Stat
		wantErr bool
	}{
		{"a plain name",
			"42 (sleep) S 7 42 7 0 -1 4194304 100 0 0 0 150 50 0 0 20 0 3 0 1 2 3",
			Stat{PID: 42, PPID: 7, State: 'S', CPU: 2e9, Threads: 3}, false},
		{"a name with spaces and parentheses",
			"9 (a (b) c) Z 1 9 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 1 2 3",
			Stat{PID: 9, PPID: 1, State: 'Z', CPU: 2e7, Threads: 1}, false},
		{"too few fields", "9 (x) S 1 2", Stat{}, true},
		{"no parentheses", "9 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", Stat{}, true},
		{"no pid", "(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", Stat{}, true},
		{"a field that is no number", "9 (x) S y 9 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0", Stat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.line))
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSelf(t *testing.T) {
	st, err := SelfStat()
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), st.PID)
	assert.Equal(t, os.Getppid(), st.PPID)
	assert.Positive(t, st.Threads)
	assert.False(t, st.Exited())

	status, err := StatusOf("self")
	require.NoError(t, err)
	assert.Positive(t, status.RSS)
	assert.GreaterOrEqual(t, status.HWM, status.RSS)

	n, err := OpenFDs()
	require.NoError(t, err)
	assert.Positive(t, n)

	threads, err := Threads(os.Getpid())
	require.NoError(t, err)
	assert.NotEmpty(t, threads)
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("42 (sleep) S 7 42 7 0 -1 4194304 100 0 0 0 150 50 0 0 20 0 3 0 1 2 3"))
	f.Add([]byte("9 (a) b) Z 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseStat(b) // must not panic
	})
}

// A Watch sees a child from its start to its exit, reads what a fresh read
// would, skips the children it is told to, and keeps no file of a child
// that is gone, nor any once closed.
func TestWatchFollowsChildren(t *testing.T) {
	fdsBefore, err := OpenFDs()
	require.NoError(t, err)
	w := NewWatch()

	self, err := w.Self()
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), self.PID)
	assert.Positive(t, self.Threads)

	start := func() *exec.Cmd {
		cmd := exec.Command("sleep", "60")
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	a, b := start(), start()
	pa, pb := a.Process.Pid, b.Process.Pid
	for range 3 { // the kept files read again as a fresh open would
		live := w.LiveChildren(func(int) bool { return false })
		require.Contains(t, live, pa)
		require.Contains(t, live, pb)
		assert.Equal(t, pa, live[pa].Stat.PID)
		assert.Equal(t, os.Getpid(), live[pa].Stat.PPID)
		assert.Positive(t, live[pa].Status.RSS)
	}
	live := w.LiveChildren(func(pid int) bool { return pid == pb })
	assert.Contains(t, live, pa)
	assert.NotContains(t, live, pb, "skipped")

	require.NoError(t, a.Process.Kill())
	_, _ = a.Process.Wait() // a zombie no more: gone
	require.NoError(t, b.Process.Kill())
	require.Eventually(t, func() bool { // b exits and is a zombie, not yet reaped
		st, err := StatOf(pb)
		return err == nil && st.Exited()
	}, 10*time.Second, time.Millisecond)
	live = w.LiveChildren(func(int) bool { return false })
	assert.NotContains(t, live, pa, "reaped")
	assert.NotContains(t, live, pb, "a zombie is not live")
	assert.Empty(t, w.kids, "no file kept for a child that is not live")

	require.NoError(t, w.Close())
	_, _ = b.Process.Wait() // and the pidfds of both children are closed
	fdsAfter, err := OpenFDs()
	require.NoError(t, err)
	assert.Equal(t, fdsBefore, fdsAfter, "every file the Watch opened is closed")
}

// The kept /proc/self/task is listed again from its start, and lists what
// a fresh ReadDir does, however many threads there are: the buffer grows.
func TestWatchListsThreadsAgain(t *testing.T) {
	w := NewWatch()
	defer w.Close()
	w.buf = make([]byte, 64) // room for a couple of entries: it must grow
	fresh := func() []string {
		entries, err := os.ReadDir("/proc/self/task")
		require.NoError(t, err)
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		return names
	}
	for range 3 {
		// The runtime may start a thread between the two listings: compare
		// again until the list held still through both.
		var got, want []string
		for range 100 {
			var err error
			got, err = w.threads()
			require.NoError(t, err)
			want = fresh()
			slices.Sort(got)
			slices.Sort(want)
			if slices.Equal(got, want) {
				break
			}
		}
		assert.Equal(t, want, got)
	}
}
