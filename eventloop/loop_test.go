//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func newLoop(t *testing.T) *Loop {
	t.Helper()
	l, err := New()
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, l.Close()) })
	return l
}

// socketpair returns two connected non-blocking stream sockets, closed at
// the end of the test unless the test closed them first.
func socketpair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	require.NoError(t, err)
	for _, fd := range fds {
		require.NoError(t, unix.SetNonblock(fd, true))
	}
	t.Cleanup(func() {
		unix.Close(fds[0])
		unix.Close(fds[1])
	})
	return fds[0], fds[1]
}

func TestTimers(t *testing.T) {
	t.Run("timers run in deadline order, and first in first out at the same deadline", func(t *testing.T) {
		l := newLoop(t)
		var order []string
		base := time.Now()
		l.CallAt(base.Add(2*time.Millisecond), func() { order = append(order, "late") })
		for _, name := range []string{"a", "b", "c", "d"} {
			l.CallAt(base, func() { order = append(order, name) })
		}
		l.CallAt(base.Add(time.Millisecond), func() { order = append(order, "middle") })
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, []string{"a", "b", "c", "d", "middle", "late"}, order)
	})
	t.Run("a cancelled timer never runs and leaves the heap", func(t *testing.T) {
		l := newLoop(t)
		ran := false
		h := l.CallLater(time.Hour, func() { ran = true })
		other := l.CallLater(0, func() {})
		h.Cancel()
		h.Cancel()
		assert.True(t, h.Cancelled())
		assert.Len(t, l.timers, 1)
		require.NoError(t, l.Run(t.Context())) // returns at once: nothing left to wait for
		assert.False(t, ran)
		other.Cancel() // after it ran: no effect
		assert.False(t, other.Cancelled())
	})
	t.Run("a timer cancelled by an earlier callback of the same iteration does not run", func(t *testing.T) {
		l := newLoop(t)
		ran := false
		when := time.Now()
		var second *Handle
		l.CallAt(when, func() { second.Cancel() })
		second = l.CallAt(when, func() { ran = true })
		require.NoError(t, l.Run(t.Context()))
		assert.False(t, ran)
	})
}

func TestCallSoon(t *testing.T) {
	t.Run("callbacks run in the order they were scheduled", func(t *testing.T) {
		l := newLoop(t)
		var order []int
		for i := range 5 {
			l.CallSoon(func() { order = append(order, i) })
		}
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, []int{0, 1, 2, 3, 4}, order)
	})
	t.Run("a callback scheduled by a callback waits for the next iteration, so a due timer runs between", func(t *testing.T) {
		l := newLoop(t)
		var order []string
		l.CallLater(0, func() { order = append(order, "timer") })
		n := 0
		var again func()
		again = func() {
			n++
			order = append(order, "task")
			if n < 3 {
				l.CallSoon(again)
			}
		}
		l.CallSoon(again)
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, []string{"task", "timer", "task", "task"}, order)
	})
	t.Run("a callback that reschedules itself forever does not starve a reader", func(t *testing.T) {
		l := newLoop(t)
		a, b := socketpair(t)
		spins := 0
		var spin func()
		spin = func() { spins++; l.CallSoon(spin) }
		l.CallSoon(spin)
		_, err := unix.Write(b, []byte("x"))
		require.NoError(t, err)
		require.NoError(t, l.AddReader(a, func() { l.Stop() }))
		require.NoError(t, l.Run(t.Context()))
		assert.Positive(t, spins)
		_, err = l.RemoveReader(a)
		require.NoError(t, err)
	})
	t.Run("a cancelled callback does not run", func(t *testing.T) {
		l := newLoop(t)
		ran := false
		l.CallSoon(func() { ran = true }).Cancel()
		require.NoError(t, l.Run(t.Context()))
		assert.False(t, ran)
	})
}

func TestDescriptors(t *testing.T) {
	t.Run("a writer runs while the socket is writable and a reader once data arrives", func(t *testing.T) {
		l := newLoop(t)
		a, b := socketpair(t)
		var got []byte
		require.NoError(t, l.AddWriter(b, func() {
			_, err := unix.Write(b, []byte("hello"))
			require.NoError(t, err)
			removed, err := l.RemoveWriter(b)
			require.NoError(t, err)
			assert.True(t, removed)
		}))
		require.NoError(t, l.AddReader(a, func() {
			buf := make([]byte, 16)
			n, err := unix.Read(a, buf)
			require.NoError(t, err)
			got = append(got, buf[:n]...)
			if len(got) == 5 {
				_, err := l.RemoveReader(a)
				require.NoError(t, err)
			}
		}))
		require.NoError(t, l.Run(t.Context())) // returns once nothing is watched
		assert.Equal(t, "hello", string(got))
		assert.Empty(t, l.fds)
	})
	t.Run("level-triggered: a reader that leaves data unread is called again", func(t *testing.T) {
		l := newLoop(t)
		a, b := socketpair(t)
		_, err := unix.Write(b, []byte("abc"))
		require.NoError(t, err)
		var got []byte
		require.NoError(t, l.AddReader(a, func() {
			buf := make([]byte, 1) // one byte per call
			n, err := unix.Read(a, buf)
			require.NoError(t, err)
			got = append(got, buf[:n]...)
			if len(got) == 3 {
				_, err := l.RemoveReader(a)
				require.NoError(t, err)
			}
		}))
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, "abc", string(got))
	})
	t.Run("removing what was never added reports false", func(t *testing.T) {
		l := newLoop(t)
		a, _ := socketpair(t)
		removed, err := l.RemoveReader(a)
		require.NoError(t, err)
		assert.False(t, removed)
		require.NoError(t, l.AddReader(a, func() {}))
		removed, err = l.RemoveWriter(a)
		require.NoError(t, err)
		assert.False(t, removed)
		removed, err = l.RemoveReader(a)
		require.NoError(t, err)
		assert.True(t, removed)
	})
	t.Run("a descriptor closed and reopened within one batch never receives the old one's events", func(t *testing.T) {
		l := newLoop(t)
		a1, b1 := socketpair(t)
		a2, b2 := socketpair(t)
		for _, fd := range []int{b1, b2} {
			_, err := unix.Write(fd, []byte("x"))
			require.NoError(t, err)
		}
		// Whichever reader runs first closes the other descriptor and opens
		// a connected socket, quiet, that takes its number, watched by a
		// fresh reader. The batch still holds the closed descriptor's event.
		reopened, newCalls := -1, 0
		var calls [2]int
		first := true
		fds := [2]int{a1, a2}
		swap := func(victim int) {
			first = false
			_, err := l.RemoveReader(victim)
			require.NoError(t, err)
			require.NoError(t, unix.Close(victim))
			pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			require.NoError(t, err)
			t.Cleanup(func() { unix.Close(pair[0]); unix.Close(pair[1]) })
			reopened = pair[0]
			require.NoError(t, l.AddReader(reopened, func() { newCalls++ }))
			l.CallLater(10*time.Millisecond, func() { l.Stop() })
		}
		for i, fd := range fds {
			require.NoError(t, l.AddReader(fd, func() {
				calls[i]++
				if first {
					swap(fds[1-i])
				}
				var buf [8]byte
				unix.Read(fd, buf[:]) // drained, so it stops being reported
			}))
		}
		require.NoError(t, l.Run(t.Context()))
		require.Contains(t, fds, reopened, "the new socket must reuse the closed number for this test to mean anything")
		assert.ElementsMatch(t, []int{0, 1}, calls[:], "the closed descriptor's reader ran, or the survivor's did not")
		assert.Zero(t, newCalls, "the new descriptor received the closed one's event")
	})
}

func TestRun(t *testing.T) {
	t.Run("Stop from a callback ends Run after that iteration and keeps what is scheduled", func(t *testing.T) {
		l := newLoop(t)
		var order []string
		l.CallSoon(func() {
			order = append(order, "stop")
			l.Stop()
			l.CallSoon(func() { order = append(order, "next run") })
		})
		l.CallSoon(func() { order = append(order, "same iteration") })
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, []string{"stop", "same iteration"}, order)
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, []string{"stop", "same iteration", "next run"}, order)
	})
	t.Run("Stop from another goroutine wakes a loop blocked in the poller", func(t *testing.T) {
		l := newLoop(t)
		a, _ := socketpair(t)
		require.NoError(t, l.AddReader(a, func() {}))
		l.CallSoon(func() { go l.Stop() })
		require.NoError(t, l.Run(t.Context()))
	})
	t.Run("cancelling the context wakes a loop blocked in the poller", func(t *testing.T) {
		l := newLoop(t)
		a, _ := socketpair(t)
		require.NoError(t, l.AddReader(a, func() {}))
		ctx, cancel := context.WithCancel(t.Context())
		l.CallSoon(cancel)
		assert.ErrorIs(t, l.Run(ctx), context.Canceled)
	})
	t.Run("a context already done returns at once", func(t *testing.T) {
		l := newLoop(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		l.CallSoon(func() { ran = true })
		assert.ErrorIs(t, l.Run(ctx), context.Canceled)
		assert.False(t, ran)
	})
	t.Run("Run inside a callback is refused", func(t *testing.T) {
		l := newLoop(t)
		var err error
		l.CallSoon(func() { err = l.Run(t.Context()) })
		require.NoError(t, l.Run(t.Context()))
		assert.ErrorIs(t, err, ErrRunning)
	})
	t.Run("a closed loop refuses work", func(t *testing.T) {
		l, err := New()
		require.NoError(t, err)
		require.NoError(t, l.Close())
		assert.ErrorIs(t, l.Run(t.Context()), ErrClosed)
		assert.ErrorIs(t, l.AddReader(0, func() {}), ErrClosed)
		l.Stop() // after Close: does nothing
	})
	t.Run("the loop runs on the caller's goroutine and starts none", func(t *testing.T) {
		l := newLoop(t)
		before := runtime.NumGoroutine()
		var during []int
		a, b := socketpair(t)
		require.NoError(t, l.AddReader(a, func() {
			during = append(during, runtime.NumGoroutine())
			_, err := l.RemoveReader(a)
			require.NoError(t, err)
		}))
		l.CallLater(time.Millisecond, func() {
			during = append(during, runtime.NumGoroutine())
			_, err := unix.Write(b, []byte("x"))
			require.NoError(t, err)
		})
		require.NoError(t, l.Run(t.Context()))
		require.Len(t, during, 2)
		for _, n := range during {
			assert.LessOrEqual(t, n, before, "goroutines while the loop ran") // earlier tests' may still be exiting
		}
	})
}

func TestOffTheLoop(t *testing.T) {
	t.Run("CallSoonThreadsafe from another goroutine wakes a loop blocked in the poller and runs on the loop", func(t *testing.T) {
		l := newLoop(t)
		a, _ := socketpair(t)
		require.NoError(t, l.AddReader(a, func() {})) // keeps Run from returning for want of work
		var ranOn []int
		l.CallSoon(func() {
			go l.CallSoonThreadsafe(func() {
				ranOn = append(ranOn, 1) // no lock: it runs on the loop's goroutine
				l.Stop()
			})
		})
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, []int{1}, ranOn)
	})
	t.Run("Go runs blocking work off the loop while callbacks go on, and its result back on the loop", func(t *testing.T) {
		l := newLoop(t)
		unblock := make(chan struct{})
		var order []string
		l.Go(func() func() {
			<-unblock // blocks its own goroutine, not the loop
			return func() { order = append(order, "result") }
		})
		l.CallLater(time.Millisecond, func() {
			order = append(order, "timer while the work blocks")
			close(unblock)
		})
		require.NoError(t, l.Run(t.Context())) // returns once the result ran: nothing else to wait for
		assert.Equal(t, []string{"timer while the work blocks", "result"}, order)
	})
	t.Run("Go runs at most maxWorkers at once and the rest in turn", func(t *testing.T) {
		l := newLoop(t)
		var running, peak atomic.Int32
		results := 0
		n := maxWorkers * 3
		for range n {
			l.Go(func() func() {
				now := running.Add(1)
				for {
					p := peak.Load()
					if now <= p || peak.CompareAndSwap(p, now) {
						break
					}
				}
				time.Sleep(time.Millisecond)
				running.Add(-1)
				return func() { results++ }
			})
		}
		require.NoError(t, l.Run(t.Context()))
		assert.Equal(t, n, results)
		assert.LessOrEqual(t, int(peak.Load()), maxWorkers)
	})
	t.Run("Close waits for the goroutines Go started and drops the work not started", func(t *testing.T) {
		l, err := New()
		require.NoError(t, err)
		release := make(chan struct{})
		var started atomic.Int32
		for range maxWorkers + 5 {
			l.Go(func() func() {
				started.Add(1)
				<-release
				return nil
			})
		}
		close(release)
		require.NoError(t, l.Close()) // goleak in TestMain checks that none is left
		assert.Equal(t, int32(maxWorkers), started.Load())
	})
}
