package child_test

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

func start(t *testing.T, ctx context.Context, role, config string) *child.Process {
	t.Helper()
	cmd, err := child.Command(ctx, role, config)
	require.NoError(t, err)
	p, err := child.Start(ctx, cmd, child.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Kill() })
	return p
}

func TestHandshakeAndPipes(t *testing.T) {
	p := start(t, context.Background(), "child-test-echo", `{"x":1}`)
	var hello struct{ Config string }
	require.NoError(t, p.Handshake(context.Background(), 10*time.Second, &hello))
	assert.Equal(t, `{"x":1}`, hello.Config, "the config reaches the child")

	_, err := p.Stdin.WriteString("ping\n")
	require.NoError(t, err)
	require.NoError(t, p.Stdin.Close())
	rest, err := io.ReadAll(p.Stdout)
	require.NoError(t, err)
	assert.Equal(t, "ping\n", string(rest), "nothing after the handshake line was taken")
	require.NoError(t, p.Wait())
	assert.Equal(t, 0, p.State().ExitCode())
	assert.NoError(t, p.Wait(), "a second Wait is harmless")
}

func TestHandshakeFailures(t *testing.T) {
	tests := []struct {
		name    string
		role    string
		timeout time.Duration
		cancel  bool
		want    error
	}{
		{"a child that exits first", "child-test-exit", 10 * time.Second, false, child.ErrExited},
		{"a child that never announces", "child-test-silent", 50 * time.Millisecond, false, child.ErrHandshake},
		{"a child that announces no JSON", "child-test-bad", 10 * time.Second, false, child.ErrHandshake},
		{"a cancelled wait", "child-test-silent", 10 * time.Second, true, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := start(t, context.Background(), tt.role, "")
			if tt.cancel {
				time.AfterFunc(20*time.Millisecond, cancel)
			}
			var v map[string]any
			err := p.Handshake(ctx, tt.timeout, &v)
			require.ErrorIs(t, err, tt.want)
			assert.NotNil(t, p.State(), "the child has been reaped")
		})
	}
}

func TestCommandRefuses(t *testing.T) {
	t.Run("an unknown role", func(t *testing.T) {
		_, err := child.Command(context.Background(), "no-such-role", "")
		assert.ErrorIs(t, err, child.ErrUnknownRole)
	})
	t.Run("a child starting a child", func(t *testing.T) {
		t.Setenv(child.RoleEnv, "child-test-echo")
		_, err := child.Command(context.Background(), "child-test-echo", "")
		assert.ErrorIs(t, err, child.ErrNested)
		assert.ErrorContains(t, err, "child.RunIfChild")
	})
}

func TestFailedStartClosesEveryPipe(t *testing.T) {
	if _, ok := proctest.OpenFDs(); !ok {
		t.Skip("no /proc to count descriptors")
	}
	tests := []struct {
		name   string
		break_ func(*exec.Cmd) context.Context
		want   error
	}{
		{"no such binary", func(c *exec.Cmd) context.Context {
			c.Path = "/nonexistent/conclab"
			return context.Background()
		}, nil},
		{"a cancelled context", func(*exec.Cmd) context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := proctest.OpenFDs()
			for range 20 {
				cmd, err := child.Command(context.Background(), "child-test-echo", "")
				require.NoError(t, err)
				ctx := tt.break_(cmd)
				p, err := child.Start(ctx, cmd, child.Options{})
				require.Error(t, err)
				if tt.want != nil {
					assert.ErrorIs(t, err, tt.want)
				}
				assert.Nil(t, p)
			}
			after, _ := proctest.OpenFDs()
			assert.Equal(t, before, after, "descriptors open before and after 20 failed starts")
		})
	}
}

func TestForksOneAtATime(t *testing.T) {
	var inFork, most atomic.Int32
	var wg sync.WaitGroup
	procs := make(chan *child.Process, 8)
	for range 8 {
		wg.Go(func() {
			cmd, err := child.Command(context.Background(), "child-test-silent", "")
			if !assert.NoError(t, err) {
				return
			}
			p, err := child.Start(context.Background(), cmd, child.Options{Forked: func(int) {
				// Runs with the turn held: no other fork may start meanwhile.
				n := inFork.Add(1)
				defer inFork.Add(-1)
				if n > most.Load() {
					most.Store(n)
				}
				time.Sleep(time.Millisecond)
			}})
			if assert.NoError(t, err) {
				procs <- p
			}
		})
	}
	wg.Wait()
	close(procs)
	for p := range procs {
		require.NoError(t, p.Stdin.Close())
		require.NoError(t, p.Wait())
	}
	assert.Equal(t, int32(1), most.Load(), "forks under way at once")
}

func TestChildDiesWithItsForkingThreadsParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux only")
	}
	// A goroutine that locks its thread and exits ends that thread. Had a
	// child been forked from it, the child would get SIGKILL: the keeper
	// does every fork, so the child lives on.
	p := start(t, context.Background(), "child-test-silent", "")
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // exits locked: the runtime ends this thread
		close(done)
	}()
	<-done
	time.Sleep(50 * time.Millisecond)
	assert.False(t, proctest.Gone(p.PID), "the child outlives threads that end")
	require.NoError(t, p.Stdin.Close())
	require.NoError(t, p.Wait())
}

func TestStderrIsForwardedLineByLine(t *testing.T) {
	var out bytes.Buffer
	cmd, err := child.Command(context.Background(), "child-test-log", "")
	require.NoError(t, err)
	lw := child.NewLineWriter(nil, &out, "log child")
	cmd.Stderr = lw
	p, err := child.Start(context.Background(), cmd, child.Options{})
	require.NoError(t, err)
	require.NoError(t, p.Wait())
	lw.Flush()
	assert.Equal(t, "log child: one\nlog child: two\n", out.String())
}

func TestLineWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"one line", []string{"hello\n"}, "w: hello\n"},
		{"a line in pieces is one line", []string{"hel", "lo", "\n"}, "w: hello\n"},
		{"two lines in one write are two lines", []string{"a\nb\n"}, "w: a\nw: b\n"},
		{"a last line without newline is flushed with one", []string{"a\nb"}, "w: a\nw: b\n"},
		{"nothing writes nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			lw := child.NewLineWriter(nil, &out, "x")
			lw.SetName("w")
			for _, s := range tt.writes {
				n, err := lw.Write([]byte(s))
				require.NoError(t, err)
				assert.Equal(t, len(s), n)
			}
			lw.Flush()
			assert.Equal(t, tt.want, out.String())
		})
	}
	t.Run("an endless line is split", func(t *testing.T) {
		var out bytes.Buffer
		lw := child.NewLineWriter(nil, &out, "w")
		_, err := lw.Write(bytes.Repeat([]byte("x"), 64<<10+10))
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(out.String(), "\n"), "what is held back is bounded")
		_, err = lw.Write([]byte("tail"))
		require.NoError(t, err)
		lw.Flush()
		assert.Equal(t, 2, strings.Count(out.String(), "\n"))
	})
}
