package eventloop

import (
	"crypto/x509"
	"net"
	"time"
)

// Model runs both workloads on one event loop, on the goroutine that calls
// it. The zero value is ready to use.
type Model struct {
	// Timeout bounds each request, from its start to the end of its body,
	// redirects and the lookups of host names included, as net/http's
	// Client.Timeout does. 0 means iobound.DefaultTimeout.
	Timeout time.Duration
	// BodyCap bounds each response body, counted decoded when it came
	// gzipped. 0 means iobound.DefaultBodyCap.
	BodyCap int64
	// MaxConns caps the requests in flight, and the connections open, at
	// once. 0 means DefaultMaxConns (100, as aiohttp); for no cap, pass a
	// number at least as large as the list of URLs (math.MaxInt, say).
	// A negative one is an error.
	MaxConns int
	// RootCAs are the roots https URLs are verified against; nil means
	// the system's (iobound.Server.RootCAs trusts the embedded server).
	RootCAs *x509.CertPool

	// resolver looks host names up; nil means net.DefaultResolver. Tests
	// set one that answers when they say.
	resolver *net.Resolver
}

// Name is the model's row label.
func (Model) Name() string { return "eventloop" }

// Concurrency reports how many tasks run at once: MaxConns requests (or
// all of them, when fewer) for "io", one for "cpu", since one goroutine
// computes.
func (m Model) Concurrency(workload string, tasks int) int {
	if workload != "io" {
		return 1
	}
	return max(min(m.maxConns(), tasks), 0)
}
