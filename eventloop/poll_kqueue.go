//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// kpoller waits with kqueue(2). Reading and writing are two filters, so one
// descriptor may come back as two events. The wake-up is a non-blocking
// pipe, which every BSD has (EVFILT_USER is not everywhere).
type kpoller struct {
	kq     int
	wr, rd int // the wake-up pipe
	events []unix.Kevent_t

	mu     sync.Mutex // guards closed against a wake racing close
	closed bool
}

func newPoller() (poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, fmt.Errorf("eventloop: kqueue: %w", err)
	}
	unix.CloseOnExec(kq)
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		unix.Close(kq)
		return nil, fmt.Errorf("eventloop: pipe: %w", err)
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			unix.Close(kq)
			return nil, fmt.Errorf("eventloop: pipe: %w", err)
		}
	}
	p := &kpoller{kq: kq, rd: fds[0], wr: fds[1], events: make([]unix.Kevent_t, 256)}
	if err := p.add(p.rd, true, false); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// apply adds or deletes the read and write filters of fd. Deleting a filter
// that was never added fails with ENOENT, which is not an error here.
func (p *kpoller) apply(fd int, read, write bool) error {
	var changes [2]unix.Kevent_t
	unix.SetKevent(&changes[0], fd, unix.EVFILT_READ, flag(read))
	unix.SetKevent(&changes[1], fd, unix.EVFILT_WRITE, flag(write))
	for i := range changes {
		for {
			_, err := unix.Kevent(p.kq, changes[i:i+1], nil, nil)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("eventloop: kevent(fd %d): %w", fd, err)
			}
			break
		}
	}
	return nil
}

func flag(on bool) int {
	if on {
		return unix.EV_ADD
	}
	return unix.EV_DELETE
}

func (p *kpoller) add(fd int, read, write bool) error    { return p.apply(fd, read, write) }
func (p *kpoller) modify(fd int, read, write bool) error { return p.apply(fd, read, write) }
func (p *kpoller) remove(fd int) error                   { return p.apply(fd, false, false) }

func (p *kpoller) wait(events []pollEvent, timeout time.Duration) (int, error) {
	start := time.Now()
	size := min(len(events), len(p.events))
	for {
		var ts *unix.Timespec
		if t := remaining(start, timeout); t >= 0 {
			spec := unix.NsecToTimespec(int64(t))
			ts = &spec
		}
		n, err := unix.Kevent(p.kq, nil, p.events[:size], ts)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("eventloop: kevent: %w", err)
		}
		filled := 0
		for _, ev := range p.events[:n] {
			fd := int(ev.Ident)
			if fd == p.rd {
				p.drain()
				continue
			}
			bad := ev.Flags&(unix.EV_EOF|unix.EV_ERROR) != 0
			events[filled] = pollEvent{
				fd:       fd,
				readable: bad || ev.Filter == unix.EVFILT_READ,
				writable: bad || ev.Filter == unix.EVFILT_WRITE,
			}
			filled++
		}
		return filled, nil
	}
}

func (p *kpoller) drain() {
	var buf [64]byte
	for {
		n, err := unix.Read(p.rd, buf[:])
		if errors.Is(err, unix.EINTR) || n == len(buf) {
			continue
		}
		return
	}
}

func (p *kpoller) wake() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	for {
		_, err := unix.Write(p.wr, []byte{1})
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN): // the pipe is full: a wake is pending anyway
			return nil
		case err != nil:
			return fmt.Errorf("eventloop: wake: %w", err)
		}
		return nil
	}
}

func (p *kpoller) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return errors.Join(unix.Close(p.rd), unix.Close(p.wr), unix.Close(p.kq))
}
