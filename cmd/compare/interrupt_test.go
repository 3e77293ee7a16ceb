package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/proctest"
)

// TestCtrlC builds compare, interrupts it while the process pool runs, after
// the sequential model has completed, and checks what a user at a terminal
// would see: status 130, the sequential row printed, the note on stderr,
// and no process of compare's left over (its workers, its embedded server).
//
// Ctrl-C at a terminal signals the whole foreground process group, the
// workers and the server included; kill -INT signals compare alone. Both
// must end the same way.
func TestCtrlC(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc to find the child processes")
	}
	if testing.Short() {
		t.Skip("builds the compare binary; skipped with -short")
	}
	bin := buildCompare(t)

	tests := []struct {
		name  string
		group bool
	}{
		{"Ctrl-C to the process group", true},
		{"SIGINT to compare alone", false},
	}
	for _, tt := range tests {
		t.Run(tt.name+" stops compare with status 130, the completed rows printed and no process left", func(t *testing.T) {
			// Sequential takes 320 × 20 ms, then multiproc with one worker
			// as long again: the signal lands in multiproc's run, seconds
			// before its end.
			cmd := exec.Command(bin, "io", "-models", "sequential,multiproc", "-procs", "1",
				"-repeat", "160", "-runs", "1", "-warmup", "0")
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			require.NoError(t, cmd.Start())
			pid := cmd.Process.Pid
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				// Whatever happened above, nothing of compare's survives
				// the test: its group is killed (a no-op when it is gone).
				_ = syscall.Kill(-pid, syscall.SIGKILL)
			})

			// Models run in order, so a worker process means that the
			// sequential model has completed its runs.
			seen := map[int]bool{}
			workerUp := false
			for deadline := time.Now().Add(60 * time.Second); !workerUp && time.Now().Before(deadline); {
				select {
				case err := <-exited:
					t.Fatalf("compare exited (%v) before its pool started; stderr:\n%s", err, stderr.String())
				case <-time.After(10 * time.Millisecond):
				}
				kids, _ := proctest.Children(pid)
				for _, kid := range kids {
					seen[kid] = true
					workerUp = workerUp || strings.Contains(cmdline(kid), "-multiproc-worker")
				}
			}
			require.True(t, workerUp, "no worker process appeared; stderr:\n%s", stderr.String())

			target := pid
			if tt.group {
				target = -pid
			}
			sent := time.Now()
			require.NoError(t, syscall.Kill(target, syscall.SIGINT))
			var err error
			select {
			case err = <-exited:
			case <-time.After(20 * time.Second):
				t.Fatalf("compare still running 20 s after SIGINT; stderr:\n%s", stderr.String())
			}
			t.Logf("compare exited %v after SIGINT", time.Since(sent).Round(time.Millisecond))

			var exitErr *exec.ExitError
			require.ErrorAs(t, err, &exitErr, "stderr:\n%s", stderr.String())
			assert.Equal(t, exitInterrupted, exitErr.ExitCode(), "stderr:\n%s", stderr.String())
			assert.Contains(t, stderr.String(), "interrupted")
			assert.Contains(t, stdout.String(), "sequential", "the completed model's row")
			t.Logf("stdout:\n%s", stdout.String())

			// compare's own children (seen while it ran: the embedded server
			// and the worker) must be gone, and no process may still run
			// the binary.
			assert.GreaterOrEqual(t, len(seen), 2, "children seen: the server and a worker")
			for kid := range seen {
				assert.True(t, proctest.Gone(kid), "child %d (%s) outlived compare", kid, cmdline(kid))
			}
			assert.Empty(t, proctest.Running(bin), "processes still running compare's binary")
		})
	}
}

// buildCompare builds this command into a temporary directory.
func buildCompare(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build compare with")
	}
	bin := filepath.Join(t.TempDir(), "compare")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	return bin
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '}))
}

// lockedBuffer is a bytes.Buffer that the test may read while the command
// writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
