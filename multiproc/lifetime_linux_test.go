//go:build linux

package multiproc

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
	"conclab/iobound"

	"conclab/internal/proctest"
)

// The bounds below keep a broken pool from hanging the test binary; a
// working one is done long before them.
const (
	runBound  = time.Minute
	goneBound = 10 * time.Second
)

// A worker that dies, or stops answering, in the middle of a task of either
// workload: the task fails naming the worker, a new worker takes the lane,
// the other tasks complete, and no process is left.
func TestWorkerThatDiesOrStopsMidTaskFailsOnlyItsTask(t *testing.T) {
	// holdOn is the number whose sum task the envHoldOn hook holds.
	const holdOn = 1000
	tests := []struct {
		name    string
		cpu     bool // the sum workload, else the fetch workload
		signal  syscall.Signal
		timeout time.Duration
		want    error
		says    string // in the failed task's error, besides its pid
	}{
		{
			"a worker killed in the middle of a fetch fails that URL alone",
			false, syscall.SIGKILL, 0, ErrWorkerDied, "signal: killed",
		},
		{
			"a worker killed in the middle of a sum fails that number alone",
			true, syscall.SIGKILL, 0, ErrWorkerDied, "signal: killed",
		},
		{
			// The worker's own request timeout must not end the request
			// before the worker has stopped: three seconds is far more
			// than that takes.
			"a worker stopped in the middle of a fetch is killed past the request timeout plus the margin",
			false, syscall.SIGSTOP, 3 * time.Second, ErrWorkerTimeout,
			"within 4s (the request timeout 3s plus a 1s margin)",
		},
		{
			"a worker stopped in the middle of a sum is killed past the pool's Timeout",
			true, syscall.SIGSTOP, 2 * time.Second, ErrWorkerTimeout,
			"within 2s (the pool's Timeout, which bounds each task)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			hang := newHangServer(t)
			t.Setenv(envHoldOn, fmt.Sprintf("%d %s/hold", holdOn, hang.URL))
			numbers := []int{1, 2, holdOn, 4, 5, 6, 7, 8}
			urls := []string{hang.URL + "/hold", hang.URL + "/ok", hang.URL + "/ok"}

			type result struct {
				err  error
				pid  int
				ok   bool // the task succeeded and its result is right
				what string
			}
			done := make(chan []result, 1)
			var runErr error
			go func() {
				var out []result
				if tt.cpu {
					var rep cpubound.Report
					rep, runErr = Pool{Procs: 2, Timeout: tt.timeout, LogWriter: io.Discard}.SumSquares(t.Context(), numbers)
					for _, r := range rep.Results {
						exp, err := cpubound.Expected(r.N)
						out = append(out, result{r.Err, r.Span.PID, r.Err == nil && err == nil && r.Sum == exp,
							fmt.Sprintf("n=%d: sum %s, closed form %s", r.N, r.Sum, exp)})
					}
				} else {
					var rep iobound.Report
					rep, runErr = Pool{Procs: 1, Timeout: tt.timeout, LogWriter: io.Discard}.Download(t.Context(), urls)
					for _, r := range rep.Results {
						out = append(out, result{r.Err, r.Span.PID, r.Err == nil && r.Bytes == int64(len("ok")),
							fmt.Sprintf("%s: %d bytes", r.URL, r.Bytes)})
					}
				}
				done <- out
			}()

			held := hang.await(t, 1)[0]
			if !tt.cpu {
				// The fetch cannot name its worker; the only worker is it.
				kids, ok := proctest.Children(os.Getpid())
				require.True(t, ok)
				require.Len(t, kids, 1, "one worker, and no other child")
				held = kids[0]
			}
			require.Positive(t, held)
			require.NoError(t, syscall.Kill(held, tt.signal))
			// A signal takes effect thread by thread, as each next enters
			// the kernel: until the last has, one still running could read
			// the released response and answer.
			frozen := proctest.Gone
			if tt.signal == syscall.SIGSTOP {
				frozen = proctest.Stopped
			}
			require.Eventually(t, func() bool { return frozen(held) }, goneBound, time.Millisecond,
				"worker %d did not take the signal", held)
			// A worker that ran could now finish its task at once.
			hang.release()
			var results []result
			select {
			case results = <-done:
			case <-time.After(runBound):
				t.Fatal("the run did not end")
			}

			require.NoError(t, runErr, "a task's failure is not the run's")
			wantLen := len(urls)
			if tt.cpu {
				wantLen = len(numbers)
			}
			require.Len(t, results, wantLen)
			failedAt := 0 // the held task's index
			if tt.cpu {
				failedAt = 2
			}
			for i, r := range results {
				if i == failedAt {
					t.Log(r.err)
					require.ErrorIs(t, r.err, tt.want, r.what)
					assert.Contains(t, r.err.Error(), fmt.Sprintf("pid %d", held))
					assert.Contains(t, r.err.Error(), tt.says)
					assert.Equal(t, held, r.pid, "the span names the worker that failed")
					continue
				}
				require.NoError(t, r.err, r.what)
				assert.True(t, r.ok, r.what)
				if i > failedAt {
					// Taken from the queue after the held task, so never
					// by its worker: by the other one or the replacement.
					assert.NotEqual(t, held, r.pid, r.what)
				}
			}
			if tt.want == ErrWorkerTimeout {
				assert.NotErrorIs(t, results[failedAt].err, ErrWorkerDied, "a stuck worker is not a dead one")
			}
		})
	}
}

func TestWorkerIgnoresCtrlC(t *testing.T) {
	checkReaped(t)
	hang := newHangServer(t)
	done := make(chan struct{})
	var rep iobound.Report
	var err error
	go func() {
		defer close(done)
		rep, err = Pool{Procs: 1}.Download(t.Context(), []string{hang.URL + "/hold", hang.URL + "/ok"})
	}()
	hang.await(t, 1)
	kids, ok := proctest.Children(os.Getpid())
	require.True(t, ok)
	require.Len(t, kids, 1)
	// An ignored signal is discarded when it is sent; one that kills would
	// act before the worker could read the reply released below.
	require.NoError(t, syscall.Kill(kids[0], syscall.SIGINT))
	hang.release()
	<-done

	require.NoError(t, err)
	for _, res := range rep.Results {
		require.NoError(t, res.Err)
		assert.Equal(t, kids[0], res.Span.PID, "the same worker ran both tasks")
	}
}

func TestWorkersDieWithTheirParent(t *testing.T) {
	checkReaped(t)
	// The server lives in this process, so that the parent's death cannot
	// end the workers' requests: only the kernel's parent-death signal can
	// end the workers while they wait for it.
	hang := newHangServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), runBound)
	defer cancel()
	exe, err := os.Executable()
	require.NoError(t, err)
	parent := exec.CommandContext(ctx, exe)
	parent.Env = append(os.Environ(), envTestParent+"="+hang.URL+"/hang "+hang.URL+"/hang")
	stderr := &syncBuffer{}
	parent.Stderr = stderr
	require.NoError(t, parent.Start())
	reaped := false
	defer func() {
		if !reaped {
			_ = parent.Process.Kill()
			_ = parent.Wait()
		}
	}()

	hang.await(t, 2) // both workers are in the middle of a task
	workers, ok := proctest.Children(parent.Process.Pid)
	require.True(t, ok)
	require.Len(t, workers, 2, "parent's stderr: %s", stderr.String())

	require.NoError(t, parent.Process.Kill())
	_ = parent.Wait()
	reaped = true
	for _, pid := range workers {
		if !assert.Eventually(t, func() bool { return proctest.Gone(pid) }, goneBound, 5*time.Millisecond,
			"worker %d outlived its parent", pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// While the queue has a task for every lane, a worker busy with one task has
// been sent the next already, so that it starts it without a round trip to
// the parent; near the end of the queue it has not, so that no task waits
// behind a busy worker while another lane could take it. The test holds one
// worker in its first task until the other has run the rest of the queue
// and exited: the tasks the held worker then runs are the held one and the
// one sent ahead, if any.
func TestWorkerIsSentItsNextTaskAhead(t *testing.T) {
	const holdOn = 1000
	tests := []struct {
		name    string
		numbers []int
		ahead   int // tasks the held worker was sent besides the held one
	}{
		{"a task for each lane left: the next is sent ahead", []int{holdOn, 2, 3, 4, 5, 6, 7, 8}, 1},
		{"one task left for two lanes: it is not", []int{holdOn, 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			hang := newHangServer(t)
			t.Setenv(envHoldOn, fmt.Sprintf("%d %s/hold", holdOn, hang.URL))
			done := make(chan cpubound.Report, 1)
			go func() {
				rep, err := Pool{Procs: 2, LogWriter: io.Discard}.SumSquares(t.Context(), tt.numbers)
				assert.NoError(t, err)
				done <- rep
			}()
			held := hang.await(t, 1)[0]
			require.Eventually(t, func() bool {
				kids, ok := proctest.Children(os.Getpid())
				return ok && len(kids) == 1 && kids[0] == held
			}, runBound, time.Millisecond, "the other worker did not finish the queue and exit")
			hang.release()
			var rep cpubound.Report
			select {
			case rep = <-done:
			case <-time.After(runBound):
				t.Fatal("the run did not end")
			}
			require.Len(t, rep.Results, len(tt.numbers))
			ranOnHeld := 0
			for _, r := range rep.Results {
				require.NoError(t, r.Err)
				exp, _ := cpubound.Expected(r.N)
				assert.Equal(t, exp, r.Sum, "n=%d", r.N)
				if r.Span.PID == held {
					ranOnHeld++
				}
			}
			assert.Equal(t, 1+tt.ahead, ranOnHeld, "tasks run by the held worker")
		})
	}
}
