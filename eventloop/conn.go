package eventloop

import "fmt"

// conn is the mechanics of one connection, a small state machine driven by
// the loop's callbacks: connecting (writer armed until the connect
// completes), sending (writer armed only while bytes remain), receiving
// (reader armed, bytes fed to the parser), idle (reader armed to notice the
// server closing it). Decisions about requests are the client's.
type conn struct {
	c           *client
	fd          int
	key         string
	req         *request
	out         []byte // the unsent rest of the request
	writing     bool   // writer armed
	reading     bool   // reader armed
	established bool   // the connect completed
	parser      Parser
	idleAt      int // index in the client's idle list, -1 when not idle
	closed      bool

	// What the head of the response in progress decided (onHead).
	redirect bool   // a redirect to follow: its body is read only to reuse cn
	gzip     bool   // a gzip body, kept to decode once complete
	kept     []byte // the compressed bytes so far

	onHead func() error // cn.head and cn.keep, bound once per connection
	sink   func([]byte)

	// tls runs the connection's TLS session in a coroutine, for an https
	// target; nil for http. It does the reading and writing then, and
	// established means the handshake completed too.
	tls *tlsConn
}

// dial opens a connection for r and starts connecting it. It returns the
// socket's error only; everything after is reported to the client through
// its callbacks.
func dial(c *client, r *request) error {
	fd, inProgress, err := sockDial(r.target.addr)
	if err != nil {
		return err
	}
	cn := &conn{c: c, fd: fd, key: r.target.key, req: r, idleAt: -1}
	cn.onHead, cn.sink = cn.head, cn.keep
	c.open[cn] = struct{}{}
	r.conn = cn
	if !inProgress {
		cn.ready()
		return nil
	}
	if err := c.loop.AddWriter(fd, cn.connected); err != nil {
		c.connFailed(cn, err)
		return nil
	}
	cn.writing = true
	return nil
}

// connected runs when a connect in progress has completed, well or not: the
// socket turns writable either way, and SO_ERROR tells which.
func (cn *conn) connected() {
	cn.unwatchWrite()
	if err := sockError(cn.fd); err != nil {
		cn.c.connFailed(cn, fmt.Errorf("connect %s: %w", cn.req.target.addr, err))
		return
	}
	cn.ready()
}

// ready starts the request on a connected socket: at once over http,
// after the handshake (in the round trip's coroutine) over https.
func (cn *conn) ready() {
	if t := cn.req.target; t.tls {
		cn.tls = newTLSConn(cn, cn.c.tlsConfig(t.host))
	} else {
		cn.established = true
	}
	cn.send(cn.req)
}

// send starts r on cn: reader armed (a server that closes early is noticed
// even mid-request), then as much of the request written as the socket
// takes.
func (cn *conn) send(r *request) {
	cn.req, r.conn = r, cn
	cn.parser.next(cn.c.bodyCap, cn.onHead)
	cn.redirect, cn.gzip = false, false
	cn.dropKept()
	cn.out = r.target.request
	if cn.tls != nil {
		cn.tls.resume()
		return
	}
	if !cn.reading {
		if err := cn.c.loop.AddReader(cn.fd, cn.readable); err != nil {
			cn.c.connFailed(cn, err)
			return
		}
		cn.reading = true
	}
	cn.flush()
}

// flush writes what is left of the request. A partial write keeps the rest
// and arms the writer; the writer is disarmed as soon as nothing is left,
// since a level-triggered writer on an idle socket would fire forever.
func (cn *conn) flush() {
	for len(cn.out) > 0 {
		n, err := sockWrite(cn.fd, cn.out)
		cn.out = cn.out[n:]
		if err == nil {
			continue
		}
		if !wouldBlock(err) {
			cn.c.connFailed(cn, fmt.Errorf("write: %w", err))
			return
		}
		if !cn.writing {
			if err := cn.c.loop.AddWriter(cn.fd, cn.flush); err != nil {
				cn.c.connFailed(cn, err)
				return
			}
			cn.writing = true
		}
		return
	}
	cn.unwatchWrite()
}

// readable runs when the socket has bytes, an EOF or an error. One read per
// call: the loop is level-triggered and calls again while more is waiting,
// after the other ready callbacks had their turn.
func (cn *conn) readable() {
	c := cn.c
	n, err := sockRead(cn.fd, c.buf)
	if err != nil && wouldBlock(err) {
		return
	}
	if cn.req == nil {
		// Idle: the server closed it, or sent what nobody asked for.
		c.closeConn(cn)
		return
	}
	if err != nil {
		c.connFailed(cn, fmt.Errorf("read: %w", err))
		return
	}
	if n == 0 {
		if err := cn.parser.EOF(); err != nil {
			c.connFailed(cn, err)
			return
		}
		c.responded(cn, false)
		return
	}
	used, err := cn.parser.Feed(c.buf[:n])
	if err != nil {
		c.connFailed(cn, err)
		return
	}
	if cn.parser.Done() {
		// Bytes after the response: the server is confused, or pipelining
		// we did not ask for. Either way the connection is not reused.
		c.responded(cn, cn.parser.KeepAlive() && used == n && len(cn.out) == 0)
	}
}

// head runs when the response's head is complete (Parser.OnHead) and
// decides how its body is read, as net/http's client and Transport do: a
// redirect's body only up to maxRedirectBody, a gzip body kept whole to
// be decoded (the cap then applies to the decoded bytes, checked by
// decode, and the compressed ones are bounded by encodedCap), any other
// body counted up to the cap. net/http decodes only what it asked gzip
// for, which is every GET, and only a body that may have bytes.
func (cn *conn) head() error {
	p := &cn.parser
	if isRedirect(p.Status()) && p.Location() != "" {
		cn.redirect = true
		p.BodyCap = maxRedirectBody
		return nil
	}
	if p.ContentLength() != 0 && asciiEqualFold(p.ContentEncoding(), "gzip") {
		cn.gzip = true
		p.BodyCap = encodedCap(cn.c.bodyCap)
		p.Sink = cn.sink
	}
	return nil
}

func (cn *conn) unwatchWrite() {
	if cn.writing {
		_, _ = cn.c.loop.RemoveWriter(cn.fd) // fails only if epoll does; the close below cleans up
		cn.writing = false
	}
}

// close unregisters and closes the socket; it reports whether it did.
func (cn *conn) close() bool {
	if cn.closed {
		return false
	}
	cn.closed = true
	if cn.reading {
		_, _ = cn.c.loop.RemoveReader(cn.fd)
	}
	cn.unwatchWrite()
	cn.reading = false
	if cn.tls != nil {
		cn.tls.close()
	}
	_ = sockClose(cn.fd)
	return true
}
