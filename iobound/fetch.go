package iobound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"time"
)

// Errors a fetch wraps, so that a caller can tell the failures apart with
// errors.Is.
var (
	ErrBodyTooLarge = errors.New("iobound: response body larger than the cap")
	ErrStatus       = errors.New("iobound: non-2xx status")
	ErrTimeout      = errors.New("iobound: request timed out")
)

// Fetch GETs url with client, counts the body and discards it. It is the one
// request of the models built on net/http, so that they differ only in how
// they schedule requests, never in what a request is.
//
// The body is capped at bodyCap bytes (DefaultBodyCap when bodyCap <= 0) and
// the whole request, body included, at timeout (DefaultTimeout when
// timeout <= 0). A failure is returned in Result.Err, wrapping
// ErrBodyTooLarge, ErrStatus, ErrTimeout, ctx's error or the transport's
// error. A dial that finds no free file descriptor also names the
// process's limit (RLIMIT_NOFILE). Result.URL and the error show the URL
// with its password, if any, redacted (see Redact). The caller sets
// Result.Span.
func Fetch(ctx context.Context, client *http.Client, url string, bodyCap int64, timeout time.Duration) Result {
	if bodyCap <= 0 {
		bodyCap = DefaultBodyCap
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	shown := Redact(url)
	res := Result{URL: shown}
	// The cause tells our own timeout apart from the caller's deadline.
	reqCtx, cancel := context.WithTimeoutCause(ctx, timeout, ErrTimeout)
	defer cancel()
	fail := func(err error) Result {
		if ctx.Err() == nil && errors.Is(context.Cause(reqCtx), ErrTimeout) {
			err = fmt.Errorf("no complete response within %v: %w", timeout, ErrTimeout)
		}
		res.Err = fmt.Errorf("GET %s: %w", shown, WithTLS(WithDescriptorLimit(err)))
		return res
	}

	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, url, nil)
	if err != nil {
		// url.Parse's error quotes the URL as given, password and all.
		// (The client's own errors already show "***" in its place.)
		if ue, ok := errors.AsType[*neturl.Error](err); ok {
			ue.URL = shown
		}
		return fail(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	if resp.ContentLength > bodyCap {
		return fail(fmt.Errorf("Content-Length %d, cap %d: %w", resp.ContentLength, bodyCap, ErrBodyTooLarge))
	}
	// Read one byte past the cap to learn whether the body goes beyond it.
	res.Bytes, err = io.Copy(io.Discard, io.LimitReader(resp.Body, bodyCap+1))
	switch {
	case err != nil:
		return fail(fmt.Errorf("reading body after %d bytes: %w", res.Bytes, err))
	case res.Bytes > bodyCap:
		res.Bytes = bodyCap
		return fail(fmt.Errorf("more than %d bytes: %w", bodyCap, ErrBodyTooLarge))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fail(fmt.Errorf("%w: %s", ErrStatus, resp.Status))
	}
	return res
}

// NewClient returns the client of one run of a model built on net/http:
// its own transport, so that closing its idle connections at the end
// leaves nothing behind, keeping up to idlePerHost idle connections per
// host (net/http's default of 2 when idlePerHost <= 0). It trusts roots for
// https, the system's roots when roots is nil, and never skips
// verification. It speaks HTTP/1.1 only, as the event loop and the
// original's clients (requests, aiohttp) do, so that every model does the
// same work on the wire, over TLS too.
func NewClient(roots *x509.CertPool, idlePerHost int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if idlePerHost > 0 {
		t.MaxIdleConnsPerHost = idlePerHost
		t.MaxIdleConns = max(t.MaxIdleConns, idlePerHost)
	}
	t.TLSClientConfig = &tls.Config{RootCAs: roots}
	// The request's timeout bounds the handshake, as it does in the
	// event loop, rather than a 10 s of the transport's own.
	t.TLSHandshakeTimeout = 0
	t.ForceAttemptHTTP2 = false
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	return &http.Client{Transport: t}
}
