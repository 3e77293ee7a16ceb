package eventloop

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/nettest"
	"conclab/iobound"
)

func TestDownloadTLS(t *testing.T) {
	s := startChild(t, iobound.Config{TLS: true, Latency: time.Millisecond})
	other := newServer(t, iobound.Config{TLS: true}) // a certificate nobody trusts
	plain := newServer(t, iobound.Config{})
	wrongCert, wrongPEM, err := iobound.NewCert("elsewhere.invalid")
	require.NoError(t, err)
	wrongName := nettest.Serve(t, func(_ int, c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{wrongCert}})
		_ = tc.Handshake()
		tc.Close()
	})
	stall := nettest.Serve(t, func(_ int, c net.Conn) { // accepts, never answers
		_, _ = io.Copy(io.Discard, c)
		c.Close()
	})
	roots, err := iobound.CertPool(append(append([]byte{}, s.CertPEM()...), wrongPEM...))
	require.NoError(t, err)

	tests := []struct {
		name    string
		url     string
		wantErr error
		bytes   int64
	}{
		{"the big page over https", s.URL(iobound.PathBig), nil, iobound.BigPageBytes},
		{"the small page over https", s.URL(iobound.PathSmall), nil, iobound.SmallPageBytes},
		{"a certificate no root signed fails with ErrTLS", other.URL(iobound.PathSmall), ErrTLS, 0},
		{"a certificate for another name fails with ErrTLS", "https://" + wrongName + "/", ErrTLS, 0},
		{"plain HTTP on the port fails with ErrTLS", "https://" + plain.Addr() + "/", ErrTLS, 0},
		{"a handshake that stalls times out", "https://" + stall + "/", iobound.ErrTimeout, 0},
	}
	var urls []string
	for _, tt := range tests {
		urls = append(urls, tt.url)
	}
	urls = append(urls, s.URLs(20)...)
	before := openFDs(t)
	report, err := Model{RootCAs: roots, Timeout: time.Second, MaxConns: 4}.Download(t.Context(), urls)
	require.NoError(t, err)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := report.Results[i]
			if tt.wantErr == nil {
				require.NoError(t, res.Err)
				assert.Equal(t, tt.bytes, res.Bytes)
				return
			}
			require.ErrorIs(t, res.Err, tt.wantErr)
			t.Log(res.Err)
		})
	}
	for _, res := range report.Results[len(tests):] {
		assert.NoError(t, res.Err)
	}
	// The test's own servers close their side once the client has.
	assert.Eventually(t, func() bool { return openFDs(t) == before }, 5*time.Second, 10*time.Millisecond,
		"every descriptor closed")
	assert.Positive(t, report.Coroutines)
	assert.LessOrEqual(t, report.Coroutines, 4, "one coroutine per connection, at most MaxConns")
}

func TestDownloadTLSReusesConnections(t *testing.T) {
	s := newServer(t, iobound.Config{TLS: true})
	report, err := Model{RootCAs: s.RootCAs(), MaxConns: 2}.Download(t.Context(), s.URLs(20))
	require.NoError(t, err)
	assert.Zero(t, report.Failed())
	assert.LessOrEqual(t, s.Accepted(), int64(2), "idle TLS connections are reused per host")
}

func TestDownloadTLSSystemRoots(t *testing.T) {
	s := newServer(t, iobound.Config{TLS: true})
	report, err := Model{}.Download(t.Context(), s.URLs(1))
	require.NoError(t, err)
	for _, res := range report.Results {
		assert.ErrorIs(t, res.Err, ErrTLS, "the system's roots do not trust a fresh certificate")
	}
}

// TestDownloadTLSRunsNoOtherGoroutine checks, every time a coroutine hands
// control back, that the goroutines alive are the test's, the loop's and
// the coroutines: crypto/tls started none beside them.
func TestDownloadTLSRunsNoOtherGoroutine(t *testing.T) {
	// The server runs in another process: every goroutine counted here
	// belongs to the client or to the test.
	s := startChild(t, iobound.Config{TLS: true, Latency: 5 * time.Millisecond})
	before := runtime.NumGoroutine()
	extra, samples := 0, 0
	testHookResumed = func(c *client) {
		samples++
		extra = max(extra, runtime.NumGoroutine()-c.coroutines-before)
	}
	defer func() { testHookResumed = nil }()
	report, err := Model{RootCAs: s.RootCAs(), MaxConns: math.MaxInt}.Download(context.Background(), s.URLs(100))
	require.NoError(t, err)
	assert.Zero(t, report.Failed())
	assert.Positive(t, samples)
	assert.LessOrEqual(t, extra, 0, "goroutines beyond the coroutines during the run")
	assert.Equal(t, 200, report.Coroutines, "one coroutine per connection, all in flight")
	assert.Equal(t, before, runtime.NumGoroutine(), "every coroutine ended")
}

// Over https the loop runs each connection's TLS in a coroutine; RootCAs
// trusts the embedded server's certificate for this run.
func ExampleModel_https() {
	server, err := iobound.NewServer(iobound.Config{TLS: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	report, err := Model{RootCAs: server.RootCAs(), MaxConns: 2}.Download(context.Background(), server.URLs(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bytes:", report.Bytes(), "failed:", report.Failed())
	fmt.Println("coroutines at most:", report.Coroutines)
	// Output:
	// bytes: 22800 failed: 0
	// coroutines at most: 2
}

func TestDownloadTLSCancelledMidHandshake(t *testing.T) {
	stall := nettest.Serve(t, func(_ int, c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	s := newServer(t, iobound.Config{TLS: true, Latency: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	before := runtime.NumGoroutine()
	urls := []string{"https://" + stall + "/", s.URL(iobound.PathSmall)}
	report, err := Model{RootCAs: s.RootCAs()}.Download(ctx, urls)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	for _, res := range report.Results {
		assert.ErrorIs(t, res.Err, context.DeadlineExceeded)
	}
	assert.Equal(t, 2, report.Coroutines)
	// The context package's AfterFunc goroutine may still be on its way
	// out. (Not assert.Eventually, whose condition runs on a goroutine of
	// its own.)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "every coroutine ended with the run")
}
