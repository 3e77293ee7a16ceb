//go:build linux

package multiproc

import (
	"os/exec"
	"runtime"
	"syscall"
)

// pinThread locks the calling goroutine to its OS thread until unpin.
//
// Linux sends the parent-death signal when the thread that forked the child
// exits, not when the process does. The runtime ends a thread only when a
// goroutine exits while locked to it, so a thread that a goroutine holds
// locked for the whole life of its worker cannot be ended under it by some
// other goroutine's LockOSThread. The pool's per-worker goroutine pins
// itself before it starts a worker and unpins after it has reaped it.
func pinThread() (unpin func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}

// setDeathSignal makes the kernel SIGKILL the worker when its parent dies,
// however it dies: no cleanup code runs after a SIGKILL to the parent, so
// only the kernel can do this.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
