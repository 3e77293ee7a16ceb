//go:build linux

package eventloop

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// epoller waits with epoll(7). The wake-up descriptor is an eventfd(2)
// registered like any other; wait drains it and does not report it.
type epoller struct {
	epfd   int
	evfd   int
	events []unix.EpollEvent

	mu     sync.Mutex // guards closed against a wake racing close
	closed bool
}

func newPoller() (poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("eventloop: epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventloop: eventfd: %w", err)
	}
	p := &epoller{epfd: epfd, evfd: evfd, events: make([]unix.EpollEvent, 256)}
	if err := p.ctl(unix.EPOLL_CTL_ADD, evfd, true, false); err != nil {
		unix.Close(evfd)
		unix.Close(epfd)
		return nil, err
	}
	return p, nil
}

func (p *epoller) ctl(op, fd int, read, write bool) error {
	var ev unix.EpollEvent
	if read {
		ev.Events |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if write {
		ev.Events |= unix.EPOLLOUT
	}
	ev.Fd = int32(fd)
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("eventloop: epoll_ctl(fd %d): %w", fd, err)
	}
	return nil
}

func (p *epoller) add(fd int, read, write bool) error {
	return p.ctl(unix.EPOLL_CTL_ADD, fd, read, write)
}

func (p *epoller) modify(fd int, read, write bool) error {
	return p.ctl(unix.EPOLL_CTL_MOD, fd, read, write)
}

func (p *epoller) remove(fd int) error {
	return p.ctl(unix.EPOLL_CTL_DEL, fd, false, false)
}

func (p *epoller) wait(events []pollEvent, timeout time.Duration) (int, error) {
	start := time.Now()
	size := min(len(events), len(p.events))
	for {
		msec := -1
		if t := remaining(start, timeout); t >= 0 {
			// Round up: waking a little late costs nothing, waking early
			// makes the loop spin until the timer is due.
			msec = int((t + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := unix.EpollWait(p.epfd, p.events[:size], msec)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("eventloop: epoll_wait: %w", err)
		}
		filled := 0
		for _, ev := range p.events[:n] {
			fd := int(ev.Fd)
			if fd == p.evfd {
				p.drain()
				continue
			}
			bad := ev.Events&(unix.EPOLLERR|unix.EPOLLHUP) != 0
			events[filled] = pollEvent{
				fd:       fd,
				readable: bad || ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP) != 0,
				writable: bad || ev.Events&unix.EPOLLOUT != 0,
			}
			filled++
		}
		return filled, nil
	}
}

func (p *epoller) drain() {
	var buf [8]byte
	for {
		if _, err := unix.Read(p.evfd, buf[:]); !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

func (p *epoller) wake() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	one := [8]byte{1}
	for {
		_, err := unix.Write(p.evfd, one[:])
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN): // the counter is full: a wake is pending anyway
			return nil
		case err != nil:
			return fmt.Errorf("eventloop: wake: %w", err)
		}
		return nil
	}
}

func (p *epoller) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return errors.Join(unix.Close(p.evfd), unix.Close(p.epfd))
}
