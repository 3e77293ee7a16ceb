package iobound

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestServer starts a server that the test closes when it ends.
func newTestServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// newTestClient returns a plain client whose idle connections the test
// closes when it ends, so that goleak sees no transport goroutines.
func newTestClient(t *testing.T, timeout time.Duration) *http.Client {
	t.Helper()
	c := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: timeout}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// get GETs url and reads the whole body, returning both errors apart.
func get(c *http.Client, url string) (resp *http.Response, body []byte, getErr, readErr error) {
	resp, getErr = c.Get(url)
	if getErr != nil {
		return nil, nil, getErr, nil
	}
	defer resp.Body.Close()
	body, readErr = io.ReadAll(resp.Body)
	return resp, body, nil, readErr
}

func TestServerPages(t *testing.T) {
	s := newTestServer(t, Config{})
	c := newTestClient(t, 0)
	tests := []struct {
		name             string
		path             string
		size             int
		chunked          bool
		wantStatus       int
		wantContentLenth int64
	}{
		{"the big page is about 11 KB, chunked", PathBig, BigPageBytes, true, http.StatusOK, -1},
		{"the small page is a few hundred bytes, with Content-Length", PathSmall, SmallPageBytes, false, http.StatusOK, SmallPageBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body, getErr, readErr := get(c, s.URL(tt.path))
			require.NoError(t, getErr)
			require.NoError(t, readErr)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Len(t, body, tt.size)
			assert.Equal(t, tt.wantContentLenth, resp.ContentLength)
			if tt.chunked {
				assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
			} else {
				assert.Empty(t, resp.TransferEncoding)
			}
			assert.Contains(t, string(body), "</html>")
		})
	}
	t.Run("an unknown path is 404", func(t *testing.T) {
		resp, _, getErr, _ := get(c, s.URL("/nowhere"))
		require.NoError(t, getErr)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
	t.Run("an unknown fault is 400", func(t *testing.T) {
		resp, _, getErr, _ := get(c, s.URL(PathSmall)+"?fault=nonsense")
		require.NoError(t, getErr)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
}

func TestServerURLs(t *testing.T) {
	s := newTestServer(t, Config{})
	urls := s.URLs(3)
	require.Len(t, urls, 6)
	for i, u := range urls {
		want := s.URL(PathBig)
		if i%2 == 1 {
			want = s.URL(PathSmall)
		}
		assert.Equal(t, want, u)
	}
	host, _, err := net.SplitHostPort(s.Addr())
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
}

func TestServerFaults(t *testing.T) {
	const oversize = 100_000
	s := newTestServer(t, Config{OversizeBytes: oversize})
	tests := []struct {
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error)
	}{
		{FaultStatus500, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.NoError(t, getErr)
			assert.NoError(t, readErr)
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		}},
		{FaultReset, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.NoError(t, getErr, "the headers arrive before the reset")
			assert.Equal(t, int64(BigPageBytes), resp.ContentLength)
			assert.Error(t, readErr)
			assert.Less(t, len(body), BigPageBytes)
		}},
		{FaultSlow, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.Error(t, getErr)
			var ne net.Error
			require.ErrorAs(t, getErr, &ne)
			assert.True(t, ne.Timeout(), "the client's timeout ends it: %v", getErr)
		}},
		{FaultCloseDelimited, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.NoError(t, getErr)
			assert.NoError(t, readErr)
			assert.Equal(t, 1, resp.ProtoMajor)
			assert.Equal(t, 0, resp.ProtoMinor)
			assert.Equal(t, int64(-1), resp.ContentLength)
			assert.Empty(t, resp.TransferEncoding)
			assert.Len(t, body, SmallPageBytes)
		}},
		{FaultOversize, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.NoError(t, getErr)
			assert.NoError(t, readErr)
			assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
			assert.Len(t, body, oversize)
		}},
		{FaultGarbageStatus, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.Error(t, getErr)
			assert.Contains(t, getErr.Error(), "malformed HTTP status code")
		}},
		{FaultBadChunk, func(t *testing.T, resp *http.Response, body []byte, getErr, readErr error) {
			require.NoError(t, getErr)
			require.Error(t, readErr)
			assert.Contains(t, readErr.Error(), "chunk")
		}},
	}
	require.Len(t, tests, len(Faults()), "every fault has a case")
	for _, tt := range tests {
		t.Run("a client sees "+string(tt.fault), func(t *testing.T) {
			c := newTestClient(t, 200*time.Millisecond)
			resp, body, getErr, readErr := get(c, s.FaultURL(tt.fault))
			tt.check(t, resp, body, getErr, readErr)
		})
	}
}

func TestServerFaultsPerPath(t *testing.T) {
	s := newTestServer(t, Config{Faults: map[string]Fault{"/broken": FaultStatus500, PathSmall: FaultStatus500}})
	c := newTestClient(t, 0)
	tests := []struct {
		name string
		url  string
		want int
	}{
		{"a configured path that is no page gets its fault", s.URL("/broken"), http.StatusInternalServerError},
		{"a configured page gets its fault", s.URL(PathSmall), http.StatusInternalServerError},
		{"another page is served as usual", s.URL(PathBig), http.StatusOK},
		{"a request's fault wins over the path's", s.URL("/broken") + "?fault=close-delimited", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _, getErr, readErr := get(c, tt.url)
			require.NoError(t, getErr)
			require.NoError(t, readErr)
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}

func TestServerConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"a negative latency is refused", Config{Latency: -time.Millisecond}},
		{"a negative oversize is refused", Config{OversizeBytes: -1}},
		{"an unknown fault on a path is refused", Config{Faults: map[string]Fault{"/x": "nonsense"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewServer(tt.cfg)
			assert.Error(t, err)
			assert.Nil(t, s)
		})
	}
}

func TestServerLatency(t *testing.T) {
	const latency = 30 * time.Millisecond
	s := newTestServer(t, Config{Latency: latency})
	c := newTestClient(t, 0)
	for _, url := range []string{s.URL(PathBig), s.URL(PathSmall), s.FaultURL(FaultStatus500), s.FaultURL(FaultReset)} {
		t.Run("a response to "+url+" waits the latency first", func(t *testing.T) {
			start := time.Now()
			_, _, getErr, _ := get(c, url)
			require.NoError(t, getErr)
			assert.GreaterOrEqual(t, time.Since(start), latency)
		})
	}
}

func TestServerAccepted(t *testing.T) {
	s := newTestServer(t, Config{})
	keepAlive := newTestClient(t, 0)
	for range 3 {
		_, _, getErr, readErr := get(keepAlive, s.URL(PathSmall))
		require.NoError(t, getErr)
		require.NoError(t, readErr)
	}
	assert.Equal(t, int64(1), s.Accepted(), "keep-alive reuses one connection")

	noKeepAlive := newTestClient(t, 0)
	noKeepAlive.Transport.(*http.Transport).DisableKeepAlives = true
	for range 3 {
		_, _, getErr, readErr := get(noKeepAlive, s.URL(PathSmall))
		require.NoError(t, getErr)
		require.NoError(t, readErr)
	}
	assert.Equal(t, int64(4), s.Accepted(), "without keep-alive every request connects")
}

func TestServerCloseEndsWaitingHandlers(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
		url  func(*Server) string
	}{
		{"close ends a slow response", Config{}, func(s *Server) string { return s.FaultURL(FaultSlow) }},
		{"close ends a long latency", Config{Latency: time.Hour}, func(s *Server) string { return s.URL(PathSmall) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewServer(tt.cfg)
			require.NoError(t, err)
			c := newTestClient(t, 0) // no timeout: only Close can end the request
			done := make(chan error, 1)
			go func() {
				_, _, getErr, readErr := get(c, tt.url(s))
				done <- errorsJoin(getErr, readErr)
			}()
			require.Eventually(t, func() bool { return s.Accepted() == 1 }, 5*time.Second, time.Millisecond)
			require.NoError(t, s.Close())
			select {
			case err := <-done:
				assert.Error(t, err, "the request fails when the server closes")
			case <-time.After(10 * time.Second):
				t.Fatal("the request still hangs after Close")
			}
		})
	}
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
