//go:build linux

package testserver

import (
	"os/exec"
	"runtime"
	"syscall"
)

// spawn starts cmd so that the kernel SIGKILLs it if this process dies
// before its cleanups run, and calls reaped with Wait's error once it has
// exited.
//
// Linux sends that parent-death signal when the thread that forked the child
// ends, not the process, and the runtime ends a thread when a goroutine
// exits while locked to it. So one goroutine locks a thread, forks from it
// and waits for the child on it: no other goroutine can run there, so none
// can end the thread under the server.
func spawn(cmd *exec.Cmd, reaped func(error)) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			reaped(cmd.Wait())
		}
	}()
	return <-started
}
