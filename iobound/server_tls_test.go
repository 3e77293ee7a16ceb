package iobound

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/nettest"
)

// stallListener accepts connections and never answers on them: a TLS
// handshake against it waits until the client gives up.
func stallListener(t *testing.T) string {
	t.Helper()
	return nettest.Serve(t, func(_ int, c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

func TestServerTLS(t *testing.T) {
	s := newTestServer(t, Config{TLS: true})
	other := newTestServer(t, Config{TLS: true}) // its own certificate, not trusted below
	plain := newTestServer(t, Config{})
	require.True(t, strings.HasPrefix(s.URL(PathBig), "https://127.0.0.1:"))
	require.NotNil(t, s.RootCAs())
	require.Contains(t, string(s.CertPEM()), "BEGIN CERTIFICATE")
	require.NotContains(t, string(s.CertPEM()), "PRIVATE KEY")

	client := NewClient(s.RootCAs(), 0)
	t.Cleanup(client.CloseIdleConnections)
	system := NewClient(nil, 0)
	t.Cleanup(system.CloseIdleConnections)

	tests := []struct {
		name    string
		client  string
		url     string
		bytes   int64
		wantErr error
		says    string
	}{
		{"the big page over https", "trusting", s.URL(PathBig), BigPageBytes, nil, ""},
		{"the small page over https", "trusting", s.URL(PathSmall), SmallPageBytes, nil, ""},
		{"localhost is in the certificate too", "trusting", "https://localhost:" + port(s.Addr()) + PathSmall, SmallPageBytes, nil, ""},
		{"the system's roots do not trust it", "system", s.URL(PathSmall), 0, ErrTLS, "unknown authority"},
		{"another server's certificate is not trusted", "trusting", other.URL(PathSmall), 0, ErrTLS, "unknown authority"},
		{"plain HTTP on the port fails the handshake", "trusting", "https://" + plain.Addr() + PathSmall, 0, ErrTLS, "HTTP response to HTTPS client"},
		{"a handshake that stalls times out", "trusting", "https://" + stallListener(t) + PathSmall, 0, ErrTimeout, "within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client
			if tt.client == "system" {
				c = system
			}
			res := Fetch(context.Background(), c, tt.url, 0, 2*time.Second)
			if tt.wantErr == nil {
				require.NoError(t, res.Err)
				assert.Equal(t, tt.bytes, res.Bytes)
				return
			}
			require.ErrorIs(t, res.Err, tt.wantErr)
			assert.Contains(t, res.Err.Error(), tt.says)
		})
	}
}

func TestNewCertWrongName(t *testing.T) {
	cert, certPEM, err := NewCert("elsewhere.invalid")
	require.NoError(t, err)
	addr := nettest.Serve(t, func(_ int, c net.Conn) {
		_ = tls.Server(c, serverTLS(cert)).Handshake()
	})
	roots, err := CertPool(certPEM)
	require.NoError(t, err)
	client := NewClient(roots, 0)
	defer client.CloseIdleConnections()
	res := Fetch(context.Background(), client, "https://"+addr+PathSmall, 0, 2*time.Second)
	require.ErrorIs(t, res.Err, ErrTLS)
	assert.Contains(t, res.Err.Error(), "127.0.0.1")
}

func TestChildTLS(t *testing.T) {
	c, err := StartChild(context.Background(), Config{TLS: true})
	require.NoError(t, err)
	defer func() { assert.NoError(t, c.Close()) }()
	client := NewClient(c.RootCAs(), 0)
	defer client.CloseIdleConnections()
	for _, u := range c.URLs(1) {
		res := Fetch(context.Background(), client, u, 0, 5*time.Second)
		require.NoError(t, res.Err)
	}
}

func TestCertPool(t *testing.T) {
	pool, err := CertPool(nil)
	assert.NoError(t, err)
	assert.Nil(t, pool, "no PEM: the system's roots")
	_, err = CertPool([]byte("not a certificate"))
	assert.Error(t, err)
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
