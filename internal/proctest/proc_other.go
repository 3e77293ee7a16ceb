//go:build !linux

package proctest

// Without /proc none of the checks can be made.

// Children would list pid's child processes; ok is false.
func Children(pid int) (kids []int, ok bool) { return nil, false }

// Parent would return pid's parent; it returns -1.
func Parent(pid int) int { return -1 }

// Gone would report whether pid has exited; it returns true.
func Gone(pid int) bool { return true }

// Stopped would report whether every thread of pid is stopped; it returns
// false.
func Stopped(pid int) bool { return false }

// Running would list the processes running bin; it returns none.
func Running(bin string) []int { return nil }

// OpenFDs would count this process's open descriptors; ok is false.
func OpenFDs() (n int, ok bool) { return 0, false }
