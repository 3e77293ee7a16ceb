//go:build darwin

package eventloop

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// newSocket sets the flags one by one: macOS has no SOCK_NONBLOCK or
// SOCK_CLOEXEC. The fork lock keeps a concurrent exec from inheriting the
// descriptor in between, as package syscall does.
func newSocket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, unix.IPPROTO_TCP)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	// A write to a connection the peer closed fails with EPIPE instead of
	// raising SIGPIPE.
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
	return fd, nil
}
