//go:build !unix

package demo

import "os"

// canQuit reports that a child can be asked for its goroutines' stacks:
// not here, where there is no SIGQUIT.
const canQuit = false

// quitProcess kills p: without SIGQUIT there is no way to ask a Go program
// for its stacks from outside.
func quitProcess(p *os.Process) error { return p.Kill() }
