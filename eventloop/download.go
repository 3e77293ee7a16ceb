package eventloop

import (
	"cmp"
	"context"
	"crypto/x509"
	"net"
	"os"
	"time"

	"conclab/internal/task"
	"conclab/iobound"
)

// download is one run of Download: its client, and the requests to make.
type download struct {
	*client
	reqs []*request
}

// newDownload returns the client of one Download, with a result for every
// URL (its password redacted), and the requests to make: the URLs that
// cannot be requested have failed already. Its lookups end with ctx, or
// when cancelLookups is called. https is verified against roots (nil: the
// system's).
func newDownload(ctx context.Context, s iobound.Settings, maxConns int, resolver *net.Resolver, roots *x509.CertPool, urls []string) download {
	lookupCtx, cancelLookups := context.WithCancel(ctx)
	c := &client{
		results:       make([]iobound.Result, len(urls)),
		finished:      make([]bool, len(urls)),
		timeout:       s.Timeout,
		bodyCap:       s.BodyCap,
		maxConns:      maxConns,
		resolver:      cmp.Or(resolver, net.DefaultResolver),
		lookupCtx:     lookupCtx,
		cancelLookups: cancelLookups,
		hosts:         make(map[string]*lookup),
		idle:          make(map[string][]*conn),
		open:          make(map[*conn]struct{}),
		buf:           make([]byte, 64<<10),
		roots:         roots,
	}
	c.admitFn = c.admit
	pid := os.Getpid()
	for i, u := range urls {
		now := time.Now()
		c.results[i] = iobound.Result{URL: iobound.Redact(u), Span: task.Span{PID: pid, Start: now, End: now}}
	}
	reqs := c.prepare(urls)
	c.left = len(reqs)
	return download{client: c, reqs: reqs}
}

// start starts request i on loop, the run's, from one of its callbacks.
func (d download) start(loop *Loop, i int) {
	if d.loop == nil {
		d.loop = loop
		// The TLS coroutines end on the loop's locked thread, where they began.
		loop.atExit = append(loop.atExit, d.closeTLS)
	}
	d.submit(d.reqs[i])
}
