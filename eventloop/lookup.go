package eventloop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"conclab/iobound"
)

// lookup is one host name's address, looked up once per run, off the loop.
type lookup struct {
	addr    netip.Addr
	err     error
	done    bool
	waiting []*request // the requests that wait for it
}

// address returns the address r's hop goes to, when it is known now. When
// it is not, r waits for the lookup of its host, which runs off the loop
// (Loop.Go) as asyncio runs getaddrinfo in its executor: the system's
// resolver blocks, and nothing may block the loop. The lookup's result
// comes back to the loop through its wake-up, and r goes on from there.
// One lookup per host name and run, shared by every request to it.
func (c *client) address(r *request) (netip.AddrPort, bool) {
	t := &r.target
	if ip, err := netip.ParseAddr(t.host); err == nil {
		return netip.AddrPortFrom(ip, t.port), true
	}
	l := c.hosts[t.host]
	if l == nil {
		l = &lookup{}
		c.hosts[t.host] = l
		c.startLookup(t.host, l)
	}
	if !l.done {
		l.waiting = append(l.waiting, r)
		return netip.AddrPort{}, false
	}
	if l.err != nil {
		c.fail(r, l.err)
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(l.addr, t.port), true
}

func (c *client) startLookup(host string, l *lookup) {
	ctx, resolver, timeout := c.lookupCtx, c.resolver, c.timeout
	c.loop.Go(func() func() {
		// Off the loop: touch nothing of the client here.
		addr, err := resolve(ctx, resolver, host, timeout)
		return func() {
			l.addr, l.err, l.done = addr, err, true
			waiting := l.waiting
			l.waiting = nil
			for _, r := range waiting {
				if !r.done { // it may have timed out meanwhile
					c.start(r)
				}
			}
		}
	})
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
