package iobound

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
)

// site builds the URLs of a server that runs here or in a child process.
type site struct {
	scheme  string // http, or https with Config.TLS
	addr    string // host:port
	certPEM []byte // the certificate it serves over TLS, nil without
	roots   *x509.CertPool
}

// Addr is the server's host:port.
func (s *site) Addr() string { return s.addr }

// URL returns the URL of path on the server.
func (s *site) URL(path string) string { return s.scheme + "://" + s.addr + path }

// CertPEM is the certificate the server serves with Config.TLS, in PEM;
// nil without TLS. A model in another process is handed these bytes.
func (s *site) CertPEM() []byte { return s.certPEM }

// RootCAs is a pool that holds the server's certificate and nothing else,
// for a client's RootCAs; nil without TLS, which means the system's roots.
func (s *site) RootCAs() *x509.CertPool { return s.roots }

// URLs returns the list of a run: the big page and the small one,
// interleaved, repeat times each, as the original's [jython, dice] * 80.
func (s *site) URLs(repeat int) []string {
	return Repeat([]string{s.URL(PathBig), s.URL(PathSmall)}, repeat)
}

// FaultURL returns a URL whose request gets fault f.
func (s *site) FaultURL(f Fault) string {
	return s.URL(PathSmall) + "?fault=" + url.QueryEscape(string(f))
}

var errShortPage = errors.New("page too small for its frame")

// page returns a deterministic HTML page of exactly size bytes.
func page(title string, size int) []byte {
	head := "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head><body>\n"
	tail := "</body></html>\n"
	if size < len(head)+len(tail) {
		panic(errShortPage)
	}
	b := make([]byte, 0, size)
	b = append(b, head...)
	for line := 1; len(b) < size-len(tail); line++ {
		b = fmt.Appendf(b, "<p>line %d of the stand-in page</p>\n", line)
	}
	b = append(b[:size-len(tail)], tail...)
	return b
}
