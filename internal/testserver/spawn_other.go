//go:build !linux

package testserver

import "os/exec"

// spawn starts cmd and calls reaped with Wait's error once it has exited.
// Without Linux's parent-death signal, a server outlives a test binary that
// dies before its cleanups run.
func spawn(cmd *exec.Cmd, reaped func(error)) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { reaped(cmd.Wait()) }()
	return nil
}
