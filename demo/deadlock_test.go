package demo_test

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/demo"
	"conclab/internal/proctest"
)

// funcs lists a goroutine's frames' functions.
func funcs(g demo.Goroutine) []string {
	var names []string
	for _, f := range g.Frames {
		names = append(names, f.Func)
	}
	return names
}

func TestDeadlock(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGQUIT: a hung child is killed without its stacks")
	}
	// Half a second is long: the goroutines block microseconds after the
	// line that starts the watchdog.
	rep, err := demo.Deadlock(context.Background(), demo.DeadlockConfig{Patience: 500 * time.Millisecond})
	require.NoError(t, err)
	assert.True(t, rep.CanQuit)

	t.Run("no child is left behind", func(t *testing.T) {
		if kids, ok := proctest.Children(os.Getpid()); ok {
			assert.Empty(t, kids)
		}
	})
	t.Run("the watchdog finds the lock-order inversion and shows both stacks", func(t *testing.T) {
		inv := rep.Inversion
		assert.True(t, inv.Quit, "the runtime cannot see it: the main goroutine waits with a timer")
		assert.Empty(t, inv.Fatal)
		assert.Equal(t, 2, inv.ExitCode, "the runtime exits with status 2 after SIGQUIT")
		require.Len(t, inv.Stacks, 2)
		want := map[string]bool{"demo.lockM1ThenM2": false, "demo.lockM2ThenM1": false}
		for _, g := range inv.Stacks {
			assert.Equal(t, "sync.Mutex.Lock", g.State, "goroutine %d waits in Lock", g.ID)
			names := funcs(g)
			require.NotEmpty(t, names)
			assert.Equal(t, "sync.(*Mutex).Lock", names[0], "the trimmed stack starts where it waits")
			last := names[len(names)-1]
			_, ok := want[last]
			assert.True(t, ok, "the trimmed stack ends in the demonstration's function, not %s", last)
			want[last] = true
			assert.Regexp(t, `^deadlock\.go:\d+$`, g.Frames[len(g.Frames)-1].Pos)
		}
		assert.Equal(t, map[string]bool{"demo.lockM1ThenM2": true, "demo.lockM2ThenM1": true}, want, "one stack each")
	})
	t.Run("a wait nobody can end is caught by the runtime, unless cgo is linked", func(t *testing.T) {
		a := rep.Asleep
		require.Len(t, a.Stacks, 1)
		assert.Equal(t, "chan receive", a.Stacks[0].State)
		assert.Equal(t, []string{"demo.waitForNobody"}, funcs(a.Stacks[0]))
		assert.Equal(t, 2, a.ExitCode)
		if !rep.Cgo {
			assert.Equal(t, "fatal error: all goroutines are asleep - deadlock!", a.Fatal)
			assert.False(t, a.Quit)
		} else {
			assert.True(t, a.Fatal != "" || a.Quit, "either the runtime or the watchdog stops it")
		}
	})
	t.Run("the same wait with a timer pending hangs until the watchdog", func(t *testing.T) {
		w := rep.AsleepWithTimer
		assert.True(t, w.Quit)
		assert.Empty(t, w.Fatal)
		require.Len(t, w.Stacks, 1)
		assert.Equal(t, []string{"demo.waitForNobodyWithTimer"}, funcs(w.Stacks[0]))
	})
	t.Run("the report shows the stacks and who found each hang", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, rep.Write(&b))
		assert.Contains(t, b.String(), "|   demo.lockM1ThenM2  deadlock.go:")
		assert.Contains(t, b.String(), "the watchdog sent SIGQUIT")
		assert.Contains(t, b.String(), "all goroutines are asleep")
	})
}

func TestDeadlockCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	// The watchdog would wait a minute: the caller's deadline comes first
	// and stops the child.
	_, err := demo.Deadlock(ctx, demo.DeadlockConfig{Patience: time.Minute})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, demo.ErrChildTimeout)
	if kids, ok := proctest.Children(os.Getpid()); ok {
		assert.Empty(t, kids)
	}
}

func TestDeadlockChildTimeout(t *testing.T) {
	_, err := demo.Deadlock(context.Background(), demo.DeadlockConfig{Patience: time.Minute, Timeout: 300 * time.Millisecond})
	assert.ErrorIs(t, err, demo.ErrChildTimeout, "a child past its own deadline is killed, watchdog or not")
}
