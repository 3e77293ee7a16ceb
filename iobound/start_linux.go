package iobound

import (
	"os/exec"
	"runtime"
	"syscall"
)

// start starts cmd so that it gets SIGKILL when this process dies, even by a
// kill that leaves no time to close its stdin. Linux sends the death signal
// when the thread that forked exits, not the process: the goroutine stays on
// one thread from setting the signal to the fork, and Go ends a thread only
// when a goroutine exits while locked to it.
func start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Start()
}
