//go:build !linux

package multiproc

// children would list pid's child processes; without /proc it cannot.
func children(pid int) (kids []int, ok bool) { return nil, false }
