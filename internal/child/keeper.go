package child

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"sync"
)

// The keeper is one goroutine, locked to its OS thread, that does every
// fork and lives as long as any child it forked: on Linux the parent-death
// signal fires when the forking thread exits, so that thread must outlive
// the children. It parks between forks at no cost. Having one thread fork
// also takes the forks one at a time: Go serialises forks anyway
// (syscall.ForkLock), so this costs nothing, and it lets the context be
// checked right before each fork, so a cancelled start forks no more.
//
// The goroutines that talk to a child are not locked: a locked goroutine
// runs only on its own thread, so every wake-up on a child's pipe would
// cost a hand-off to it.
var keeper struct {
	mu   sync.Mutex
	live int              // children forked (or being forked) and not yet reaped
	reqs chan forkRequest // nil while no keeper runs
}

type forkRequest struct {
	ctx    context.Context
	cmd    *exec.Cmd
	forked func(pid int)
	done   chan error
}

// fork has the keeper start cmd.
func fork(ctx context.Context, cmd *exec.Cmd, forked func(int)) error {
	keeper.mu.Lock()
	if keeper.reqs == nil {
		keeper.reqs = make(chan forkRequest)
		go keep(keeper.reqs)
	}
	keeper.live++
	reqs := keeper.reqs
	keeper.mu.Unlock()

	req := forkRequest{ctx: ctx, cmd: cmd, forked: forked, done: make(chan error, 1)}
	select {
	case reqs <- req:
		err := <-req.done
		if err != nil {
			release()
		}
		return err
	case <-ctx.Done():
		release()
		return fmt.Errorf("child: not started: %w", ctx.Err())
	}
}

// release counts a child reaped (or never started), and ends the keeper
// once none is left.
func release() {
	keeper.mu.Lock()
	defer keeper.mu.Unlock()
	keeper.live--
	if keeper.live == 0 {
		close(keeper.reqs)
		keeper.reqs = nil
	}
}

func keep(reqs <-chan forkRequest) {
	runtime.LockOSThread()
	// Unlocked once every child is reaped: the thread may then go back to
	// the runtime, and end, with no child to take with it.
	defer runtime.UnlockOSThread()
	for req := range reqs {
		// Checked with the turn held: select picks at random between a free
		// keeper and a cancellation.
		if err := req.ctx.Err(); err != nil {
			req.done <- fmt.Errorf("child: not started: %w", err)
			continue
		}
		err := req.cmd.Start()
		if err == nil && req.forked != nil {
			req.forked(req.cmd.Process.Pid)
		}
		req.done <- err
	}
}
