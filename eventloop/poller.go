package eventloop

import (
	"errors"
	"time"
)

// ErrUnsupported is returned by New, Download and SumSquares on a platform
// without a poller (neither epoll nor kqueue).
var ErrUnsupported = errors.New("eventloop: no epoll or kqueue on this platform")

// pollEvent is one readiness report from the operating system. An error or
// hang-up on the descriptor is reported as both readable and writable, so
// whichever callback is armed runs and meets the error in its own read or
// write, as asyncio's selector loop does.
type pollEvent struct {
	fd       int
	readable bool
	writable bool
}

// poller is the one small interface every platform implements, one file per
// platform chosen by build tags (poll_epoll.go, poll_kqueue.go,
// poll_other.go), as the Go runtime's netpoll is split. Nothing above this
// layer knows which system call waits.
//
// Interest is level-triggered: a descriptor that stays readable is reported
// by every wait until it is drained or its interest removed. A poller is used
// by one goroutine, except wake, which any goroutine may call.
type poller interface {
	// add starts watching fd for reading and/or writing.
	add(fd int, read, write bool) error
	// modify changes what fd is watched for; at least one of read and write
	// is true.
	modify(fd int, read, write bool) error
	// remove stops watching fd. Call it before closing fd.
	remove(fd int) error
	// wait blocks until a watched descriptor is ready, wake is called or
	// timeout passes (timeout < 0: no timeout; 0: do not block), fills
	// events and returns how many it filled. Interrupted system calls
	// (EINTR, which Go's preemption signals cause often) are retried with
	// what is left of the timeout.
	wait(events []pollEvent, timeout time.Duration) (int, error)
	// wake makes a wait in progress, or the next one, return early. It is
	// safe to call from any goroutine, and after close it does nothing.
	wake() error
	// close releases the poller's descriptors.
	close() error
}

// remaining returns how long is left of timeout after start, never below
// zero; a negative timeout means none and stays negative.
func remaining(start time.Time, timeout time.Duration) time.Duration {
	if timeout < 0 {
		return timeout
	}
	return max(0, timeout-time.Since(start))
}
