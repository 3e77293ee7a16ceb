package testserver

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/proctest"
)

// response is what a test learns from one GET.
type response struct {
	status          int
	contentEncoding string
	chunked         bool
	location        string
	wire            int // body bytes as sent
	decoded         int // body bytes after gzip, if it was gzip'd
	redirects       int // followed
}

// get GETs url. With acceptGzip it asks for gzip and decodes it by hand, so
// that the test sees what was sent; with follow it follows redirects.
func get(t *testing.T, url string, acceptGzip, follow bool, user, password string) response {
	t.Helper()
	var r response
	transport := &http.Transport{DisableCompression: true, DisableKeepAlives: true}
	client := &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !follow {
			return http.ErrUseLastResponse
		}
		r.redirects = len(via)
		return nil
	}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	if acceptGzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r.status, r.contentEncoding, r.location = resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Location")
	r.chunked = len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"
	r.wire, r.decoded = len(body), len(body)
	if r.contentEncoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		r.decoded = len(plain)
	}
	return r
}

func TestNginx(t *testing.T) {
	n := Nginx(t)

	t.Run("serves both pages with their sizes to a client that asks for no compression", func(t *testing.T) {
		for path, size := range map[string]int{PathBig: BigBytes, PathSmall: SmallBytes} {
			r := get(t, n.URL+path, false, false, "", "")
			assert.Equal(t, http.StatusOK, r.status, path)
			assert.Empty(t, r.contentEncoding, path)
			assert.Equal(t, size, r.wire, path)
		}
	})
	t.Run("compresses both pages, chunked, for a client that asks for gzip", func(t *testing.T) {
		for path, size := range map[string]int{PathBig: BigBytes, PathSmall: SmallBytes} {
			r := get(t, n.URL+path, true, false, "", "")
			assert.Equal(t, "gzip", r.contentEncoding, path)
			assert.True(t, r.chunked, path)
			assert.Less(t, r.wire, size, path)
			assert.Equal(t, size, r.decoded, path)
		}
	})
	t.Run("sends the plain location with Content-Length even to a client that asks for gzip", func(t *testing.T) {
		r := get(t, n.URL+NginxPlain+PathBig, true, false, "", "")
		assert.Empty(t, r.contentEncoding)
		assert.False(t, r.chunked)
		assert.Equal(t, BigBytes, r.wire)
	})
	t.Run("sends the chunked location chunked and uncompressed", func(t *testing.T) {
		r := get(t, n.URL+NginxChunked+PathBig, true, false, "", "")
		assert.Empty(t, r.contentEncoding)
		assert.True(t, r.chunked)
		assert.Equal(t, BigBytes, r.wire)
	})
	t.Run("sends gzip from the gzip-always location to a client that did not ask for it", func(t *testing.T) {
		r := get(t, n.URL+NginxGzipAlways+PathBig, false, false, "", "")
		assert.Equal(t, "gzip", r.contentEncoding)
		assert.Less(t, r.wire, BigBytes)
		assert.Equal(t, BigBytes, r.decoded)
	})
	for _, status := range NginxRedirectStatuses {
		t.Run(fmt.Sprintf("redirects with status %d to the small page", status), func(t *testing.T) {
			r := get(t, n.URL+NginxRedirect(status), false, false, "", "")
			assert.Equal(t, status, r.status)
			assert.Equal(t, n.URL+PathSmall, r.location)
		})
	}
	t.Run("redirects three times, once with a relative Location, to the big page", func(t *testing.T) {
		assert.Equal(t, "/chain/307", get(t, n.URL+"/chain/302", false, false, "", "").location)
		r := get(t, n.URL+NginxChain, false, true, "", "")
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, 3, r.redirects)
		assert.Equal(t, BigBytes, r.wire)
	})
	t.Run("redirects a directory to its name with a slash", func(t *testing.T) {
		r := get(t, n.URL+PathDir, false, false, "", "")
		assert.Equal(t, http.StatusMovedPermanently, r.status)
		assert.Equal(t, n.URL+PathDir+"/", r.location)
	})
	t.Run("redirects the loop to itself", func(t *testing.T) {
		r := get(t, n.URL+NginxLoop, false, false, "", "")
		assert.Equal(t, http.StatusFound, r.status)
		assert.Equal(t, n.URL+NginxLoop, r.location)
	})
	t.Run("answers 401 on the private location without the password, 200 with it", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, get(t, n.URL+NginxPrivate+PathSmall, false, false, "", "").status)
		assert.Equal(t, http.StatusUnauthorized, get(t, n.URL+NginxPrivate+PathSmall, false, false, NginxUser, "wrong").status)
		r := get(t, n.URL+NginxPrivate+PathSmall, false, false, NginxUser, NginxPassword)
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, SmallBytes, r.wire)
	})
	t.Run("answers 404 for a missing page", func(t *testing.T) {
		assert.Equal(t, http.StatusNotFound, get(t, n.URL+PathMissing, false, false, "", "").status)
	})
	t.Run("logs each request once it is answered, and none of its own", func(t *testing.T) {
		before := len(n.Requests(t))
		get(t, n.URL+PathBig, true, false, "", "")
		get(t, n.URL+NginxPrivate+PathSmall, false, false, NginxUser, NginxPassword)
		got := n.Requests(t)[before:]
		require.Len(t, got, 2)
		assert.Equal(t, Request{Method: "GET", URI: PathBig, Status: 200, ContentEncoding: "gzip", BodyBytes: got[0].BodyBytes}, got[0])
		assert.Less(t, got[0].BodyBytes, int64(BigBytes))
		assert.Equal(t, Request{Method: "GET", URI: NginxPrivate + PathSmall, Status: 200, User: NginxUser, BodyBytes: SmallBytes}, got[1])
	})
	t.Run("URLWithPassword puts the credentials in the URL", func(t *testing.T) {
		assert.Equal(t, "http://u:p%40ss@"+n.Addr()+"/x", n.URLWithPassword("/x", "u", "p@ss"))
	})
}

func TestPythonHTTP(t *testing.T) {
	p := PythonHTTP(t)

	t.Run("serves both pages with their sizes, uncompressed", func(t *testing.T) {
		for path, size := range map[string]int{PathBig: BigBytes, PathSmall: SmallBytes} {
			r := get(t, p.URL+path, true, false, "", "")
			assert.Equal(t, http.StatusOK, r.status, path)
			assert.Empty(t, r.contentEncoding, path)
			assert.Equal(t, size, r.wire, path)
		}
	})
	t.Run("redirects a directory to its name with a slash, and serves its index", func(t *testing.T) {
		r := get(t, p.URL+PathDir, false, false, "", "")
		assert.Equal(t, http.StatusMovedPermanently, r.status)
		assert.Equal(t, PathDir+"/", r.location)
		r = get(t, p.URL+PathDir, false, true, "", "")
		assert.Equal(t, 1, r.redirects)
		assert.Equal(t, SmallBytes, r.wire)
	})
	t.Run("answers 404 for a missing page", func(t *testing.T) {
		assert.Equal(t, http.StatusNotFound, get(t, p.URL+PathMissing, false, false, "", "").status)
	})
}

func TestServersStopWithTheirTest(t *testing.T) {
	var pids []int
	t.Run("nginx and python start", func(t *testing.T) {
		pids = append(pids, Nginx(t).PID(), PythonHTTP(t).PID())
	})
	if len(pids) < 2 {
		t.Skip("a server is not installed")
	}
	kids, ok := proctest.Children(os.Getpid())
	if !ok {
		t.Skip("needs /proc")
	}
	for _, pid := range pids {
		assert.True(t, proctest.Gone(pid), "pid %d still runs", pid)
		assert.NotContains(t, kids, pid, "pid %d was not reaped", pid)
	}
}

func TestTakenPortIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name, bin string
		try       func(bin string) attempt
	}{
		{"nginx", "nginx", func(bin string) attempt { return new(NginxServer).attempt(bin) }},
		{"python3 -m http.server", "python3", pythonAttempt},
	}
	for _, tt := range tests {
		t.Run(tt.name+" on a taken port fails with errAddrInUse, so that start tries another", func(t *testing.T) {
			bin := binary(t, tt.bin, "")
			_, err := tt.try(bin)(t, port)
			require.Error(t, err)
			assert.ErrorIs(t, err, errAddrInUse, "error: %v", err)
		})
	}
}

// fakeTB records what binary asks of its test instead of ending it. Only
// the methods binary calls are defined; any other would panic on the nil
// TB inside.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Skipf(string, ...any)  { f.skipped = true }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true }

func TestMissingServer(t *testing.T) {
	tests := []struct {
		ci                   string
		wantSkip, wantFailed bool
	}{
		{"", true, false},
		{"false", true, false},
		{"1", true, false},
		{"true", false, true},
	}
	for _, tt := range tests {
		t.Run("with CI="+strconv.Quote(tt.ci)+fmt.Sprintf(" a missing server skips: %v, fails: %v", tt.wantSkip, tt.wantFailed), func(t *testing.T) {
			t.Setenv(envCI, tt.ci)
			f := &fakeTB{}
			assert.Empty(t, binary(f, "conclab-no-such-server", "apt-get install nothing"))
			assert.Equal(t, tt.wantSkip, f.skipped)
			assert.Equal(t, tt.wantFailed, f.failed)
		})
	}
}
