package conformance

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"

	"conclab/internal/testserver"
)

// want is the outcome of one URL that every model, and net/http, must
// reach.
type want struct {
	// status is the final response's status; 0 when none is expected
	// (the redirect loop).
	status int
	// bytes is a success's body, decoded; ignored for a failure.
	bytes int64
	// failure, when set, says the URL fails, and how: with iobound.ErrStatus
	// for a status outside 2xx, or with an error that says this phrase.
	failure string
}

// statusFailure is want.failure for a response with a status outside 2xx.
const statusFailure = "status"

// tooManyRedirects is what net/http says when it stops following redirects.
const tooManyRedirects = "stopped after 10 redirects"

// A urlCase is one URL of a server's list and what must come of it.
type urlCase struct {
	// does completes "<model> ...".
	does string
	url  string
	want want
}

func ok(bytes int64) want   { return want{status: http.StatusOK, bytes: bytes} }
func fails(status int) want { return want{status: status, failure: statusFailure} }

// A target is one server and the URLs every model fetches from it. A
// server that speaks TLS returns its certificate, which net/http and every
// model then trust, and nothing else; certPEM is nil for plain http.
type target struct {
	name  string
	start func(t *testing.T) (cases []urlCase, nginx *testserver.NginxServer, certPEM []byte)
}

var targets = []target{
	{"nginx", nginxCases},
	{"nginx over TLS", nginxTLSCases},
	{"python's http.server", pythonCases},
	{"the embedded server", embeddedCases},
	{"the embedded server over TLS", embeddedTLSCases},
}

// wrongPassword is the password of the case that must fail with 401. No
// model may show it, or the right one, in a result.
const wrongPassword = "wrong-password-17"

func nginxCases(t *testing.T) ([]urlCase, *testserver.NginxServer, []byte) {
	n := testserver.Nginx(t)
	return nginxList(n, n.URL, n.URLWithPassword), n, nil
}

// nginxTLSCases is the same list on nginx's ssl listener, with a
// certificate openssl made for the test.
func nginxTLSCases(t *testing.T) ([]urlCase, *testserver.NginxServer, []byte) {
	n := testserver.NginxTLS(t)
	return nginxList(n, n.TLSURL, n.TLSURLWithPassword), n, n.CertPEM
}

// nginxList is nginx's list of cases at base; withPassword builds a URL
// with credentials on the same listener.
func nginxList(n *testserver.NginxServer, base string, withPassword func(path, user, password string) string) []urlCase {
	u := func(path string) string { return base + path }
	cases := []urlCase{
		{"gets the big page, gzip'd and chunked", u(testserver.PathBig), ok(testserver.BigBytes)},
		{"gets the small page, gzip'd", u(testserver.PathSmall), ok(testserver.SmallBytes)},
		{"gets the big page uncompressed, with Content-Length", u(testserver.NginxPlain + testserver.PathBig), ok(testserver.BigBytes)},
		{"gets the small page uncompressed, with Content-Length", u(testserver.NginxPlain + testserver.PathSmall), ok(testserver.SmallBytes)},
		{"gets the big page uncompressed and chunked", u(testserver.NginxChunked + testserver.PathBig), ok(testserver.BigBytes)},
		{"decodes the big page that the server gzips whether asked or not", u(testserver.NginxGzipAlways + testserver.PathBig), ok(testserver.BigBytes)},
	}
	for _, status := range testserver.NginxRedirectStatuses {
		cases = append(cases, urlCase{fmt.Sprintf("follows a %d to the small page", status), u(testserver.NginxRedirect(status)), ok(testserver.SmallBytes)})
	}
	cases = append(cases,
		urlCase{"follows a chain of a 301, a 302 with a relative Location and a 307 to the big page", u(testserver.NginxChain), ok(testserver.BigBytes)},
		urlCase{"follows a directory's 301 to its index page", u(testserver.PathDir), ok(testserver.SmallBytes)},
		urlCase{"sends the URL's user and password as basic authentication", withPassword(testserver.NginxPrivate+testserver.PathBig, testserver.NginxUser, testserver.NginxPassword), ok(testserver.BigBytes)},
		urlCase{"fails a private page asked for without a password with 401", u(testserver.NginxPrivate + testserver.PathSmall), fails(http.StatusUnauthorized)},
		urlCase{"fails a private page asked for with the wrong password with 401", withPassword(testserver.NginxPrivate+testserver.PathSmall, testserver.NginxUser, wrongPassword), fails(http.StatusUnauthorized)},
		urlCase{"fails a missing page with 404", u(testserver.PathMissing), fails(http.StatusNotFound)},
		urlCase{"gives up on a redirect loop after 10 redirects, as http.Get does", u(testserver.NginxLoop), want{failure: tooManyRedirects}},
	)
	return cases
}

func pythonCases(t *testing.T) ([]urlCase, *testserver.NginxServer, []byte) {
	p := testserver.PythonHTTP(t)
	u := func(path string) string { return p.URL + path }
	return []urlCase{
		{"gets the big page, HTTP/1.0, connection closed after it", u(testserver.PathBig), ok(testserver.BigBytes)},
		{"gets the small page, HTTP/1.0, connection closed after it", u(testserver.PathSmall), ok(testserver.SmallBytes)},
		{"follows a directory's 301 with a relative Location to its index page", u(testserver.PathDir), ok(testserver.SmallBytes)},
		{"fails a missing page with 404", u(testserver.PathMissing), fails(http.StatusNotFound)},
	}, nil, nil
}

func embeddedCases(t *testing.T) ([]urlCase, *testserver.NginxServer, []byte) {
	return embeddedList(t, false)
}

func embeddedTLSCases(t *testing.T) ([]urlCase, *testserver.NginxServer, []byte) {
	return embeddedList(t, true)
}

func embeddedList(t *testing.T, useTLS bool) ([]urlCase, *testserver.NginxServer, []byte) {
	s, err := iobound.StartChild(t.Context(), iobound.Config{TLS: useTLS})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return []urlCase{
		{"gets the big page, chunked", s.URL(iobound.PathBig), ok(iobound.BigPageBytes)},
		{"gets the small page, with Content-Length", s.URL(iobound.PathSmall), ok(iobound.SmallPageBytes)},
		{"fails a missing page with 404", s.URL(testserver.PathMissing), fails(http.StatusNotFound)},
	}, nil, s.CertPEM()
}

// TestEveryModelDoesWhatNetHTTPDoes runs a plain http.Get and then every
// model over each server's list, and requires each URL's outcome to be the
// one the case names: so every model agrees with net/http. Against nginx it
// also requires that each model sent the requests net/http sent, as nginx
// logged them: the same paths (redirects followed), the same user (basic
// authentication sent) and the same encoding (gzip asked for).
func TestEveryModelDoesWhatNetHTTPDoes(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			cases, nginx, certPEM := tg.start(t)
			client, ms := http.DefaultClient, models
			if certPEM != nil {
				client, ms = trustingClient(t, certPEM), trusting(t, certPEM, 0)
			}
			urls := make([]string, len(cases))
			for i, c := range cases {
				urls[i] = c.url
			}

			var wire []testserver.Request // what net/http sent, as nginx logged it
			t.Run("a plain http.Get", func(t *testing.T) {
				before := logged(t, nginx)
				for _, c := range cases {
					t.Run(c.does, func(t *testing.T) { checkNetHTTP(t, client, c) })
				}
				wire = since(t, nginx, before)
			})

			for _, m := range ms {
				t.Run(m.Name(), func(t *testing.T) {
					before := logged(t, nginx)
					results := download(t, m, urls)
					for i, c := range cases {
						t.Run(c.does, func(t *testing.T) { checkResult(t, c, results[i]) })
					}
					if nginx != nil {
						t.Run("sends the requests http.Get sends, as nginx logged them", func(t *testing.T) {
							if wire == nil {
								t.Skip("http.Get's run was left out (-run), so there is nothing to compare with")
							}
							assert.Equal(t, lines(wire), lines(since(t, nginx, before)))
						})
					}
				})
			}
		})
	}
}

// checkNetHTTP GETs the case's URL with client, http.DefaultClient or one
// that trusts a test's certificate, and checks the outcome.
func checkNetHTTP(t *testing.T, client *http.Client, c urlCase) {
	// The client keeps the connection for the next request; none may
	// outlive the test.
	defer client.CloseIdleConnections()
	resp, err := client.Get(c.url)
	if c.want.failure == tooManyRedirects {
		require.Error(t, err)
		assert.Contains(t, err.Error(), tooManyRedirects)
		return
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.Equal(t, c.want.status, resp.StatusCode)
	if c.want.failure == "" {
		assert.Equal(t, c.want.bytes, n, "decoded body bytes")
	}
}

// checkResult checks one model's result for the case's URL.
func checkResult(t *testing.T, c urlCase, r iobound.Result) {
	assert.Equal(t, iobound.Redact(c.url), r.URL, "the result's URL, password redacted")
	assertNoPassword(t, c.url, r)
	switch c.want.failure {
	case "":
		if assert.NoError(t, r.Err) {
			assert.Equal(t, c.want.status, r.Status)
			assert.Equal(t, c.want.bytes, r.Bytes, "decoded body bytes")
		}
	case statusFailure:
		if assert.Error(t, r.Err) {
			assert.ErrorIs(t, r.Err, iobound.ErrStatus)
			assert.Equal(t, c.want.status, r.Status)
		}
	default:
		if assert.Error(t, r.Err) {
			assert.Contains(t, r.Err.Error(), c.want.failure)
		}
	}
	if r.Err != nil && c.want.failure == "" || r.Err == nil && c.want.failure != "" {
		t.Logf("result: status %d, %d bytes, error: %v", r.Status, r.Bytes, r.Err)
	}
}

// assertNoPassword checks that a result shows rawURL's password nowhere.
func assertNoPassword(t *testing.T, rawURL string, r iobound.Result) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		return
	}
	password, ok := u.User.Password()
	if !ok {
		return
	}
	assert.NotContains(t, r.URL, password, "the result's URL shows the password")
	if r.Err != nil {
		assert.NotContains(t, r.Err.Error(), password, "the error shows the password")
	}
}

// logged returns how many requests nginx has logged so far; 0 without nginx.
func logged(t *testing.T, n *testserver.NginxServer) int {
	if n == nil {
		return 0
	}
	return len(n.Requests(t))
}

// since returns the requests nginx logged after the first before.
func since(t *testing.T, n *testserver.NginxServer, before int) []testserver.Request {
	if n == nil {
		return nil
	}
	return n.Requests(t)[before:]
}

// lines returns the requests as sorted lines of text, so that two runs that
// made the same requests in a different order compare equal, and a
// difference reads as a diff of two logs.
func lines(reqs []testserver.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.String()
	}
	slices.Sort(out)
	return out
}
