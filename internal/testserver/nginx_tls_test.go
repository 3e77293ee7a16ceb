package testserver

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNginxTLS(t *testing.T) {
	n := NginxTLS(t)
	require.NotEmpty(t, n.TLSURL)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(n.CertPEM), "CertPEM holds the certificate")
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true, DisableCompression: true}
	client := &http.Client{Transport: transport}
	for _, base := range []string{n.TLSURL, n.URL} {
		resp, err := client.Get(base + PathBig)
		require.NoError(t, err, base)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Len(t, body, BigBytes, "the same page over %s", base)
	}
	_, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(n.TLSURL + PathSmall)
	assert.Error(t, err, "the system's roots do not trust it")
}
