package eventloop

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"conclab/iobound"
)

// ErrTooManyRedirects fails a URL whose tenth request is answered with yet
// another redirect, with net/http's words: its default CheckRedirect stops
// there too, and a loop of redirects ends the same way.
var ErrTooManyRedirects = errors.New("eventloop: stopped after 10 redirects")

// maxRedirects is how many requests one URL may take, redirects included,
// as net/http's default CheckRedirect allows.
const maxRedirects = 10

// maxRedirectBody is how much of a redirect's body is read before it is
// followed, so that a short one leaves its connection reusable; a longer
// one closes it. net/http's client reads the same 2 KiB.
const maxRedirectBody = 2 << 10

// isRedirect reports whether net/http's client follows a response with
// this status (and a Location). A request of this client is always a GET
// without a body, so every one of them is followed with a GET without a
// body: net/http turns a 301, 302 or 303 into a GET and resends a 307 or
// 308 as it was, which for a GET comes to the same request.
func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// target is where one hop goes and what is sent there.
type target struct {
	host    string // the name or address to connect to
	port    uint16
	tls     bool   // https: the connection runs TLS (tls.go)
	key     string // host:port (https://host:port over TLS), the pool of idle connections it shares
	addr    netip.AddrPort
	request []byte
}

// newTarget checks u and writes the request for it, with the headers
// net/http's client sends: Host, User-Agent, Authorization when the URL
// carries credentials, Referer on a redirect (referer, "" for none), and
// Accept-Encoding: gzip, which its Transport adds.
func newTarget(u *url.URL, referer string) (target, error) {
	var secure bool
	switch u.Scheme {
	case "http":
	case "https":
		secure = true
	default:
		return target{}, fmt.Errorf("scheme %q: %w", u.Scheme, ErrScheme)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
		if secure {
			port = "443"
		}
	}
	portNum, err := strconv.ParseUint(port, 10, 16)
	if err != nil || host == "" {
		return target{}, fmt.Errorf("bad host or port in %q", u.Host)
	}
	uri := u.RequestURI()
	var auth string
	if u.User != nil {
		// As net/http's client: the credentials of the URL being
		// requested, and only those. A relative Location keeps them (the
		// URL it resolves to does); an absolute one, even to the same
		// host, drops them unless it names them.
		password, _ := u.User.Password()
		auth = base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + password))
	}
	// One allocation, sized up front: this runs for every URL.
	req := make([]byte, 0, len(uri)+len(u.Host)+len(auth)+len(referer)+128)
	req = append(req, "GET "...)
	req = append(req, uri...)
	req = append(req, " HTTP/1.1\r\nHost: "...)
	req = append(req, u.Host...)
	req = append(req, "\r\nUser-Agent: conclab-eventloop\r\n"...)
	if auth != "" {
		req = append(append(append(req, "Authorization: Basic "...), auth...), "\r\n"...)
	}
	if referer != "" {
		req = append(append(append(req, "Referer: "...), referer...), "\r\n"...)
	}
	req = append(req, "Accept-Encoding: gzip\r\n\r\n"...)
	key := net.JoinHostPort(host, port)
	if secure {
		key = "https://" + key // never shared with plain connections
	}
	return target{
		host:    host,
		port:    uint16(portNum),
		tls:     secure,
		key:     key,
		request: req,
	}, nil
}

// follow sends r on to Location loc, resolved against the URL that
// answered, as net/http's client does: the same checks in the same order
// (a Location that does not parse, then too many redirects, then a URL
// that cannot be requested), the same Referer.
func (c *client) follow(r *request, loc string) {
	next, err := r.cur.Parse(loc)
	if err != nil {
		c.finish(r, 0, 0, fmt.Errorf("failed to parse Location header %q: %w", iobound.Redact(loc), urlError(err)))
		return
	}
	ref := referer(r.cur, next)
	r.sent++
	r.cur = next
	if r.sent > maxRedirects {
		c.finish(r, 0, 0, ErrTooManyRedirects)
		return
	}
	t, err := newTarget(next, ref)
	if err != nil {
		c.finish(r, 0, 0, err)
		return
	}
	r.target, r.retried = t, false
	c.start(r)
}

// referer is the Referer net/http's client sends on a redirect from last
// to next: last without its credentials, and none from https to http.
func referer(last, next *url.URL) string {
	if last.Scheme == "https" && next.Scheme == "http" {
		return ""
	}
	ref := last.String()
	if last.User != nil {
		ref = strings.Replace(ref, last.User.String()+"@", "", 1)
	}
	return ref
}
