package multiproc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
	"conclab/iobound"

	"conclab/internal/child"
	"conclab/internal/proctest"
)

// syncBuffer is a LogWriter a test can read while workers write to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// checkReaped fails the test, when it ends, if any child process of the test
// binary is left, running or unreaped.
func checkReaped(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if kids, ok := proctest.Children(os.Getpid()); ok {
			assert.Empty(t, kids, "child processes left after the test")
		}
	})
}

// pids collects the distinct worker pids in spans.
func pids[T any](results []T, pid func(T) int) map[int]bool {
	set := map[int]bool{}
	for _, r := range results {
		set[pid(r)] = true
	}
	return set
}

func TestPoolRejectsBadSettings(t *testing.T) {
	tests := []struct {
		name string
		pool Pool
		want error
	}{
		{"a negative number of workers is an error from both methods", Pool{Procs: -1}, ErrNegativeSetting},
		{"a negative Timeout is an error from both methods", Pool{Procs: 1, Timeout: -time.Nanosecond}, ErrNegativeSetting},
		{"a negative BodyCap is an error from both methods", Pool{Procs: 1, BodyCap: -1}, ErrNegativeSetting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			// No worker is started: the error comes before any work, not
			// from a worker refusing its hello after the start-up.
			_, err := tt.pool.settings()
			require.ErrorIs(t, err, tt.want)
			io, err := tt.pool.Download(t.Context(), []string{"http://127.0.0.1:1/"})
			assert.ErrorIs(t, err, tt.want)
			assert.Zero(t, io)
			cpu, err := tt.pool.SumSquares(t.Context(), []int{1})
			assert.ErrorIs(t, err, tt.want)
			assert.Zero(t, cpu)
		})
	}
}

func TestTaskDeadlines(t *testing.T) {
	fetch := message{Type: msgTask, Kind: kindFetch, URL: "http://127.0.0.1:1/"}
	sum := message{Type: msgTask, Kind: kindSum, N: 5}
	tests := []struct {
		name string
		pool Pool
		task message
		want time.Duration
	}{
		{"a fetch gets the default request timeout plus the margin", Pool{Procs: 1}, fetch, iobound.DefaultTimeout + ReplyMargin},
		{"a fetch gets the pool's timeout plus the margin", Pool{Procs: 1, Timeout: time.Minute}, fetch, time.Minute + ReplyMargin},
		{"a sum gets the default timeout", Pool{Procs: 1}, sum, iobound.DefaultTimeout},
		{"a sum gets the pool's timeout, with no margin", Pool{Procs: 1, Timeout: time.Minute}, sum, time.Minute},
		{
			"a fetch's deadline stops at the longest duration instead of wrapping round",
			Pool{Procs: 1, Timeout: math.MaxInt64 - time.Millisecond}, fetch, math.MaxInt64,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.pool.settings()
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.deadline(tt.task))
		})
	}
}

func TestPoolDescribesItself(t *testing.T) {
	tests := []struct {
		name  string
		procs int
		tasks int
		want  int
	}{
		{"more tasks than workers run one per worker", 2, 160, 2},
		{"fewer tasks than workers start one worker per task", 8, 3, 3},
		{"no tasks need no workers", 4, 0, 0},
		{"a zero pool runs one worker per CPU", 0, 1000, DefaultProcs()},
		{"an invalid pool runs nothing", -1, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Pool{Procs: tt.procs}
			assert.Equal(t, "multiproc", p.Name())
			assert.Equal(t, tt.want, p.Concurrency("io", tt.tasks))
			assert.Equal(t, tt.want, p.Concurrency("cpu", tt.tasks))
		})
	}
	assert.Positive(t, DefaultProcs())
}

func TestSumSquaresRunsInWorkerProcesses(t *testing.T) {
	tests := []struct {
		name    string
		procs   int
		numbers []int
		wantErr map[int]error // index → sentinel
	}{
		{"the default numbers come back exact and in order", 2, cpubound.DefaultNumbers(), nil},
		{"one worker runs every task", 1, []int{0, 1, 2, 10, 1000}, nil},
		{"more workers than tasks start one per task", 4, []int{3, 4}, nil},
		{
			"a number outside the kernel's domain fails alone, keeping its sentinel",
			2, []int{10, -1, 20, int(cpubound.MaxN + 1), 30},
			map[int]error{1: cpubound.ErrNegative, 3: cpubound.ErrOverflow},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			logs := &syncBuffer{}
			rep, err := Pool{Procs: tt.procs, LogWriter: logs}.SumSquares(t.Context(), tt.numbers)
			require.NoError(t, err)
			// Each worker exited cleanly when its stdin closed; the pool
			// logs one that did not.
			assert.Empty(t, logs.String())
			require.Len(t, rep.Results, len(tt.numbers))
			assert.Positive(t, rep.Startup)
			assert.Equal(t, len(tt.wantErr), rep.Failed())
			for i, res := range rep.Results {
				assert.Equal(t, tt.numbers[i], res.N)
				if want := tt.wantErr[i]; want != nil {
					assert.ErrorIs(t, res.Err, want, "task %d", i)
					continue
				}
				require.NoError(t, res.Err, "task %d", i)
				exp, err := cpubound.Expected(res.N)
				require.NoError(t, err)
				assert.Equal(t, exp, res.Sum, "sum of squares of %d", res.N)
				assert.NotEqual(t, os.Getpid(), res.Span.PID, "task %d ran in the parent", i)
				assert.Less(t, res.Span.Worker, tt.procs)
				assert.False(t, res.Span.End.Before(res.Span.Start))
			}
			workers := pids(rep.Results, func(r cpubound.Result) int { return r.Span.PID })
			assert.LessOrEqual(t, len(workers), min(tt.procs, len(tt.numbers)))
		})
	}
}

func TestReadyWorkerDoesNotWaitForTheOthers(t *testing.T) {
	checkReaped(t)
	// Worker 1 takes two seconds to start; worker 0 runs the tiny tasks at
	// once, without waiting for it.
	const slow = 2 * time.Second
	t.Setenv(envTestWorkerOne, slow.String())
	numbers := []int{1, 2, 3, 4, 5, 6}
	rep, err := Pool{Procs: 2}.SumSquares(t.Context(), numbers)
	require.NoError(t, err)
	assert.Zero(t, rep.Failed())
	assert.Less(t, rep.Startup, slow, "the start-up ends when the first worker is ready")
	workers := pids(rep.Results, func(r cpubound.Result) int { return r.Span.PID })
	assert.Len(t, workers, 1, "every task ran on the worker that was ready")
	for _, res := range rep.Results {
		assert.Zero(t, res.Span.Worker)
	}
}

func TestRunFailsWhenAWorkerCannotStart(t *testing.T) {
	checkReaped(t)
	// Worker 0 starts and may run tasks; worker 1 exits before its
	// handshake. The run fails as a whole, naming worker 1, and worker 0 is
	// stopped with it.
	t.Setenv(envTestWorkerOne, "exit")
	rep, err := Pool{Procs: 2, LogWriter: io.Discard}.SumSquares(t.Context(), cpubound.DefaultNumbers())
	require.ErrorIs(t, err, ErrWorkerDied)
	assert.Contains(t, err.Error(), "worker 1 (pid ")
	assert.Contains(t, err.Error(), "exited before the handshake")
	require.Len(t, rep.Results, len(cpubound.DefaultNumbers()), "one result per number, as in every model")
	for _, res := range rep.Results {
		require.ErrorIs(t, res.Err, ErrWorkerDied, "every task not started, for the run's reason")
		assert.Contains(t, res.Err.Error(), "not started")
	}
}

func TestDownloadRunsInWorkerProcesses(t *testing.T) {
	srv, err := iobound.NewServer(iobound.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })

	tests := []struct {
		name      string
		pool      Pool
		url       string
		wantBytes int64
		wantErr   error
	}{
		{"the big chunked page is counted", Pool{Procs: 2}, srv.URL(iobound.PathBig), iobound.BigPageBytes, nil},
		{"the small page is counted", Pool{Procs: 2}, srv.URL(iobound.PathSmall), iobound.SmallPageBytes, nil},
		{"a 500 keeps ErrStatus across the pipe", Pool{Procs: 2}, srv.FaultURL(iobound.FaultStatus500), -1, iobound.ErrStatus},
		{
			"a slow site keeps ErrTimeout across the pipe",
			Pool{Procs: 2, Timeout: 100 * time.Millisecond}, srv.FaultURL(iobound.FaultSlow), -1, iobound.ErrTimeout,
		},
		{
			"an oversize body keeps ErrBodyTooLarge across the pipe",
			Pool{Procs: 2, BodyCap: 1000}, srv.URL(iobound.PathBig), -1, iobound.ErrBodyTooLarge,
		},
		{"a reset connection fails with the transport's message", Pool{Procs: 2}, srv.FaultURL(iobound.FaultReset), -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			// The URL under test between two good ones: its failure must
			// not touch them.
			good := srv.URL(iobound.PathSmall)
			urls := []string{good, tt.url, good}
			rep, err := tt.pool.Download(t.Context(), urls)
			require.NoError(t, err)
			require.Len(t, rep.Results, 3)
			for _, i := range []int{0, 2} {
				assert.NoError(t, rep.Results[i].Err)
				assert.Equal(t, int64(iobound.SmallPageBytes), rep.Results[i].Bytes)
				assert.Equal(t, http.StatusOK, rep.Results[i].Status)
			}
			res := rep.Results[1]
			assert.Equal(t, tt.url, res.URL)
			assert.NotEqual(t, os.Getpid(), res.Span.PID)
			switch {
			case tt.wantBytes >= 0:
				require.NoError(t, res.Err)
				assert.Equal(t, tt.wantBytes, res.Bytes)
			case tt.wantErr != nil:
				assert.ErrorIs(t, res.Err, tt.wantErr)
				assert.Contains(t, res.Err.Error(), tt.url, "the worker's message crosses the pipe")
			default:
				require.Error(t, res.Err)
				assert.Contains(t, res.Err.Error(), tt.url)
			}
		})
	}
}

func TestWorkerThatDiesFailsOnlyItsTask(t *testing.T) {
	const crashOn = 7
	tests := []struct {
		name    string
		procs   int
		numbers []int
	}{
		{"a crash in the middle of the run is replaced", 2, []int{1, 2, 3, crashOn, 5, 6, 8, 9, 10, 11}},
		{"a crash on the last task leaves nothing hanging", 2, []int{1, 2, crashOn}},
		{"the only worker is replaced after each crash", 1, []int{crashOn, 2, crashOn, crashOn, 5}},
		{"every task crashing its worker still ends", 2, []int{crashOn, crashOn, crashOn, crashOn}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			t.Setenv(envCrashOn, strconv.Itoa(crashOn))
			logs := &syncBuffer{}
			rep, err := Pool{Procs: tt.procs, LogWriter: logs}.SumSquares(t.Context(), tt.numbers)
			require.NoError(t, err)
			require.Len(t, rep.Results, len(tt.numbers))
			crashed := 0
			for i, res := range rep.Results {
				if res.N == crashOn {
					crashed++
					require.ErrorIs(t, res.Err, ErrWorkerDied, "task %d", i)
					assert.Contains(t, res.Err.Error(), fmt.Sprintf("pid %d", res.Span.PID))
					assert.Contains(t, res.Err.Error(), "exit status 3")
					continue
				}
				require.NoError(t, res.Err, "task %d", i)
				exp, _ := cpubound.Expected(res.N)
				assert.Equal(t, exp, res.Sum)
			}
			assert.Equal(t, crashed, rep.Failed())
			// The worker's last words reach the log, named by the parent.
			assert.Contains(t, logs.String(), "multiproc worker ")
			assert.Contains(t, logs.String(), "crashing on task")
		})
	}
}

func TestRunEndsWhenNoReplacementStarts(t *testing.T) {
	checkReaped(t)
	const crashOn = 7
	t.Setenv(envCrashOn, strconv.Itoa(crashOn))
	t.Setenv(envTestOneLife, filepath.Join(t.TempDir(), "life"))
	rep, err := Pool{Procs: 1, LogWriter: io.Discard}.SumSquares(t.Context(), []int{1, crashOn, 3, 4})
	require.NoError(t, err, "the run happened; its tasks failed")
	require.Len(t, rep.Results, 4)
	assert.NoError(t, rep.Results[0].Err)
	assert.ErrorIs(t, rep.Results[1].Err, ErrWorkerDied, "the crash")
	assert.ErrorIs(t, rep.Results[2].Err, ErrWorkerDied, "the replacement that could not start")
	assert.Contains(t, rep.Results[2].Err.Error(), "no worker")
	assert.ErrorIs(t, rep.Results[3].Err, ErrWorkerDied, "left in the queue, with the reason")
	assert.Contains(t, rep.Results[3].Err.Error(), "not started")
}

func TestCancellationEndsEveryWorker(t *testing.T) {
	hang := newHangServer(t)
	tests := []struct {
		name   string
		procs  int
		urls   int
		cancel func(context.CancelFunc) // when the test cancels
	}{
		{"a run cancelled before it starts runs nothing", 2, 4, func(cancel context.CancelFunc) { cancel() }},
		{
			"a run cancelled while every worker waits fails every task", 2, 5,
			func(cancel context.CancelFunc) { hang.await(t, 2); cancel() },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			urls := make([]string, tt.urls)
			for i := range urls {
				urls[i] = hang.URL + "/hang"
			}
			done := make(chan struct{})
			var rep iobound.Report
			var err error
			go func() {
				defer close(done)
				rep, err = Pool{Procs: tt.procs}.Download(ctx, urls)
			}()
			tt.cancel(cancel)
			<-done
			require.ErrorIs(t, err, context.Canceled)
			if rep.Results != nil {
				assert.Equal(t, tt.urls, rep.Failed())
				for _, res := range rep.Results {
					assert.ErrorIs(t, res.Err, context.Canceled)
				}
			}
		})
	}
}

func TestCancellationStopsStartingWorkers(t *testing.T) {
	const procs = 100
	tests := []struct {
		name string
		// after is the number of forks after which the test cancels; inHook
		// cancels from the fork hook itself, between two forks.
		after  int
		inHook bool
		// late bounds the forks that end after the cancellation: none, or
		// the one under way when the test cancelled from outside. Forks
		// take turns, so a second one would have begun after it.
		late int
	}{
		{"a run cancelled before it starts forks no worker", 0, false, 0},
		{"a run cancelled between two forks forks no more", 5, true, 0},
		{"a run cancelled while its workers start finishes at most the fork under way", 5, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			s, err := Pool{Procs: procs}.settings()
			require.NoError(t, err)
			var forks, late atomic.Int32
			reached := make(chan struct{})
			s.forked = func(int) {
				// The hook runs with the fork turn held: no other fork is
				// under way while it counts.
				if ctx.Err() != nil {
					late.Add(1)
				}
				if int(forks.Add(1)) == tt.after {
					if tt.inHook {
						cancel()
					}
					close(reached)
				}
			}
			tasks := make([]message, procs)
			for i := range tasks {
				tasks[i] = message{Type: msgTask, ID: i, Kind: kindSum, N: i}
			}
			if tt.after == 0 {
				cancel()
			}
			done := make(chan struct{})
			outs := make([]outcome, len(tasks))
			go func() {
				defer close(done)
				_, err = Pool{}.run(ctx, s, tasks, func(i int, o outcome) { outs[i] = o })
			}()
			if tt.after > 0 {
				select {
				case <-reached:
				case <-time.After(time.Minute):
					t.Fatalf("fewer than %d workers were forked", tt.after)
				}
				cancel()
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the cancelled run did not return")
			}
			require.ErrorIs(t, err, context.Canceled)
			assert.LessOrEqual(t, int(late.Load()), tt.late, "forks that ended after the cancellation")
			if tt.late == 0 {
				assert.Equal(t, tt.after, int(forks.Load()), "workers forked")
			}
			for i, o := range outs {
				// The workers forked before the cancellation may have
				// finished tasks by then (on a loaded machine the test
				// wakes up late): those keep their results; every other
				// task fails, cancelled.
				if tt.after == 0 || o.err != nil {
					assert.ErrorIs(t, o.err, context.Canceled, "task %d", i)
				}
			}
		})
	}
}

func TestHandshakeRefusesAnotherVersion(t *testing.T) {
	checkReaped(t)
	s, err := Pool{Procs: 2, LogWriter: io.Discard}.settings()
	require.NoError(t, err)
	s.version = protocolVersion + 1
	var outs []outcome
	_, err = Pool{}.run(t.Context(), s, []message{{Type: msgTask, Kind: kindSum, N: 3}}, func(_ int, o outcome) { outs = append(outs, o) })
	require.ErrorIs(t, err, ErrProtocol)
	require.Len(t, outs, 1)
	assert.ErrorIs(t, outs[0].err, ErrProtocol, "the task was not started, for the run's reason")
	assert.Contains(t, err.Error(), "protocol version mismatch")
	assert.Contains(t, err.Error(), "refused the handshake")
}

func TestStartFailsClearlyWithoutRunIfChild(t *testing.T) {
	tests := []struct {
		name    string
		unwired string
		want    error
	}{
		{"a main that prints to stdout breaks the protocol", "print", ErrProtocol},
		{"a main that exits at once is a worker that died", "exit", ErrWorkerDied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReaped(t)
			t.Setenv(envTestUnwired, tt.unwired)
			rep, err := Pool{Procs: 2}.SumSquares(t.Context(), []int{1, 2, 3})
			t.Log(err)
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), "child.RunIfChild", "the error says what to fix")
			for _, res := range rep.Results {
				assert.ErrorIs(t, res.Err, tt.want, "no task ran")
			}
		})
	}
}

func TestPoolRefusesToRunInsideAWorker(t *testing.T) {
	t.Setenv(child.RoleEnv, workerRole)
	_, err := Pool{Procs: 1}.SumSquares(t.Context(), []int{1})
	assert.ErrorIs(t, err, ErrNotWired)
}

// hangServer answers /hang only when the client goes away, and /hold when
// the client goes away or the test calls release; it reports each request
// it holds, with the pid its query names (0 for none: the pool's own fetches
// do not say; the envHoldOn hook does). Any other path gets "ok".
type hangServer struct {
	*httptest.Server
	held     chan int
	released chan struct{}
}

func newHangServer(t *testing.T) *hangServer {
	h := &hangServer{held: make(chan int, 64), released: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pid, _ := strconv.Atoi(r.URL.Query().Get("pid"))
		switch r.URL.Path {
		case "/hang":
			h.held <- pid
			<-r.Context().Done()
		case "/hold":
			h.held <- pid
			select {
			case <-r.Context().Done():
			case <-h.released:
			}
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hangServer) release() { close(h.released) }

// await waits until n requests are held, and returns the pids they name.
// The bound only keeps a broken pool from hanging the test binary.
func (h *hangServer) await(t *testing.T, n int) []int {
	t.Helper()
	bound := time.After(30 * time.Second)
	pids := make([]int, 0, n)
	for range n {
		select {
		case pid := <-h.held:
			pids = append(pids, pid)
		case <-bound:
			t.Fatalf("the workers did not send their %d requests", n)
		}
	}
	return pids
}
