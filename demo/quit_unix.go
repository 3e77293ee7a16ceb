//go:build unix

package demo

import (
	"os"
	"syscall"
)

// canQuit reports that a child can be asked for its goroutines' stacks.
const canQuit = true

// quitProcess sends p SIGQUIT: a Go program prints every goroutine's stack
// to standard error and exits with status 2.
func quitProcess(p *os.Process) error { return p.Signal(syscall.SIGQUIT) }
