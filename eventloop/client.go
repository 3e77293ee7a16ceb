package eventloop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"time"

	"conclab/iobound"
	"conclab/timeline"
)

// ErrTLS fails every https URL: the TLS handshake of the standard library
// blocks its goroutine, so it cannot run inside a loop of one goroutine.
var ErrTLS = errors.New("TLS needs a blocking handshake; use another model")

// ErrScheme fails a URL whose scheme is neither http nor https.
var ErrScheme = errors.New("only http URLs are supported")

// ErrDescriptors fails a request that found no file descriptor for its
// socket while no connection of this run was open to give one back.
var ErrDescriptors = errors.New("out of file descriptors")

// Download GETs every URL on one event loop, every request in flight at
// once (or MaxConns of them), and counts the body bytes. Host names are
// resolved once per host before the loop starts. A failed URL is a Result
// with an error; the error return is for a run that could not happen
// (no poller on this platform, ctx cancelled).
func (m Model) Download(ctx context.Context, urls []string) (iobound.Report, error) {
	c := &client{
		results:  make([]iobound.Result, len(urls)),
		finished: make([]bool, len(urls)),
		timeout:  orDefault(m.Timeout, iobound.DefaultTimeout),
		bodyCap:  orDefault(m.BodyCap, iobound.DefaultBodyCap),
		maxConns: m.MaxConns,
		idle:     make(map[string][]*conn),
		open:     make(map[*conn]struct{}),
		buf:      make([]byte, 64<<10),
	}
	pid := os.Getpid()
	for i, u := range urls {
		now := time.Now()
		c.results[i] = iobound.Result{URL: u, Span: timeline.Span{PID: pid, Start: now, End: now}}
	}
	if len(urls) == 0 {
		return iobound.Report{Results: c.results}, nil
	}
	loop, err := New()
	if err != nil {
		return iobound.Report{Results: c.results}, err
	}
	defer loop.Close()
	c.loop = loop

	reqs := c.prepare(ctx, urls)
	c.left = len(reqs)
	if c.left > 0 {
		loop.CallSoon(func() {
			for _, r := range reqs {
				c.submit(r)
			}
		})
		err = loop.Run(ctx)
	}
	c.shutdown(err)
	return iobound.Report{Results: c.results}, err
}

// orDefault returns v, or def when v is not positive.
func orDefault[T int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// target is where one URL goes and what is sent there.
type target struct {
	key     string // host:port, the pool of idle connections it shares
	addr    netip.AddrPort
	request []byte
}

// request is one URL on its way: waiting for a slot, connecting, sending,
// receiving, done.
type request struct {
	index   int
	url     string
	target  target
	timer   *Handle
	conn    *conn
	retried bool
	done    bool
}

// client is the policy: which request gets a connection when, reuse,
// retries, timeouts, results. conn.go is the mechanics of one connection.
type client struct {
	loop     *Loop
	results  []iobound.Result
	finished []bool
	timeout  time.Duration
	bodyCap  int64
	maxConns int

	pending []*request // waiting for a slot under MaxConns, first come first served
	fdWait  []*request // waiting for a descriptor to be given back
	idle    map[string][]*conn
	open    map[*conn]struct{}
	active  int // requests started and not finished
	left    int // requests not finished
	closing bool
	buf     []byte // the one read buffer: one callback reads at a time
}

// prepare parses every URL and resolves every host name once, before the
// loop runs (a lookup would block the loop; see the package comment). URLs
// that cannot be requested fail here; the others are returned.
func (c *client) prepare(ctx context.Context, urls []string) []*request {
	type lookup struct {
		addr netip.Addr
		err  error
	}
	hosts := make(map[string]lookup)
	var reqs []*request
	for i, raw := range urls {
		fail := func(err error) {
			c.results[i].Err = fmt.Errorf("GET %s: %w", raw, err)
			c.finished[i] = true
		}
		u, err := url.Parse(raw)
		if err != nil {
			fail(err)
			continue
		}
		switch u.Scheme {
		case "http":
		case "https":
			fail(ErrTLS)
			continue
		default:
			fail(fmt.Errorf("scheme %q: %w", u.Scheme, ErrScheme))
			continue
		}
		host, port := u.Hostname(), u.Port()
		if port == "" {
			port = "80"
		}
		portNum, err := strconv.ParseUint(port, 10, 16)
		if err != nil || host == "" {
			fail(fmt.Errorf("bad host or port in %q", u.Host))
			continue
		}
		found, seen := hosts[host]
		if !seen {
			found.addr, found.err = resolve(ctx, net.DefaultResolver, host, c.timeout)
			hosts[host] = found
		}
		if found.err != nil {
			fail(found.err)
			continue
		}
		reqs = append(reqs, &request{
			index: i,
			url:   raw,
			target: target{
				key:  net.JoinHostPort(host, port),
				addr: netip.AddrPortFrom(found.addr, uint16(portNum)),
				request: []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
					"\r\nUser-Agent: conclab-eventloop\r\n\r\n"),
			},
		})
	}
	return reqs
}

// resolve returns host's address, an IPv4 one when there is one. The lookup
// may take no longer than one request may (timeout), as the lookup inside a
// dial does in the models built on net/http: a resolver that does not answer
// fails the host's URLs with ErrTimeout instead of holding up the run for as
// long as the resolver's own timeouts and retries take.
func resolve(ctx context.Context, r *net.Resolver, host string, timeout time.Duration) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, nil
	}
	lookupCtx, cancel := context.WithTimeoutCause(ctx, timeout, iobound.ErrTimeout)
	defer cancel()
	ips, err := r.LookupNetIP(lookupCtx, "ip", host)
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(lookupCtx), iobound.ErrTimeout) {
			return netip.Addr{}, fmt.Errorf("resolving %s: no answer within %v: %w", host, timeout, iobound.ErrTimeout)
		}
		return netip.Addr{}, fmt.Errorf("resolving %s: %w", host, err)
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			return ip.Unmap(), nil
		}
	}
	if len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("resolving %s: no address", host)
	}
	return ips[0], nil
}

// submit starts r, or queues it when MaxConns requests are in flight.
func (c *client) submit(r *request) {
	if c.maxConns > 0 && c.active >= c.maxConns {
		c.pending = append(c.pending, r)
		return
	}
	c.active++
	c.results[r.index].Span.Start = time.Now()
	r.timer = c.loop.CallLater(c.timeout, func() { c.timedOut(r) })
	c.assign(r, true)
}

// assign gives r a connection: an idle one to its host when reuse is
// allowed, else a new one.
func (c *client) assign(r *request, reuse bool) {
	if reuse {
		if cn := c.popIdle(r.target.key); cn != nil {
			cn.reused = true
			cn.send(r)
			return
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

// release keeps cn for the next request to its host. Its reader stays
// armed: a close or stray bytes from the server while it is idle close it.
// When requests wait for a descriptor, cn is closed instead, to give its
// descriptor to the first of them.
func (c *client) release(cn *conn) {
	cn.req.conn, cn.req = nil, nil
	if len(c.fdWait) > 0 {
		c.closeConn(cn)
		return
	}
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

// connFailed handles a connection that failed while r used it. A reused
// connection that fails before any byte of the response came back was
// most likely closed by the server while idle: r is retried once on a new
// connection, as net/http does for idempotent requests.
func (c *client) connFailed(cn *conn, err error) {
	r := cn.req
	retry := cn.reused && cn.parser.Received() == 0 && !r.retried
	status, body := cn.parser.Status(), cn.parser.Body()
	c.closeConn(cn)
	if retry {
		r.retried = true
		c.assign(r, false)
		return
	}
	c.finish(r, status, body, fmt.Errorf("GET %s: %w", r.url, err))
}

// completed handles r's whole response.
func (c *client) completed(cn *conn, keepAlive bool) {
	r, status, body := cn.req, cn.parser.Status(), cn.parser.Body()
	if keepAlive {
		c.release(cn)
	} else {
		c.closeConn(cn)
	}
	var err error
	if status < 200 || status > 299 {
		err = fmt.Errorf("GET %s: %w: %d", r.url, iobound.ErrStatus, status)
	}
	c.finish(r, status, body, err)
}

func (c *client) timedOut(r *request) {
	r.timer = nil // it ran
	var status int
	var body int64
	if cn := r.conn; cn != nil {
		status, body = cn.parser.Status(), cn.parser.Body()
		c.closeConn(cn)
	}
	c.finish(r, status, body, fmt.Errorf("GET %s: no complete response within %v: %w", r.url, c.timeout, iobound.ErrTimeout))
}

func (c *client) fail(r *request, err error) {
	var status int
	var body int64
	if cn := r.conn; cn != nil {
		status, body = cn.parser.Status(), cn.parser.Body()
	}
	c.finish(r, status, body, fmt.Errorf("GET %s: %w", r.url, err))
}

// finish records r's result and lets the next request in.
func (c *client) finish(r *request, status int, body int64, err error) {
	if r.done {
		return
	}
	r.done = true
	if r.timer != nil {
		r.timer.Cancel()
	}
	c.finished[r.index] = true
	res := &c.results[r.index]
	res.Status, res.Bytes, res.Err = status, body, err
	res.Span.End = time.Now()
	c.active--
	c.left--
	for len(c.pending) > 0 && (c.maxConns <= 0 || c.active < c.maxConns) {
		next := c.pending[0]
		c.pending = c.pending[1:]
		c.submit(next)
	}
	if c.left == 0 {
		c.loop.Stop()
	}
}

// shutdown closes every connection and fails what did not finish, with
// the reason Run returned early.
func (c *client) shutdown(runErr error) {
	c.closing = true
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
