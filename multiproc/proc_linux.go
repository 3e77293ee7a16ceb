//go:build linux

package multiproc

import (
	"os/exec"
	"runtime"
	"syscall"
)

// spawn starts cmd on an OS thread that outlives the worker.
//
// Linux sends the parent-death signal when the thread that forked the child
// exits, not when the process does, and the runtime ends a thread when a
// goroutine exits while locked to it. So the fork happens on a keeper
// goroutine that locks its thread and holds it, parked at no cost, until
// gone is closed, after the worker has been reaped: no other goroutine's
// LockOSThread can end that thread under the worker. The goroutines that
// talk to the worker are not locked. A locked goroutine runs only on its own
// thread, so every wake-up on the worker's pipe would cost a hand-off from
// the thread that noticed it to the locked one.
func spawn(cmd *exec.Cmd, gone <-chan struct{}) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			<-gone
		}
	}()
	return <-started
}

// setDeathSignal makes the kernel SIGKILL the worker when its parent dies,
// however it dies: no cleanup code runs after a SIGKILL to the parent, so
// only the kernel can do this.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
