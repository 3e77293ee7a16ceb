//go:build !linux

package iobound

import "os/exec"

// start starts cmd. Without Linux's death signal the child relies on its
// stdin closing when this process dies.
func start(cmd *exec.Cmd) error { return cmd.Start() }
