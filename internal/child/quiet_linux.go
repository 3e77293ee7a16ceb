package child

import (
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Quiet returns the pipe f as a reader and writer that do not wake the Go
// runtime's monitor thread, for a process that spends its time waiting on
// pipes while other processes compute: a pool's parent waiting on its
// workers, a worker waiting on its parent.
//
// Every system call a goroutine makes through the os package tells the
// runtime it is in one, and when the process had been idle that wakes the
// runtime's monitor thread (sysmon), which then looks around every 20 µs
// until the process is idle again. A pool's parent wakes for every answer
// of every worker, so with every core busy computing, each of those looks
// takes a core from a worker for a moment. Quiet reads and writes with raw
// system calls through the runtime's poller instead: the goroutine still
// parks until the pipe is ready, but the monitor sleeps on.
//
// f is the parent's end of a pipe Start made, or a child's own standard
// input or output. A blocking pipe is made non-blocking, and read and
// written through a descriptor of its own: f must not be read or written
// afterwards. Anything but a pipe comes back as f itself.
func Quiet(f *os.File) io.ReadWriter {
	rc, err := f.SyscallConn()
	if err != nil {
		return f
	}
	blocking := true
	if rc.Control(func(fd uintptr) {
		flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		blocking = err != nil || flags&unix.O_NONBLOCK == 0
	}) != nil {
		return f
	}
	if blocking {
		info, err := f.Stat()
		if err != nil || info.Mode()&os.ModeNamedPipe == 0 {
			return f
		}
		// A descriptor of its own, so that f (os.Stdin, say) keeps its own
		// and closes only that one. Both share the pipe's flags: f reads
		// and writes would now fail with EAGAIN.
		var fd int
		var dupErr error
		if err := rc.Control(func(old uintptr) { fd, dupErr = unix.FcntlInt(old, unix.F_DUPFD_CLOEXEC, 0) }); err != nil || dupErr != nil {
			return f
		}
		if syscall.SetNonblock(fd, true) != nil {
			_ = syscall.Close(fd)
			return f
		}
		f = os.NewFile(uintptr(fd), f.Name()) // non-blocking, so the poller takes it
		if rc, err = f.SyscallConn(); err != nil {
			return f
		}
	}
	return &quiet{f: f, rc: rc}
}

// quiet is a non-blocking pipe read and written with raw system calls.
type quiet struct {
	f  *os.File // keeps the descriptor open
	rc syscall.RawConn
}

// rawIO is one read or write. A non-blocking pipe never makes it wait,
// which is what makes a raw call (one the scheduler is not told of) safe.
func rawIO(trap, fd uintptr, b []byte) (int, syscall.Errno) {
	n, _, errno := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	return int(n), errno
}

func (q *quiet) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := q.rc.Read(func(fd uintptr) bool {
		for {
			n, errno = rawIO(syscall.SYS_READ, fd, b)
			if errno != syscall.EINTR {
				return errno != syscall.EAGAIN // false: wait until readable
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: q.f.Name(), Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (q *quiet) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		var n int
		var errno syscall.Errno
		err := q.rc.Write(func(fd uintptr) bool {
			for {
				n, errno = rawIO(syscall.SYS_WRITE, fd, b[written:])
				if errno != syscall.EINTR {
					return errno != syscall.EAGAIN // false: wait until writable
				}
			}
		})
		switch {
		case err != nil:
			return written, err
		case errno != 0:
			return written, &os.PathError{Op: "write", Path: q.f.Name(), Err: errno}
		}
		written += n
	}
	return written, nil
}
