//go:build linux

package child

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel SIGKILL the child when its parent dies,
// however it dies: no cleanup code runs after a SIGKILL to the parent, so
// only the kernel can do this.
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
