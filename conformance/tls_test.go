package conformance

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/eventloop"
	"conclab/iobound"
	"conclab/multiproc"
	"conclab/sequential"
	"conclab/threaded"

	"conclab/internal/nettest"
	"conclab/internal/proctest"
)

// tlsTimeout is the request timeout of the TLS runs: the stalled handshake
// fails at it.
const tlsTimeout = 2 * time.Second

// trusting returns the four models as models has them, each trusting
// exactly the certificates in certPEM: a pool for the three in this
// process, the PEM itself for the worker processes, which get it over
// their pipe. A timeout of 0 is the default.
func trusting(t *testing.T, certPEM []byte, timeout time.Duration) []downloader {
	t.Helper()
	roots, err := iobound.CertPool(certPEM)
	require.NoError(t, err)
	return []downloader{
		sequential.Model{RootCAs: roots, Timeout: timeout},
		threaded.Pool{Workers: threaded.DefaultWorkers, RootCAs: roots, Timeout: timeout},
		eventloop.Model{RootCAs: roots, Timeout: timeout},
		multiproc.Pool{Procs: multiproc.DefaultProcs(), RootCAsPEM: certPEM, Timeout: timeout},
	}
}

// trustingClient is net/http's client as http.Get's, trusting certPEM.
func trustingClient(t *testing.T, certPEM []byte) *http.Client {
	t.Helper()
	roots, err := iobound.CertPool(certPEM)
	require.NoError(t, err)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

// TestEveryModelOverTLS fetches the embedded server's pages over https with
// every model, between URLs whose handshake fails in each way it can: each
// of those fails alone, with the same sentinel on every model, and the
// pages come whole.
func TestEveryModelOverTLS(t *testing.T) {
	s, err := iobound.StartChild(t.Context(), iobound.Config{TLS: true})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	untrusted, err := iobound.NewServer(iobound.Config{TLS: true}) // its own certificate
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, untrusted.Close()) })
	plain, err := iobound.NewServer(iobound.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, plain.Close()) })
	elsewhere, elsewherePEM, err := iobound.NewCert("elsewhere.invalid")
	require.NoError(t, err)
	wrongName := nettest.Serve(t, func(_ int, c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{elsewhere}})
		_ = tc.Handshake() // the client refuses the name
	})
	stall := nettest.Serve(t, func(_ int, c net.Conn) { _, _ = io.Copy(io.Discard, c) }) // never answers

	cases := []struct {
		does    string
		url     string
		bytes   int64
		wantErr error
	}{
		{"gets the big page over https", s.URL(iobound.PathBig), iobound.BigPageBytes, nil},
		{"gets the small page over https", s.URL(iobound.PathSmall), iobound.SmallPageBytes, nil},
		{"refuses a certificate that no trusted root signed", untrusted.URL(iobound.PathSmall), 0, iobound.ErrTLS},
		{"refuses a certificate for another name", "https://" + wrongName + "/", 0, iobound.ErrTLS},
		{"fails a server that answers TLS in plain HTTP", "https://" + plain.Addr() + iobound.PathSmall, 0, iobound.ErrTLS},
		{"gives up on a handshake that stalls at the timeout", "https://" + stall + "/", 0, iobound.ErrTimeout},
		{"gets the big page again, after the failures", s.URL(iobound.PathBig), iobound.BigPageBytes, nil},
	}
	urls := make([]string, len(cases))
	for i, c := range cases {
		urls[i] = c.url
	}
	urls = append(urls, s.URLs(10)...)
	certs := append(append([]byte{}, s.CertPEM()...), elsewherePEM...)

	for _, m := range trusting(t, certs, tlsTimeout) {
		t.Run(m.Name(), func(t *testing.T) {
			before, fdsOK := proctest.OpenFDs()
			results := download(t, m, urls)
			for i, c := range cases {
				res := results[i]
				if c.wantErr == nil {
					if assert.NoError(t, res.Err, "%s %s", m.Name(), c.does) {
						assert.Equal(t, c.bytes, res.Bytes, "%s %s", m.Name(), c.does)
					}
					continue
				}
				assert.ErrorIs(t, res.Err, c.wantErr, "%s %s", m.Name(), c.does)
				t.Log(res.Err)
			}
			for _, res := range results[len(cases):] {
				assert.NoError(t, res.Err)
			}
			if fdsOK {
				// The test's own servers close their side once the
				// client has.
				assert.Eventually(t, func() bool {
					n, _ := proctest.OpenFDs()
					return n <= before
				}, 5*time.Second, 20*time.Millisecond, "descriptors left open by %s", m.Name())
			}
		})
	}
}
