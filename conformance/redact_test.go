package conformance

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

// secret is the password in every URL of TestNoModelShowsThePassword.
const secret = "secret-5f3a"

// TestNoModelShowsThePassword runs every model over URLs that carry a
// password, in every way a URL ends up in a result: a success, a failed
// status, a refused connection, a URL that does not parse, and a run
// cancelled before it started. Each result's URL must be the URL with the
// password redacted (iobound.Redact), and no result, error or returned
// error may show the password: results are printed in tables, JSON and
// timelines, and errors in logs.
func TestNoModelShowsThePassword(t *testing.T) {
	s, err := iobound.StartChild(t.Context(), iobound.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close())

	withSecret := func(hostPath string) string { return "http://user:" + secret + "@" + hostPath }
	urls := []string{
		withSecret(s.Addr() + iobound.PathSmall),         // served: the embedded server ignores credentials
		withSecret(s.Addr() + "/no-such-page"),           // 404
		withSecret(refused + "/"),                        // connection refused
		withSecret("127.0.0.1:bad%zz" + iobound.PathBig), // does not parse
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	for _, m := range models {
		t.Run(m.Name()+" shows every URL with its password redacted", func(t *testing.T) {
			results := download(t, m, urls)
			for i, r := range results {
				assert.Equal(t, iobound.Redact(urls[i]), r.URL)
				assert.NotContains(t, r.URL, secret)
				if r.Err != nil {
					assert.NotContains(t, r.Err.Error(), secret)
				}
			}
			assert.NoError(t, results[0].Err, "the served URL")
			for _, r := range results[1:] {
				assert.Error(t, r.Err, "%s", r.URL)
			}
		})
		t.Run(m.Name()+" shows no password when cancelled before it starts", func(t *testing.T) {
			report, err := m.Download(cancelled, urls)
			if assert.Error(t, err) {
				assert.NotContains(t, err.Error(), secret)
			}
			for i, r := range report.Results {
				assert.Equal(t, iobound.Redact(urls[i]), r.URL)
				if assert.Error(t, r.Err) {
					assert.NotContains(t, r.Err.Error(), secret)
				}
			}
		})
	}
}
