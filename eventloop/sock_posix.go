//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"
)

// The socket calls the client makes, non-blocking, with EINTR retried. Like
// the poller, they are the only code that names the system's calls; the
// client above them sees descriptors and errors.

// sockDial opens a non-blocking TCP socket and starts connecting it to addr.
// inProgress means the connection completes later: wait until the socket
// is writable, then ask sockError how it went.
func sockDial(addr netip.AddrPort) (fd int, inProgress bool, err error) {
	var sa unix.Sockaddr
	family := unix.AF_INET
	if ip := addr.Addr().Unmap(); ip.Is4() {
		sa = &unix.SockaddrInet4{Port: int(addr.Port()), Addr: ip.As4()}
	} else {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: int(addr.Port()), Addr: ip.As16()}
	}
	fd, err = newSocket(family)
	if err != nil {
		return -1, false, err
	}
	// Requests are written whole; do not hold a short one back.
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	err = unix.Connect(fd, sa)
	switch {
	case err == nil:
		return fd, false, nil
	case errors.Is(err, unix.EINPROGRESS), errors.Is(err, unix.EINTR):
		// An interrupted connect goes on in the background, as an
		// in-progress one does.
		return fd, true, nil
	}
	unix.Close(fd)
	return -1, false, err
}

// sockError returns the error of a connection that was in progress, or nil
// once it is established.
func sockError(fd int) error {
	code, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if code != 0 {
		return unix.Errno(code)
	}
	return nil
}

func sockRead(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Read(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return max(n, 0), err
	}
}

func sockWrite(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return max(n, 0), err
	}
}

func sockClose(fd int) error { return unix.Close(fd) }

// wouldBlock reports whether a read or write found nothing to do yet.
func wouldBlock(err error) bool {
	return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EWOULDBLOCK)
}

// outOfDescriptors reports whether socket failed because the process
// (EMFILE) or the system (ENFILE) has no descriptor left.
func outOfDescriptors(err error) bool {
	return errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE)
}

// descriptorLimit is the process's soft limit on open descriptors.
func descriptorLimit() uint64 {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return uint64(rl.Cur)
}
