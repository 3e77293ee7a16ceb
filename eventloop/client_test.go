//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/nettest"
	"conclab/iobound"
)

func newServer(t *testing.T, cfg iobound.Config) *iobound.Server {
	t.Helper()
	s, err := iobound.NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// wantBytes is the body size of each of the server's two pages.
func wantBytes(t *testing.T, url string) int64 {
	t.Helper()
	switch {
	case strings.HasSuffix(url, iobound.PathBig):
		return iobound.BigPageBytes
	case strings.HasSuffix(url, iobound.PathSmall):
		return iobound.SmallPageBytes
	}
	t.Fatalf("not one of the server's pages: %s", url)
	return 0
}

// openFDs counts this process's open descriptors, or skips the test where
// /proc/self/fd does not exist.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(entries) - 1 // less the one ReadDir had open for the listing
}

func TestDownload(t *testing.T) {
	t.Run("downloads every page, results in input order, all on worker 0 of this process", func(t *testing.T) {
		s := newServer(t, iobound.Config{Latency: 5 * time.Millisecond})
		urls := s.URLs(10)
		report, err := Model{}.Download(t.Context(), urls)
		require.NoError(t, err)
		require.Len(t, report.Results, len(urls))
		for i, res := range report.Results {
			require.NoError(t, res.Err, res.URL)
			assert.Equal(t, urls[i], res.URL)
			assert.Equal(t, 200, res.Status)
			assert.Equal(t, wantBytes(t, res.URL), res.Bytes, res.URL)
			assert.Equal(t, 0, res.Span.Worker)
			assert.Equal(t, os.Getpid(), res.Span.PID)
			assert.False(t, res.Span.End.Before(res.Span.Start))
		}
		assert.EqualValues(t, len(urls), s.Accepted(), "every request in flight at once: one connection each")
	})
	t.Run("an empty list is an empty report", func(t *testing.T) {
		report, err := Model{}.Download(t.Context(), nil)
		require.NoError(t, err)
		assert.Empty(t, report.Results)
	})
	t.Run("MaxConns caps the connections and idle ones are reused", func(t *testing.T) {
		s := newServer(t, iobound.Config{Latency: time.Millisecond})
		urls := s.URLs(10)
		report, err := Model{MaxConns: 3}.Download(t.Context(), urls)
		require.NoError(t, err)
		assert.Zero(t, report.Failed())
		assert.EqualValues(t, 3, s.Accepted())
	})
	t.Run("every descriptor is closed at the end, failures included", func(t *testing.T) {
		child := startChild(t, iobound.Config{})
		urls := append(child.URLs(20), child.FaultURL(iobound.FaultReset), child.FaultURL(iobound.FaultGarbageStatus),
			child.FaultURL(iobound.FaultCloseDelimited), child.FaultURL(iobound.FaultSlow))
		before := openFDs(t)
		report, err := Model{Timeout: time.Second}.Download(t.Context(), urls)
		require.NoError(t, err)
		assert.Equal(t, 3, report.Failed())
		assert.ErrorIs(t, report.Results[len(urls)-1].Err, iobound.ErrTimeout)
		assert.Equal(t, before, openFDs(t))
	})
}

// startChild runs the server in a child process, so that this process's
// descriptors and goroutines are the client's alone.
func startChild(t *testing.T, cfg iobound.Config) *iobound.Child {
	t.Helper()
	child, err := iobound.StartChild(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, child.Close()) })
	return child
}

func TestDownloadFailures(t *testing.T) {
	s := newServer(t, iobound.Config{OversizeBytes: 1 << 20})
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		return "http://" + addr + "/"
	}()
	tests := []struct {
		name   string
		url    string
		want   error
		status int
	}{
		{"a 500 fails with ErrStatus and keeps the status", s.FaultURL(iobound.FaultStatus500), iobound.ErrStatus, 500},
		{"a reset mid-body fails", s.FaultURL(iobound.FaultReset), nil, 200},
		{"a response slower than the timeout fails with ErrTimeout", s.FaultURL(iobound.FaultSlow), iobound.ErrTimeout, 0},
		{"a body over the cap fails with ErrBodyTooLarge", s.FaultURL(iobound.FaultOversize), iobound.ErrBodyTooLarge, 200},
		{"a garbage status line fails as malformed", s.FaultURL(iobound.FaultGarbageStatus), ErrMalformed, 0},
		{"a bad chunk size fails as malformed", s.FaultURL(iobound.FaultBadChunk), ErrMalformed, 200},
		{"a refused connection fails with ECONNREFUSED", refused, syscall.ECONNREFUSED, 0},
		{"https to a plain HTTP port fails with ErrTLS", "https://" + s.Addr() + "/", ErrTLS, 0},
		{"an ftp URL fails with ErrScheme", "ftp://" + s.Addr() + "/", ErrScheme, 0},
	}
	urls := s.URLs(2)
	for _, tc := range tests {
		urls = append(urls, tc.url)
	}
	urls = append(urls, s.FaultURL(iobound.FaultCloseDelimited))
	report, err := Model{Timeout: 2 * time.Second, BodyCap: 256 << 10}.Download(t.Context(), urls)
	require.NoError(t, err)
	require.Len(t, report.Results, len(urls))

	t.Run("the good URLs in the same list still download", func(t *testing.T) {
		for _, res := range report.Results[:4] {
			require.NoError(t, res.Err)
			assert.Equal(t, wantBytes(t, res.URL), res.Bytes)
		}
	})
	t.Run("a body delimited by the close downloads", func(t *testing.T) {
		last := report.Results[len(urls)-1]
		require.NoError(t, last.Err)
		assert.EqualValues(t, iobound.SmallPageBytes, last.Bytes)
	})
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := report.Results[4+i]
			assert.Equal(t, tc.url, res.URL)
			require.Error(t, res.Err)
			if tc.want != nil {
				assert.ErrorIs(t, res.Err, tc.want)
			}
			assert.Equal(t, tc.status, res.Status)
			assert.Contains(t, res.Err.Error(), tc.url, "the error names the URL")
		})
	}
	t.Run("the body count stops at the cap", func(t *testing.T) {
		assert.EqualValues(t, 256<<10, report.Results[4+3].Bytes)
	})
	t.Run("plain HTTP on a TLS port says so, as net/http does", func(t *testing.T) {
		assert.Contains(t, report.Results[4+7].Err.Error(), "server gave HTTP response to HTTPS client")
	})
}

// rawServer accepts connections on 127.0.0.1 and hands each to serve, on
// goroutines of the test's server side.
func rawServer(t *testing.T, serve func(n int, c net.Conn)) string {
	t.Helper()
	return "http://" + nettest.Serve(t, serve)
}

// readRequest reads one request head and returns its size.
func readRequest(r *bufio.Reader) (int, error) {
	size := 0
	for {
		line, err := r.ReadString('\n')
		size += len(line)
		if err != nil {
			return size, err
		}
		if line == "\r\n" {
			return size, nil
		}
	}
}

func TestDownloadConnections(t *testing.T) {
	t.Run("a reused connection the server closed is retried once on a new one", func(t *testing.T) {
		var mu sync.Mutex
		conns := 0
		base := rawServer(t, func(_ int, c net.Conn) {
			mu.Lock()
			conns++
			mu.Unlock()
			// One response, announced as keep-alive, then close: the
			// client finds out only when it reuses the connection.
			if _, err := readRequest(bufio.NewReader(c)); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		})
		urls := []string{base + "/1", base + "/2", base + "/3"}
		report, err := Model{MaxConns: 1}.Download(t.Context(), urls)
		require.NoError(t, err)
		for _, res := range report.Results {
			require.NoError(t, res.Err)
			assert.EqualValues(t, 2, res.Bytes)
		}
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 3, conns)
	})
	t.Run("a request larger than the socket buffer is written in parts", func(t *testing.T) {
		got := make(chan int, 1)
		base := rawServer(t, func(_ int, c net.Conn) {
			r := bufio.NewReader(c)
			time.Sleep(50 * time.Millisecond) // let the client's buffer fill: its writes come back partial
			n, err := readRequest(r)
			got <- n
			if err == nil {
				io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n")
			}
		})
		path := "/" + strings.Repeat("p", 8<<20)
		report, err := Model{}.Download(t.Context(), []string{base + path})
		require.NoError(t, err)
		require.NoError(t, report.Results[0].Err)
		assert.Equal(t, 204, report.Results[0].Status)
		want := len("GET " + path + " HTTP/1.1\r\nHost: " + strings.TrimPrefix(base, "http://") +
			"\r\nUser-Agent: conclab-eventloop\r\nAccept-Encoding: gzip\r\n\r\n")
		assert.Equal(t, want, <-got, "request bytes the server received")
	})
	t.Run("a reused connection closed before the response after bytes came is not retried", func(t *testing.T) {
		base := rawServer(t, func(n int, c net.Conn) {
			if _, err := readRequest(bufio.NewReader(c)); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
		})
		report, err := Model{}.Download(t.Context(), []string{base + "/"})
		require.NoError(t, err)
		assert.ErrorIs(t, report.Results[0].Err, io.ErrUnexpectedEOF)
		assert.EqualValues(t, 3, report.Results[0].Bytes)
	})
}

func TestDownloadCancel(t *testing.T) {
	t.Run("cancelling the context ends the run and fails what did not finish", func(t *testing.T) {
		child := startChild(t, iobound.Config{})
		urls := append(child.URLs(2), child.FaultURL(iobound.FaultSlow), child.FaultURL(iobound.FaultSlow))
		before := openFDs(t)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		m := Model{}
		// Cancel once the fast pages are in: from a goroutine of the test,
		// as a caller would.
		go func() {
			time.Sleep(100 * time.Millisecond)
			cancel()
		}()
		report, err := m.Download(ctx, urls)
		require.ErrorIs(t, err, context.Canceled)
		for _, res := range report.Results[len(urls)-2:] {
			assert.ErrorIs(t, res.Err, context.Canceled)
		}
		assert.Equal(t, before, openFDs(t))
	})
	t.Run("a context cancelled before the run fails every URL", func(t *testing.T) {
		s := newServer(t, iobound.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		report, err := Model{}.Download(ctx, s.URLs(2))
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 4, report.Failed())
	})
}

func TestDownloadStartsNoGoroutine(t *testing.T) {
	// The server runs in another process: every goroutine counted here
	// belongs to the client or to the test.
	child := startChild(t, iobound.Config{Latency: 20 * time.Millisecond})
	urls := child.URLs(500) // 1,000 requests, all in flight at once (MaxConns below)

	stop := make(chan struct{})
	peak := make(chan int)
	go func() { // the sampler, itself one goroutine, counted in both figures
		high := 0
		for {
			select {
			case <-stop:
				peak <- high
				return
			default:
				high = max(high, runtime.NumGoroutine())
				runtime.Gosched()
			}
		}
	}()
	before := runtime.NumGoroutine()
	report, err := Model{MaxConns: math.MaxInt}.Download(t.Context(), urls)
	close(stop)
	during := <-peak
	require.NoError(t, err)
	assert.Zero(t, report.Failed())
	assert.LessOrEqual(t, during, before, "goroutines during a run of %d downloads", len(urls))
}

func Example() {
	server, err := iobound.NewServer(iobound.Config{Latency: 10 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	// The last URL speaks TLS to a port that answers in plain HTTP.
	urls := append(server.URLs(2), "https://"+server.Addr()+"/")
	report, err := Model{}.Download(context.Background(), urls)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range report.Results {
		if res.Err != nil {
			fmt.Println("error:", errors.Is(res.Err, ErrTLS))
			continue
		}
		fmt.Println(res.Status, res.Bytes)
	}
	// Output:
	// 200 11000
	// 200 400
	// 200 11000
	// 200 400
	// error: true
}
