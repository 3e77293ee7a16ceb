//go:build !linux

package multiproc

import "os/exec"

// spawn starts cmd. Only Linux ties a child's death signal to the thread
// that forked it, so any thread will do here.
func spawn(cmd *exec.Cmd, _ <-chan struct{}) error { return cmd.Start() }

// setDeathSignal does nothing here: there is no parent-death signal, and a
// worker learns that its parent is gone when its stdin reaches end of file.
func setDeathSignal(*exec.Cmd) {}
