//go:build linux

package procfs

import (
	"os"
	"testing"

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
