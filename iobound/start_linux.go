package iobound

import (
	"os/exec"
	"runtime"
	"syscall"
)

// start starts cmd so that it gets SIGKILL when this process dies. Linux
// sends the death signal when the thread that forked exits, not the process,
// so the fork happens on a thread that stays locked to this goroutine until
// the child is started.
func start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Start()
}
