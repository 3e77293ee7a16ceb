package eventloop

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"time"

	"conclab/iobound"
)

// ErrTLS is wrapped by the error of a URL whose TLS handshake failed: a
// certificate no trusted root signed, or one for another host, or a server
// that answers in plain HTTP. It is iobound.ErrTLS, as in every model. A
// handshake that stalls fails with iobound.ErrTimeout at the request's
// timeout, as any request does.
var ErrTLS = iobound.ErrTLS

// errStopped is what a coroutine's socket returns once the loop has closed
// its connection: crypto/tls then gives up and the coroutine ends.
var errStopped = fmt.Errorf("connection closed by the event loop: %w", net.ErrClosed)

// wait is what a TLS coroutine yields to the loop: what it waits for.
type wait uint8

const (
	waitRead  wait = iota + 1 // the socket to turn readable
	waitWrite                 // the socket to turn writable
	waitNext                  // nothing: its round trip is over, the result is ready
)

// tlsConn runs crypto/tls for one connection on the loop's thread of
// control, in a coroutine (iter.Pull). The coroutine does a round trip in
// blocking style: handshake (the first time), write the request, read
// until the parser has the whole response. Its socket is a sockConn, whose
// Read and Write make the non-blocking system calls and, on EAGAIN, yield
// to the loop what they wait for; the loop arms that readiness and resumes
// the coroutine when it comes. Control passes explicitly: while the
// coroutine runs, the loop waits in next(), and while the loop runs, the
// coroutine waits in yield. It is await, spelled with a coroutine.
type tlsConn struct {
	cn   *conn
	tc   *tls.Conn
	next func() (wait, bool)
	stop func()
	// yield is the coroutine's yield, set when it starts; the sockConn
	// calls it.
	yield func(wait) bool
	wait  wait // what the coroutine waits for, as last yielded
	// The result of the round trip that ended at waitNext.
	keepAlive bool
	err       error
}

// newTLSConn starts the coroutine of cn's TLS session (it runs at the first
// resume). cfg names the host to verify.
func newTLSConn(cn *conn, cfg *tls.Config) *tlsConn {
	t := &tlsConn{cn: cn}
	t.tc = tls.Client(&sockConn{t: t, addr: net.TCPAddrFromAddrPort(cn.req.target.addr)}, cfg)
	t.next, t.stop = iter.Pull(t.run)
	c := cn.c
	c.coroutines++
	c.peakCoroutines = max(c.peakCoroutines, c.coroutines)
	return t
}

// run is the coroutine: one round trip per resume after waitNext, until
// the loop stops it.
func (t *tlsConn) run(yield func(wait) bool) {
	t.yield = yield
	for {
		t.keepAlive, t.err = t.roundTrip()
		if !yield(waitNext) {
			return
		}
	}
}

// roundTrip sends cn.out and reads the response into cn's parser. It
// reports whether the connection may be reused, or the error that ended it.
func (t *tlsConn) roundTrip() (keepAlive bool, err error) {
	cn := t.cn
	if !cn.established {
		// No deadline of its own: the request's timer closes the
		// connection, which stops the coroutine wherever it waits.
		if err := t.tc.Handshake(); err != nil {
			return false, iobound.WithTLS(fmt.Errorf("TLS handshake with %s: %w", cn.req.target.addr, err))
		}
		cn.established = true
	}
	if _, err := t.tc.Write(cn.out); err != nil {
		return false, fmt.Errorf("write: %w", err)
	}
	cn.out = nil
	buf := cn.c.buf // safe: the loop does not read while a coroutine runs
	for {
		n, err := t.tc.Read(buf)
		if n > 0 {
			used, ferr := cn.parser.Feed(buf[:n])
			if ferr != nil {
				return false, ferr
			}
			if cn.parser.Done() {
				return cn.parser.KeepAlive() && used == n, nil
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			if err := cn.parser.EOF(); err != nil {
				return false, err
			}
			return false, nil
		case err != nil:
			return false, fmt.Errorf("read: %w", err)
		}
	}
}

// resume runs the coroutine until it waits again, arms what it waits for,
// and hands a finished round trip to the client.
func (t *tlsConn) resume() {
	w, ok := t.next()
	if !ok {
		return
	}
	t.wait = w
	if testHookResumed != nil {
		testHookResumed(t.cn.c)
	}
	cn, c := t.cn, t.cn.c
	// Only the readiness it waits for is armed: a writer armed on a
	// socket with room would fire at every iteration, level-triggered.
	// Between round trips the reader stays armed, to notice the server
	// closing an idle connection, as on a plain one.
	if err := t.watch(w != waitWrite, w == waitWrite); err != nil {
		c.connFailed(cn, err)
		return
	}
	if w != waitNext {
		return
	}
	if t.err != nil {
		c.connFailed(cn, t.err)
		return
	}
	c.responded(cn, t.keepAlive)
}

// readable runs when the socket has bytes, an EOF or an error: the
// coroutine goes on, or, between round trips, the idle connection closes.
func (t *tlsConn) readable() {
	if t.wait == waitNext {
		t.cn.c.closeConn(t.cn)
		return
	}
	t.resume()
}

// watch arms the reader and the writer as asked, each one only when it
// changes.
func (t *tlsConn) watch(read, write bool) error {
	cn := t.cn
	l := cn.c.loop
	switch {
	case read && !cn.reading:
		if err := l.AddReader(cn.fd, t.readable); err != nil {
			return err
		}
		cn.reading = true
	case !read && cn.reading:
		_, _ = l.RemoveReader(cn.fd)
		cn.reading = false
	}
	switch {
	case write && !cn.writing:
		if err := l.AddWriter(cn.fd, t.resume); err != nil {
			return err
		}
		cn.writing = true
	case !write:
		cn.unwatchWrite()
	}
	return nil
}

// close ends the coroutine wherever it waits: its socket returns
// errStopped, crypto/tls returns it, and run returns.
func (t *tlsConn) close() {
	t.stop()
	c := t.cn.c
	c.coroutines--
}

// testHookResumed, when set, runs each time a coroutine hands control back
// to the loop. Tests count goroutines with it.
var testHookResumed func(c *client)

// sockConn is the net.Conn crypto/tls reads and writes: the connection's
// non-blocking socket, with the waits turned into yields to the loop. Only
// the coroutine calls it.
type sockConn struct {
	t    *tlsConn
	addr net.Addr
}

func (s *sockConn) Read(b []byte) (int, error) {
	for {
		n, err := sockRead(s.t.cn.fd, b)
		switch {
		case err == nil && n == 0:
			return 0, io.EOF
		case err == nil:
			return n, nil
		case !wouldBlock(err):
			return 0, err
		}
		if !s.t.yield(waitRead) {
			return 0, errStopped
		}
	}
}

func (s *sockConn) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := sockWrite(s.t.cn.fd, b[written:])
		written += n
		switch {
		case err == nil:
			continue
		case !wouldBlock(err):
			return written, err
		}
		if !s.t.yield(waitWrite) {
			return written, errStopped
		}
	}
	return written, nil
}

// Close does nothing: the loop closes the socket (conn.close).
func (s *sockConn) Close() error { return nil }

func (s *sockConn) LocalAddr() net.Addr { return &net.TCPAddr{} }

func (s *sockConn) RemoteAddr() net.Addr { return s.addr }

// Deadlines are the loop's timers, not the socket's: these do nothing.
func (s *sockConn) SetDeadline(time.Time) error      { return nil }
func (s *sockConn) SetReadDeadline(time.Time) error  { return nil }
func (s *sockConn) SetWriteDeadline(time.Time) error { return nil }
