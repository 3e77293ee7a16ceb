//go:build !linux

package child

import "os/exec"

// setDeathSignal does nothing here: there is no parent-death signal, and a
// child learns that its parent is gone when its stdin reaches end of file.
func setDeathSignal(*exec.Cmd) {}
