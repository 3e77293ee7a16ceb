//go:build unix

package iobound

import (
	"errors"
	"fmt"
	"syscall"
)

// WithDescriptorLimit adds the process's descriptor limit to err when err is
// the system's "too many open files": the number is what a reader must raise
// (ulimit -n), and the message alone does not say it. Every model that opens
// sockets or pipes wraps its errors with it.
func WithDescriptorLimit(err error) error {
	if !errors.Is(err, syscall.EMFILE) {
		return err
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return err
	}
	return fmt.Errorf("%w (the process's descriptor limit, RLIMIT_NOFILE, is %d)", err, rl.Cur)
}
