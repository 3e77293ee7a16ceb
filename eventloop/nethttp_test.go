//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

// The tests in this file hold the event loop's client to net/http's: for
// each behaviour, the same URL is downloaded by Download and by
// iobound.Fetch (the one request of the models built on net/http), and the
// two results must agree.

// netHTTPFetch is what a model built on net/http reports for url, on a
// client of its own.
func netHTTPFetch(t *testing.T, url string, bodyCap int64, timeout time.Duration) iobound.Result {
	t.Helper()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	return iobound.Fetch(t.Context(), &http.Client{Transport: transport}, url, bodyCap, timeout)
}

// loopFetch is what Download reports for url alone.
func loopFetch(t *testing.T, m Model, url string) iobound.Result {
	t.Helper()
	report, err := m.Download(t.Context(), []string{url})
	require.NoError(t, err)
	require.Len(t, report.Results, 1)
	return report.Results[0]
}

// assertSameResult checks that the loop's result agrees with net/http's:
// both succeed or both fail, with the same status and byte count.
func assertSameResult(t *testing.T, want, got iobound.Result) {
	t.Helper()
	assert.Equal(t, want.Err == nil, got.Err == nil, "net/http's error: %v\nthe loop's error: %v", want.Err, got.Err)
	assert.Equal(t, want.Status, got.Status, "status")
	assert.Equal(t, want.Bytes, got.Bytes, "bytes")
}

// connCounter counts an httptest server's connections: all of them, and
// the most open at once. One counter may serve several servers.
type connCounter struct {
	mu                sync.Mutex
	open, peak, total int
}

func (c *connCounter) hook(_ net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch state {
	case http.StateNew:
		c.open++
		c.total++
		c.peak = max(c.peak, c.open)
	case http.StateClosed, http.StateHijacked:
		c.open--
	}
}

func (c *connCounter) counts() (peak, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak, c.total
}

// settled waits until at most limit connections are open, for up to 5
// seconds, and returns how many are: a server learns of a close only once
// its reader meets the EOF, a little after the client closed.
func (c *connCounter) settled(limit int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		open := c.open
		c.mu.Unlock()
		if open <= limit || time.Now().After(deadline) {
			return open
		}
		time.Sleep(time.Millisecond)
	}
}

func (c *connCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.peak, c.total = c.open, 0
}

// startServer starts handler on 127.0.0.1, counting its connections.
func startServer(t *testing.T, handler http.Handler, counter *connCounter) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(handler)
	if counter != nil {
		s.Config.ConnState = counter.hook
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// page is the body every site below serves as its final page.
var page = bytes.Repeat([]byte("conclab "), 375) // 3,000 bytes

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// redirectSite answers:
//
//	/page                the page
//	/to?loc=L&code=C     a redirect to L with status C (302 by default)
//	/chain/N             N redirects, then the page
//	/loop/a, /loop/b     redirects to each other
//	/bare/C              status C, no Location, a short body
//	/slow/N              N redirects 200 ms apart, then the page
//	/bigbody             a redirect to /page with 10 KB of body
func redirectSite(t *testing.T, counter *connCounter) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, _ *http.Request) { w.Write(page) })
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.URL.Query().Get("code"))
		if err != nil {
			code = http.StatusFound
		}
		w.Header().Set("Location", r.URL.Query().Get("loc"))
		w.WriteHeader(code)
		io.WriteString(w, "moved\n")
	})
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 0 {
			w.Write(page)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "a", http.StatusFound) })
	mux.HandleFunc("/bare/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		io.WriteString(w, "no location here\n")
	})
	mux.HandleFunc("/slow/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if n <= 0 {
			w.Write(page)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/slow/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/bigbody", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/page")
		w.WriteHeader(http.StatusFound)
		w.Write(bytes.Repeat([]byte("x"), 10_000))
	})
	return startServer(t, mux, counter)
}

func TestRedirects(t *testing.T) {
	var counter connCounter
	site := redirectSite(t, &counter)
	other := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(page[:100]) }), nil)
	to := func(loc string, code int) string {
		return site.URL + "/to?code=" + strconv.Itoa(code) + "&loc=" + url.QueryEscape(loc)
	}
	otherPort := other.Listener.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name   string
		url    string
		want   error // for the loop, beside agreeing with net/http
		status int
	}{
		{"a 301 is followed", to("/page", 301), nil, 200},
		{"a 302 is followed", to("/page", 302), nil, 200},
		{"a 303 is followed", to("/page", 303), nil, 200},
		{"a 307 is followed", to("/page", 307), nil, 200},
		{"a 308 is followed", to("/page", 308), nil, 200},
		{"a chain of three is followed", site.URL + "/chain/3", nil, 200},
		{"a chain of nine, ten requests in all, is followed", site.URL + "/chain/9", nil, 200},
		{"a chain of ten stops after 10 redirects", site.URL + "/chain/10", ErrTooManyRedirects, 0},
		{"a loop stops after 10 redirects", site.URL + "/loop/a", ErrTooManyRedirects, 0},
		{"a Location relative to the path is resolved against the URL", to("chain/0", 302), nil, 200},
		{"a Location with dot segments is resolved", site.URL + "/chain/../to?loc=" + url.QueryEscape("./chain/../page"), nil, 200},
		{"a Location without a scheme keeps the URL's", to("//"+other.Listener.Addr().String()+"/x", 302), nil, 200},
		{"a Location to another server is followed", to(other.URL+"/x", 307), nil, 200},
		{"a Location to a host name is looked up off the loop and followed", to(fmt.Sprintf("http://localhost:%d/x", otherPort), 302), nil, 200},
		{"a 3xx without Location is the response", site.URL + "/bare/302", iobound.ErrStatus, 302},
		{"a 300 is not followed", to("/page", 300), iobound.ErrStatus, 300},
		{"a 304 is not followed", to("/page", 304), iobound.ErrStatus, 304},
		{"a redirect with a long body closes its connection and is followed", site.URL + "/bigbody", nil, 200},
		{"a redirect to https fails with ErrTLS", to("https://"+other.Listener.Addr().String()+"/", 302), ErrTLS, 0},
		{"a redirect to another scheme fails with ErrScheme", to("ftp://"+other.Listener.Addr().String()+"/", 302), ErrScheme, 0},
		{"a Location that does not parse fails", to("http://[::1/", 302), nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name+", as net/http does", func(t *testing.T) {
			got := loopFetch(t, Model{}, tc.url)
			assert.Equal(t, tc.status, got.Status)
			if tc.want != nil {
				require.ErrorIs(t, got.Err, tc.want)
			}
			if errors.Is(tc.want, ErrTLS) {
				return // net/http speaks TLS; the loop does not (yet)
			}
			assertSameResult(t, netHTTPFetch(t, tc.url, 0, 0), got)
		})
	}
	t.Run("too many redirects says so in net/http's words", func(t *testing.T) {
		got := loopFetch(t, Model{}, site.URL+"/loop/a")
		assert.Contains(t, got.Err.Error(), "stopped after 10 redirects")
		assert.Contains(t, got.Err.Error(), site.URL+"/loop/a", "the error names the URL as given")
	})
	t.Run("a chain of three on one host takes one connection, reused", func(t *testing.T) {
		counter.reset()
		got := loopFetch(t, Model{}, site.URL+"/chain/3")
		require.NoError(t, got.Err)
		_, total := counter.counts()
		assert.Equal(t, 1, total)
	})
	t.Run("the timeout covers the whole chain, not each hop", func(t *testing.T) {
		// Five hops of 200 ms each: every hop is within the timeout, the
		// chain is not.
		got := loopFetch(t, Model{Timeout: 500 * time.Millisecond}, site.URL+"/slow/4")
		assert.ErrorIs(t, got.Err, iobound.ErrTimeout)
		assert.Zero(t, got.Status)
	})
}

// blockingResolver looks names up through a name server that answers
// nothing until release is closed, and then refuses.
func blockingResolver(release <-chan struct{}) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil, errors.New("the test's name server refuses")
		},
	}
}

func TestLookupOffTheLoop(t *testing.T) {
	t.Run("a redirect to a host being looked up does not hold up the other requests", func(t *testing.T) {
		served := make(chan struct{})
		var once sync.Once
		plain := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			once.Do(func() { close(served) })
			w.Write(page)
		}), nil)
		site := redirectSite(t, nil)
		release := make(chan struct{})
		// Release the lookup once the other request was served, or after
		// a deadline: a loop blocked by the lookup never serves it.
		servedFirst := make(chan bool, 1)
		go func() {
			select {
			case <-served:
				servedFirst <- true
			case <-time.After(10 * time.Second):
				servedFirst <- false
			}
			close(release)
		}()
		redirect := site.URL + "/to?loc=" + url.QueryEscape("http://conclab-blocked.test/")
		report, err := Model{resolver: blockingResolver(release)}.Download(t.Context(), []string{redirect, plain.URL})
		require.NoError(t, err)
		assert.True(t, <-servedFirst, "the other request was served while the lookup blocked")
		require.NoError(t, report.Results[1].Err)
		assert.EqualValues(t, len(page), report.Results[1].Bytes)
		require.Error(t, report.Results[0].Err)
		assert.Contains(t, report.Results[0].Err.Error(), "conclab-blocked.test")
	})
	t.Run("a request timed out while its host is looked up fails with ErrTimeout", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		got := loopFetch(t, Model{Timeout: 100 * time.Millisecond, resolver: blockingResolver(release)}, "http://conclab-blocked.test/")
		assert.ErrorIs(t, got.Err, iobound.ErrTimeout)
	})
	t.Run("URLs to a host name are downloaded, the name looked up off the loop", func(t *testing.T) {
		var counter connCounter
		s := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(page) }), &counter)
		u := fmt.Sprintf("http://localhost:%d/", s.Listener.Addr().(*net.TCPAddr).Port)
		report, err := Model{MaxConns: 2}.Download(t.Context(), []string{u, u, u, u})
		require.NoError(t, err)
		assert.Zero(t, report.Failed())
		assert.EqualValues(t, 4*len(page), report.Bytes())
	})
}

func TestGzip(t *testing.T) {
	const smallCap = 64 << 10
	zipped := gzipped(t, page)
	bomb := gzipped(t, make([]byte, smallCap+1))
	corrupt := append([]byte(nil), zipped...)
	corrupt[len(corrupt)/2] ^= 0xff
	badSum := append([]byte(nil), zipped...)
	badSum[len(badSum)-6] ^= 0xff // in the CRC-32
	var asked sync.Map            // path: the Accept-Encoding received

	serve := func(body []byte, coding string, chunked bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			asked.Store(r.URL.Path, r.Header.Get("Accept-Encoding"))
			if coding != "" {
				w.Header().Set("Content-Encoding", coding)
			}
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			} else {
				// Headers out before the body: net/http chunks what follows.
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
			}
			w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/length", serve(zipped, "gzip", false))
	mux.Handle("/chunked", serve(zipped, "gzip", true))
	mux.Handle("/upper", serve(zipped, "GZIP", false))
	mux.Handle("/x-gzip", serve(zipped, "x-gzip", false))
	mux.Handle("/identity", serve(page, "", false))
	mux.Handle("/empty", serve(nil, "gzip", true))
	mux.Handle("/bomb", serve(bomb, "gzip", true))
	mux.Handle("/corrupt", serve(corrupt, "gzip", false))
	mux.Handle("/checksum", serve(badSum, "gzip", false))
	mux.Handle("/truncated", serve(zipped[:len(zipped)/2], "gzip", false))
	mux.Handle("/trailing", serve(append(append([]byte(nil), zipped...), "this is not gzip"...), "gzip", false))
	mux.Handle("/concatenated", serve(append(append([]byte(nil), zipped...), zipped...), "gzip", false))
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusNoContent)
	})
	site := startServer(t, mux, nil)

	tests := []struct {
		path  string
		does  string
		bytes int64 // -1: whatever net/http counts
		fails bool
		want  error
	}{
		{"/length", "a gzip body with a length is decoded and counted decoded", int64(len(page)), false, nil},
		{"/chunked", "a chunked gzip body is decoded and counted decoded", int64(len(page)), false, nil},
		{"/upper", "Content-Encoding: GZIP is gzip", int64(len(page)), false, nil},
		{"/x-gzip", "x-gzip is not decoded: net/http decodes gzip only", int64(len(zipped)), false, nil},
		{"/identity", "a body without a coding is counted as it came", int64(len(page)), false, nil},
		{"/empty", "an empty gzip body is empty", 0, false, nil},
		{"/nocontent", "a 204 announcing gzip has no body to decode", 0, false, nil},
		{"/concatenated", "two gzip members decode one after the other", 2 * int64(len(page)), false, nil},
		{"/bomb", "a gzip body that decodes past the cap fails with ErrBodyTooLarge", smallCap, true, iobound.ErrBodyTooLarge},
		{"/corrupt", "a corrupt gzip body fails", -1, true, nil},
		{"/checksum", "a gzip body with a wrong checksum fails", int64(len(page)), true, gzip.ErrChecksum},
		{"/truncated", "a truncated gzip body fails", -1, true, io.ErrUnexpectedEOF},
		{"/trailing", "bytes after the gzip stream fail", int64(len(page)), true, gzip.ErrHeader},
	}
	for _, tc := range tests {
		t.Run(tc.does+", as net/http does", func(t *testing.T) {
			got := loopFetch(t, Model{BodyCap: smallCap}, site.URL+tc.path)
			if tc.bytes >= 0 {
				assert.Equal(t, tc.bytes, got.Bytes)
			}
			if tc.fails {
				require.Error(t, got.Err)
				assert.Contains(t, got.Err.Error(), "gzip")
			}
			if tc.want != nil {
				assert.ErrorIs(t, got.Err, tc.want)
			}
			assertSameResult(t, netHTTPFetch(t, site.URL+tc.path, smallCap, 0), got)
		})
	}
	t.Run("every request asks for gzip, as net/http's does", func(t *testing.T) {
		loopFetch(t, Model{}, site.URL+"/identity")
		ours, _ := asked.Load("/identity")
		netHTTPFetch(t, site.URL+"/identity", 0, 0)
		theirs, _ := asked.Load("/identity")
		assert.Equal(t, "gzip", ours)
		assert.Equal(t, theirs, ours)
	})
}

func TestCredentials(t *testing.T) {
	// /echo records what each run received; /to redirects.
	var mu sync.Mutex
	received := map[string]http.Header{}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received[r.URL.Query().Get("run")] = r.Header.Clone()
		mu.Unlock()
		if user, pass, ok := r.BasicAuth(); ok && (user != "user" || pass != "p@ss:word") {
			w.WriteHeader(http.StatusUnauthorized)
		}
		w.Write(page)
	})
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("loc"), http.StatusFound)
	})
	site := startServer(t, mux, nil)
	port := site.Listener.Addr().(*net.TCPAddr).Port
	withCreds := func(base string) string {
		return strings.Replace(base, "http://", "http://user:p%40ss%3Aword@", 1)
	}
	// Each case is a function of the run's name, which the last hop
	// carries to /echo.
	tests := []struct {
		name     string
		url      func(run string) string
		wantAuth bool
	}{
		{"credentials in the URL are sent as Basic auth", func(run string) string {
			return withCreds(site.URL) + "/echo?run=" + run
		}, true},
		{"a relative redirect keeps them", func(run string) string {
			return withCreds(site.URL) + "/to?loc=" + url.QueryEscape("/echo?run="+run)
		}, true},
		{"an absolute redirect to the same host drops them", func(run string) string {
			return withCreds(site.URL) + "/to?loc=" + url.QueryEscape(site.URL+"/echo?run="+run)
		}, false},
		{"a redirect to another host drops them", func(run string) string {
			return withCreds(site.URL) + "/to?loc=" + url.QueryEscape(fmt.Sprintf("http://localhost:%d/echo?run=%s", port, run))
		}, false},
		{"a redirect that names credentials sends those", func(run string) string {
			return site.URL + "/to?loc=" + url.QueryEscape(withCreds(fmt.Sprintf("http://localhost:%d", port))+"/echo?run="+run)
		}, true},
	}
	for i, tc := range tests {
		t.Run(tc.name+", with the headers net/http sends", func(t *testing.T) {
			ours, theirs := fmt.Sprintf("loop%d", i), fmt.Sprintf("nethttp%d", i)
			got := loopFetch(t, Model{}, tc.url(ours))
			require.NoError(t, got.Err)
			assertSameResult(t, netHTTPFetch(t, tc.url(theirs), 0, 0), got)
			mu.Lock()
			defer mu.Unlock()
			require.Contains(t, received, ours)
			require.Contains(t, received, theirs)
			assert.Equal(t, tc.wantAuth, received[ours].Get("Authorization") != "")
			for _, h := range []string{"Authorization", "Accept-Encoding"} {
				assert.Equal(t, received[theirs].Get(h), received[ours].Get(h), h)
			}
			// The Referer names the URL that redirected, each run its own.
			ref := received[ours].Get("Referer")
			assert.Equal(t, received[theirs].Get("Referer") != "", ref != "")
			if ref != "" {
				assert.Equal(t, strings.Replace(tc.url(ours), "user:p%40ss%3Aword@", "", 1), ref, "Referer without credentials")
			}
		})
	}
	t.Run("the password is redacted in results and errors", func(t *testing.T) {
		bad := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}), nil)
		urls := []string{
			withCreds(bad.URL) + "/status",
			"http://user:secret@127.0.0.1:notaport/",
			"http://user:secret@[::1/",
			withCreds(site.URL) + "/to?loc=" + url.QueryEscape(withCreds("https://example.invalid")+"/"),
		}
		report, err := Model{}.Download(t.Context(), urls)
		require.NoError(t, err)
		for _, res := range report.Results {
			require.Error(t, res.Err)
			for _, secret := range []string{"secret", "p@ss", "p%40ss"} {
				assert.NotContains(t, res.URL, secret)
				assert.NotContains(t, res.Err.Error(), secret)
			}
			assert.Contains(t, res.Err.Error(), "xxxxx", "the error names the URL, redacted")
		}
	})
}

func TestHeaderLimit(t *testing.T) {
	// A head of size bytes in all, padded with 1 KB header lines.
	serveHead := func(size int) func(int, net.Conn) {
		return func(_ int, c net.Conn) {
			if _, err := readRequest(bufio.NewReader(c)); err != nil {
				return
			}
			start, end := "HTTP/1.1 200 OK\r\n", "Content-Length: 2\r\n\r\n"
			var head bytes.Buffer
			line := "X-Pad: " + strings.Repeat("p", 1000) + "\r\n"
			for head.Len()+len(line)+len(start)+len(end) <= size {
				head.WriteString(line)
			}
			c.Write([]byte(start + head.String() + end + "ok"))
		}
	}
	tests := []struct {
		name string
		size int
		ok   bool
	}{
		{"a head just under 10 MiB is accepted", DefaultMaxHeaderBytes - 64<<10, true},
		{"a head over 10 MiB fails with ErrHeaderTooLarge", DefaultMaxHeaderBytes + 64<<10, false},
	}
	for _, tc := range tests {
		t.Run(tc.name+", as in net/http", func(t *testing.T) {
			// 10 MiB of head takes seconds to parse under -race on a busy
			// machine: the limit is under test here, not the timeout.
			const generous = 2 * time.Minute
			base := rawServer(t, serveHead(tc.size))
			got := loopFetch(t, Model{Timeout: generous}, base+"/")
			if tc.ok {
				require.NoError(t, got.Err)
				assert.EqualValues(t, 2, got.Bytes)
			} else {
				require.ErrorIs(t, got.Err, ErrHeaderTooLarge)
				assert.Contains(t, got.Err.Error(), strconv.Itoa(DefaultMaxHeaderBytes))
			}
			assertSameResult(t, netHTTPFetch(t, base+"/", 0, generous), got)
		})
	}
}

func TestRetry(t *testing.T) {
	answer := func(c net.Conn) {
		if _, err := readRequest(bufio.NewReader(c)); err == nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	}
	closeEarly := func(c net.Conn) {
		readRequest(bufio.NewReader(c))
	}
	reset := func(c net.Conn) {
		readRequest(bufio.NewReader(c))
		c.(*net.TCPConn).SetLinger(0) // Close sends RST
	}
	tests := []struct {
		name  string
		serve func(n int, c net.Conn)
		ok    bool
		conns int32
	}{
		{"a fresh connection closed before any byte of the response is retried once", func(n int, c net.Conn) {
			if n == 0 {
				closeEarly(c)
				return
			}
			answer(c)
		}, true, 2},
		{"a fresh connection reset before any byte of the response is retried once", func(n int, c net.Conn) {
			if n == 0 {
				reset(c)
				return
			}
			answer(c)
		}, true, 2},
		{"a server that closes every connection early fails the request after one retry", func(_ int, c net.Conn) {
			closeEarly(c)
		}, false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int32
			base := rawServer(t, func(n int, c net.Conn) {
				conns.Add(1)
				tc.serve(n, c)
			})
			got := loopFetch(t, Model{}, base+"/")
			if tc.ok {
				require.NoError(t, got.Err)
				assert.EqualValues(t, 2, got.Bytes)
			} else {
				assert.ErrorIs(t, got.Err, io.ErrUnexpectedEOF)
			}
			assert.Equal(t, tc.conns, conns.Load(), "connections")
		})
	}
	t.Run("net/http does not retry a fresh connection: the one deliberate difference", func(t *testing.T) {
		base := rawServer(t, func(n int, c net.Conn) {
			if n == 0 {
				closeEarly(c)
				return
			}
			answer(c)
		})
		assert.Error(t, netHTTPFetch(t, base+"/", 0, 0).Err)
	})
}

func TestMaxConns(t *testing.T) {
	// A server of its own for each case: the connections of the one
	// before may still be closing on the server's side.
	server := func(t *testing.T) (*connCounter, []string) {
		var counter connCounter
		s := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(20 * time.Millisecond) // so that the requests overlap
			w.Write(page)
		}), &counter)
		urls := make([]string, 300)
		for i := range urls {
			urls[i] = s.URL + "/" + strconv.Itoa(i)
		}
		return &counter, urls
	}
	const requests = 300
	tests := []struct {
		name        string
		maxConns    int
		peak, total int
	}{
		{"by default 100 connections at most are open, and reused", 0, DefaultMaxConns, DefaultMaxConns},
		{"MaxConns caps them", 7, 7, 7},
		{"a MaxConns of math.MaxInt lets every request in at once", math.MaxInt, requests, requests},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counter, urls := server(t)
			report, err := Model{MaxConns: tc.maxConns}.Download(t.Context(), urls)
			require.NoError(t, err)
			assert.Zero(t, report.Failed())
			peak, total := counter.counts()
			assert.LessOrEqual(t, peak, tc.peak, "connections open at once")
			assert.Equal(t, tc.total, total, "connections in all")
		})
	}
	t.Run("idle connections to another host count against MaxConns", func(t *testing.T) {
		// Each request sees how many connections the two servers have
		// open, once they have noticed the closes that came before it.
		var both connCounter
		var mu sync.Mutex
		seen := 0
		handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			open := both.settled(2)
			mu.Lock()
			seen = max(seen, open)
			mu.Unlock()
			w.Write(page)
		})
		a, b := startServer(t, handler, &both), startServer(t, handler, &both)
		report, err := Model{MaxConns: 2}.Download(t.Context(), []string{a.URL, a.URL, b.URL, b.URL, a.URL, b.URL})
		require.NoError(t, err)
		assert.Zero(t, report.Failed())
		_, total := both.counts()
		assert.Greater(t, total, 2, "connections were closed and opened")
		mu.Lock()
		defer mu.Unlock()
		assert.LessOrEqual(t, seen, 2, "connections open while a request was served")
	})
	t.Run("a negative MaxConns is an error before any work", func(t *testing.T) {
		counter, urls := server(t)
		report, err := Model{MaxConns: -1}.Download(t.Context(), urls)
		require.ErrorIs(t, err, ErrMaxConns)
		assert.Empty(t, report.Results)
		_, total := counter.counts()
		assert.Zero(t, total)
	})
}

// TestNothingLeftOpen checks the new paths for descriptors left open:
// redirects reusing and closing connections, a lookup off the loop, gzip
// bodies, a timeout.
func TestNothingLeftOpen(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to count descriptors")
	}
	var counter connCounter
	site := redirectSite(t, &counter)
	zipped := gzipped(t, page)
	gz := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		if r.URL.Path == "/corrupt" {
			w.Write(zipped[:len(zipped)-3])
			return
		}
		w.Write(zipped)
	}), &counter)
	port := site.Listener.Addr().(*net.TCPAddr).Port
	urls := []string{
		site.URL + "/chain/3",
		site.URL + "/loop/a",
		site.URL + "/bigbody",
		site.URL + "/to?loc=" + url.QueryEscape(fmt.Sprintf("http://localhost:%d/page", port)),
		site.URL + "/slow/0",
		gz.URL + "/ok",
		gz.URL + "/corrupt",
	}
	// The servers live in this process: their side of each connection
	// closes a little after the client's. Count once they have caught up.
	before := openFDs(t)
	report, err := Model{Timeout: 100 * time.Millisecond}.Download(t.Context(), urls)
	require.NoError(t, err)
	assert.Equal(t, 3, report.Failed(), "the loop, the slow page and the corrupt body fail, nothing else: %v", report.Results)
	counter.settled(0)
	assert.Eventually(t, func() bool { return openFDs(t) == before }, 5*time.Second, time.Millisecond,
		"descriptors open before the run: %d", before)
}
