//go:build linux || freebsd || netbsd || openbsd || dragonfly

package eventloop

import "golang.org/x/sys/unix"

func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
}
