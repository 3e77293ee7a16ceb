//go:build linux

package multiproc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"

	"conclab/internal/proctest"
)

// The bounds below keep a broken pool from hanging the test binary; a
// working one is done long before them.
const (
	runBound  = time.Minute
	goneBound = 10 * time.Second
)

func TestWorkerKilledMidFetchFailsOnlyItsTask(t *testing.T) {
	checkReaped(t)
	hang := newHangServer(t)
	urls := []string{hang.URL + "/hang", hang.URL + "/ok", hang.URL + "/ok"}
	done := make(chan struct{})
	var rep iobound.Report
	var err error
	go func() {
		defer close(done)
		rep, err = Pool{Procs: 1}.Download(t.Context(), urls)
	}()
	hang.await(t, 1)
	kids, ok := proctest.Children(os.Getpid())
	require.True(t, ok)
	require.Len(t, kids, 1, "one worker, and no other child")
	require.NoError(t, syscall.Kill(kids[0], syscall.SIGKILL))
	<-done

	require.NoError(t, err, "a dead worker fails its task, not the run")
	require.Len(t, rep.Results, 3)
	died := rep.Results[0]
	require.ErrorIs(t, died.Err, ErrWorkerDied)
	assert.Contains(t, died.Err.Error(), fmt.Sprintf("pid %d", kids[0]))
	assert.Contains(t, died.Err.Error(), "signal: killed")
	assert.Equal(t, kids[0], died.Span.PID)
	for _, res := range rep.Results[1:] {
		require.NoError(t, res.Err)
		assert.Equal(t, int64(len("ok")), res.Bytes)
		assert.NotEqual(t, kids[0], res.Span.PID, "the replacement is a new process")
		assert.Equal(t, 0, res.Span.Worker, "the replacement keeps the lane")
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
