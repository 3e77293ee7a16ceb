package eventloop

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"conclab/iobound"
)

// DefaultMaxConns is how many requests Download keeps in flight at once when
// Model.MaxConns is 0: 100, the default limit of aiohttp's connector, which
// the original asyncio program downloads with.
const DefaultMaxConns = 100

// ErrScheme fails a URL whose scheme is neither http nor https.
var ErrScheme = errors.New("eventloop: only http and https URLs are supported")

// ErrDescriptors fails a request that found no file descriptor for its
// socket while no connection of this run was open to give one back.
var ErrDescriptors = errors.New("eventloop: out of file descriptors")

// ErrMaxConns is wrapped by the error of a Model with a negative MaxConns.
// It is iobound.ErrNegativeSetting, which every model's negative setting
// wraps, a Timeout's or a BodyCap's too.
var ErrMaxConns = iobound.ErrNegativeSetting

func (m Model) maxConns() int {
	if m.MaxConns == 0 {
		return DefaultMaxConns
	}
	return m.MaxConns
}

// request is one URL on its way: waiting for a slot, for its host's
// address, connecting, sending, receiving, following redirects, done.
type request struct {
	index   int
	url     string   // as given, password redacted: what results and errors print
	cur     *url.URL // the URL of this hop
	sent    int      // requests sent for this URL, redirects included
	target  target   // where this hop goes and what is sent there
	timer   *Handle  // the whole chain's timeout
	conn    *conn
	retried bool // this hop was retried once already
	done    bool
}

// client is the policy: which request gets a connection when, reuse,
// retries, redirects, timeouts, results. conn.go is the mechanics of one
// connection, parse.go of one response.
type client struct {
	loop     *Loop
	results  []iobound.Result
	finished []bool
	timeout  time.Duration
	bodyCap  int64
	maxConns int

	resolver      *net.Resolver
	lookupCtx     context.Context
	cancelLookups context.CancelFunc
	hosts         map[string]*lookup // by host name, for the whole run

	pending   []*request // waiting for a slot under MaxConns, first come first served
	fdWait    []*request // waiting for a descriptor to be given back
	idle      map[string][]*conn
	open      map[*conn]struct{}
	active    int // requests started and not finished
	left      int // requests not finished
	admitting bool
	admitFn   func() // c.admit, bound once
	closing   bool
	buf       []byte // the one read buffer: one callback reads at a time

	// The one gzip decoder, made at the first gzip body and reset for
	// each: decoding runs on the loop, one body at a time.
	unzip  *gzip.Reader
	zipped bytes.Reader

	// TLS: the roots to verify against (nil: the system's), a
	// configuration per host name, and the coroutines that run the
	// sessions (tls.go): how many are alive, and the most at once.
	roots          *x509.CertPool
	tlsConfigs     map[string]*tls.Config
	coroutines     int
	peakCoroutines int
}

// tlsConfig returns the TLS configuration for host: verified against the
// run's roots, never skipped. As net/http's Transport by default, it keeps
// no session cache: each new connection does a full handshake.
func (c *client) tlsConfig(host string) *tls.Config {
	cfg := c.tlsConfigs[host]
	if cfg == nil {
		if c.tlsConfigs == nil {
			c.tlsConfigs = make(map[string]*tls.Config)
		}
		cfg = &tls.Config{RootCAs: c.roots, ServerName: host}
		c.tlsConfigs[host] = cfg
	}
	return cfg
}

// closeTLS closes every connection that runs TLS, which ends its coroutine.
// It runs as Run returns, on the loop's thread.
func (c *client) closeTLS() {
	for cn := range c.open {
		if cn.tls != nil {
			c.closeConn(cn)
		}
	}
}

// prepare parses every URL; those that cannot be requested fail here, the
// others are returned. Host names are looked up later, on the way.
func (c *client) prepare(urls []string) []*request {
	var reqs []*request
	for i, raw := range urls {
		redacted := c.results[i].URL
		fail := func(err error) {
			c.results[i].Err = fmt.Errorf("GET %s: %w", redacted, err)
			c.finished[i] = true
		}
		u, err := url.Parse(raw)
		if err != nil {
			fail(urlError(err))
			continue
		}
		t, err := newTarget(u, "")
		if err != nil {
			fail(err)
			continue
		}
		reqs = append(reqs, &request{index: i, url: redacted, cur: u, sent: 1, target: t})
	}
	return reqs
}

// urlError drops the URL that a *url.Error repeats: it may hold a password,
// and the caller names the URL, redacted.
func urlError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("parsing the URL: %w", ue.Err)
	}
	return err
}

// submit starts r, or queues it when MaxConns requests are in flight. The
// timeout covers the whole chain of redirects, as net/http's
// Client.Timeout does, and the lookups on the way.
func (c *client) submit(r *request) {
	if c.active >= c.maxConns {
		c.pending = append(c.pending, r)
		return
	}
	c.active++
	c.results[r.index].Span.Start = time.Now()
	r.timer = c.loop.CallLater(c.timeout, func() { c.timedOut(r) })
	c.start(r)
}

// start sends r's hop as soon as its host's address is known.
func (c *client) start(r *request) {
	if addr, ok := c.address(r); ok {
		r.target.addr = addr
		c.assign(r, true)
	}
}

// assign gives r a connection: an idle one to its host when reuse is
// allowed, else a new one.
func (c *client) assign(r *request, reuse bool) {
	if reuse {
		if cn := c.popIdle(r.target.key); cn != nil {
			cn.send(r)
			return
		}
	}
	// Idle connections to other hosts count against MaxConns too: close
	// one to make room. There is one whenever the count is reached, since
	// each request in flight holds at most one connection.
	if len(c.open) >= c.maxConns {
		if idle := c.popAnyIdle(); idle != nil {
			c.closeConn(idle)
		}
	}
	err := dial(c, r)
	if err == nil {
		return
	}
	if !outOfDescriptors(err) {
		c.fail(r, fmt.Errorf("connect %s: %w", r.target.addr, err))
		return
	}
	// Out of descriptors: give back an idle one if there is any, else wait
	// for one of this run's connections to close; fail only when none is
	// open, since then none will come back.
	if idle := c.popAnyIdle(); idle != nil {
		c.closeConn(idle)
		c.assign(r, false)
		return
	}
	if len(c.open) > 0 {
		c.fdWait = append(c.fdWait, r)
		return
	}
	c.fail(r, fmt.Errorf("socket: %w: the process's limit (RLIMIT_NOFILE) is %d and none of this run's connections is open to give one back: %w",
		ErrDescriptors, descriptorLimit(), err))
	// Whoever else waits would wait for a close that will not come: let
	// the next one try, and fail the same way if nothing changed.
	c.wakeWaiter()
}

func (c *client) popIdle(key string) *conn {
	list := c.idle[key]
	if len(list) == 0 {
		return nil
	}
	cn := list[len(list)-1]
	c.unidle(cn)
	return cn
}

func (c *client) popAnyIdle() *conn {
	for _, list := range c.idle {
		if len(list) > 0 {
			cn := list[len(list)-1]
			c.unidle(cn)
			return cn
		}
	}
	return nil
}

// unidle takes cn out of its host's idle list.
func (c *client) unidle(cn *conn) {
	if cn.idleAt < 0 {
		return
	}
	list := c.idle[cn.key]
	last := list[len(list)-1]
	list[cn.idleAt], last.idleAt = last, cn.idleAt
	list[len(list)-1] = nil
	c.idle[cn.key] = list[:len(list)-1]
	cn.idleAt = -1
}

// release keeps cn for the next request to its host, or closes it when the
// response forbids reuse. An idle connection's reader stays armed: a close
// or stray bytes from the server while it is idle close it. When requests
// wait for a descriptor, cn is closed instead, to give its descriptor to
// the first of them.
func (c *client) release(cn *conn, keepAlive bool) {
	if !keepAlive || len(c.fdWait) > 0 {
		c.closeConn(cn)
		return
	}
	cn.req.conn, cn.req = nil, nil
	cn.idleAt = len(c.idle[cn.key])
	c.idle[cn.key] = append(c.idle[cn.key], cn)
}

// closeConn closes cn and, if a request waits for a descriptor, gives it
// the one just freed.
func (c *client) closeConn(cn *conn) {
	if !cn.close() {
		return
	}
	c.unidle(cn)
	delete(c.open, cn)
	if cn.req != nil {
		cn.req.conn = nil
		cn.req = nil
	}
	c.wakeWaiter()
}

// wakeWaiter gives the descriptor just freed to the first request waiting
// for one, in the next iteration (the close has returned by then). If that
// request has timed out meanwhile, the next one gets it.
func (c *client) wakeWaiter() {
	for !c.closing && len(c.fdWait) > 0 {
		r := c.fdWait[0]
		c.fdWait = c.fdWait[1:]
		if r.done {
			continue
		}
		c.loop.CallSoon(func() {
			if r.done {
				c.wakeWaiter()
				return
			}
			c.assign(r, true)
		})
		return
	}
}

// connFailed handles a connection that failed while r used it: an error
// reading or writing, a close before the response ended, a response the
// parser refused.
func (c *client) connFailed(cn *conn, err error) {
	r := cn.req
	switch {
	case cn.established && cn.parser.Received() == 0 && !r.retried:
		// The server closed the connection before any byte of the
		// response: most likely an idle connection it had timed out, or
		// a server at its limit of connections. Retried once on a new
		// connection (net/http retries a reused one; see the package
		// doc).
		r.retried = true
		c.closeConn(cn)
		c.assign(r, false)
	case cn.redirect:
		// The head of a redirect came; its body is read only so that
		// the connection can be reused, and net/http ignores its errors.
		loc := cn.parser.Location()
		c.closeConn(cn)
		c.follow(r, loc)
	default:
		status, body := cn.partial()
		if cn.gzip && errors.Is(err, iobound.ErrBodyTooLarge) {
			err = fmt.Errorf("gzip body: %w", err)
		}
		c.closeConn(cn)
		c.finish(r, status, body, err)
	}
}

// responded handles r's whole response: the final one, or a redirect to
// follow.
func (c *client) responded(cn *conn, keepAlive bool) {
	r := cn.req
	if cn.redirect {
		loc := cn.parser.Location()
		c.release(cn, keepAlive)
		c.follow(r, loc)
		return
	}
	status := cn.parser.Status()
	body, err := cn.bodyBytes()
	c.release(cn, keepAlive)
	if err == nil && (status < 200 || status > 299) {
		err = fmt.Errorf("%w: %d", iobound.ErrStatus, status)
	}
	c.finish(r, status, body, err)
}

func (c *client) timedOut(r *request) {
	r.timer = nil // it ran
	var status int
	var body int64
	if cn := r.conn; cn != nil {
		status, body = cn.partial()
		c.closeConn(cn)
	}
	c.finish(r, status, body, fmt.Errorf("no complete response within %v: %w", c.timeout, iobound.ErrTimeout))
}

// fail finishes r with err and what its connection had received.
func (c *client) fail(r *request, err error) {
	var status int
	var body int64
	if cn := r.conn; cn != nil {
		status, body = cn.partial()
	}
	c.finish(r, status, body, err)
}

// finish records r's result and lets the next request in. The error names
// the URL as given and, after a redirect, the hop that failed.
func (c *client) finish(r *request, status int, body int64, err error) {
	if r.done {
		return
	}
	r.done = true
	if r.timer != nil {
		r.timer.Cancel()
	}
	if err != nil {
		if r.sent > 1 {
			err = fmt.Errorf("after redirect %d to %s: %w", r.sent-1, r.cur.Redacted(), err)
		}
		err = fmt.Errorf("GET %s: %w", r.url, err)
	}
	c.finished[r.index] = true
	res := &c.results[r.index]
	res.Status, res.Bytes, res.Err = status, body, err
	res.Span.End = time.Now()
	c.active--
	c.left--
	if len(c.pending) > 0 && !c.admitting {
		// From a callback of its own: a request that fails at once (its
		// host's lookup failed, say) would otherwise finish and start the
		// next one inside this call, as deep as the queue is long.
		c.admitting = true
		c.loop.CallSoon(c.admitFn)
	}
	if c.left == 0 {
		c.loop.Stop()
	}
}

// admit starts the requests waiting for a slot, while there are slots.
func (c *client) admit() {
	c.admitting = false
	for len(c.pending) > 0 && c.active < c.maxConns {
		next := c.pending[0]
		c.pending = c.pending[1:]
		c.submit(next)
	}
}

// shutdown closes every connection, cancels the lookups still running and
// fails what did not finish, with the reason Run returned early.
func (c *client) shutdown(runErr error) {
	c.closing = true
	c.cancelLookups()
	for cn := range c.open {
		c.closeConn(cn)
	}
	if runErr == nil {
		runErr = errors.New("the loop stopped early")
	}
	for i := range c.results {
		res := &c.results[i]
		if !c.finished[i] {
			res.Err = fmt.Errorf("GET %s: %w", res.URL, runErr)
			res.Span.End = time.Now()
		}
	}
}
