//go:build !linux

package multiproc

import "os/exec"

// pinThread does nothing here: only Linux ties a child's death signal to
// the thread that forked it.
func pinThread() (unpin func()) { return func() {} }

// setDeathSignal does nothing here: there is no parent-death signal, and a
// worker learns that its parent is gone when its stdin reaches end of file.
func setDeathSignal(*exec.Cmd) {}
