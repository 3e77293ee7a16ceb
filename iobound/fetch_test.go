package iobound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFetch(t *testing.T) {
	s := newTestServer(t, Config{Faults: map[string]Fault{"/slow": FaultSlow}})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		url        string
		bodyCap    int64
		timeout    time.Duration
		wantErr    error // nil: success
		wantStatus int
		wantBytes  int64
	}{
		{"the big page is counted", nil, s.URL(PathBig), 0, 0, nil, 200, BigPageBytes},
		{"the small page is counted", nil, s.URL(PathSmall), 0, 0, nil, 200, SmallPageBytes},
		{"a body exactly at the cap passes", nil, s.URL(PathBig), BigPageBytes, 0, nil, 200, BigPageBytes},
		{"a chunked body over the cap fails", nil, s.URL(PathBig), 1000, 0, ErrBodyTooLarge, 200, 1000},
		{"a Content-Length over the cap fails unread", nil, s.URL(PathSmall), 100, 0, ErrBodyTooLarge, 200, 0},
		{"the oversize fault fails the default cap", nil, s.FaultURL(FaultOversize), 0, 0, ErrBodyTooLarge, 200, DefaultBodyCap},
		{"a 500 fails with its status", nil, s.FaultURL(FaultStatus500), 0, 0, ErrStatus, 500, -1},
		{"a slow response times out", nil, s.FaultURL(FaultSlow), 0, 50 * time.Millisecond, ErrTimeout, 0, 0},
		{"a slow path times out", nil, s.URL("/slow"), 0, 50 * time.Millisecond, ErrTimeout, 0, 0},
		{"a cancelled context fails with its error", cancelled, s.URL(PathSmall), 0, 0, context.Canceled, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, 0)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			res := Fetch(ctx, c, tt.url, tt.bodyCap, tt.timeout)
			assert.Equal(t, tt.url, res.URL)
			assert.Equal(t, tt.wantStatus, res.Status)
			if tt.wantBytes >= 0 {
				assert.Equal(t, tt.wantBytes, res.Bytes)
			}
			if tt.wantErr == nil {
				assert.NoError(t, res.Err)
				return
			}
			assert.ErrorIs(t, res.Err, tt.wantErr)
			assert.Contains(t, res.Err.Error(), tt.url, "the error names the URL")
		})
	}
}

func TestFetchBrokenResponses(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, f := range []Fault{FaultReset, FaultGarbageStatus, FaultBadChunk} {
		t.Run(string(f)+" is a failure, not a timeout", func(t *testing.T) {
			res := Fetch(context.Background(), newTestClient(t, 0), s.FaultURL(f), 0, 0)
			require.Error(t, res.Err)
			assert.False(t, errors.Is(res.Err, ErrTimeout))
		})
	}
	t.Run("a close-delimited body is read to the end", func(t *testing.T) {
		res := Fetch(context.Background(), newTestClient(t, 0), s.FaultURL(FaultCloseDelimited), 0, 0)
		require.NoError(t, res.Err)
		assert.Equal(t, int64(SmallPageBytes), res.Bytes)
	})
	t.Run("the caller's deadline is not our timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		res := Fetch(ctx, newTestClient(t, 0), s.FaultURL(FaultSlow), 0, time.Hour)
		assert.ErrorIs(t, res.Err, context.DeadlineExceeded)
		assert.False(t, errors.Is(res.Err, ErrTimeout))
	})
	t.Run("a malformed URL is a failure", func(t *testing.T) {
		res := Fetch(context.Background(), http.DefaultClient, "http://[::1", 0, 0)
		assert.Error(t, res.Err)
	})
}

func TestFetchNeverShowsThePassword(t *testing.T) {
	s := newTestServer(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close())
	withSecret := func(hostPath string) string { return "http://user:secret@" + hostPath }
	tests := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"a page that is served", withSecret(s.Addr() + PathSmall), false},
		{"a page that is not there", withSecret(s.Addr() + "/missing"), true},
		{"a refused connection", withSecret(refused + "/"), true},
		{"a URL that does not parse", withSecret("127.0.0.1:bad%zz/x"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name+" shows the URL redacted in the result and the error", func(t *testing.T) {
			res := Fetch(context.Background(), newTestClient(t, 0), tt.url, 0, 0)
			assert.Equal(t, Redact(tt.url), res.URL)
			assert.NotContains(t, res.URL, "secret")
			if !tt.wantErr {
				assert.NoError(t, res.Err)
				return
			}
			require.Error(t, res.Err)
			t.Logf("error: %v", res.Err)
			assert.NotContains(t, res.Err.Error(), "secret")
			assert.Contains(t, res.Err.Error(), "user:", "the error still names the URL")
		})
	}
}

func TestRepeat(t *testing.T) {
	tests := []struct {
		name string
		urls []string
		n    int
		want []string
	}{
		{"repeating twice interleaves like Python's list * 2", []string{"a", "b"}, 2, []string{"a", "b", "a", "b"}},
		{"repeating once copies", []string{"a"}, 1, []string{"a"}},
		{"repeating zero times gives nothing", []string{"a"}, 0, []string{}},
		{"a negative count gives nothing", []string{"a"}, -3, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Repeat(tt.urls, tt.n))
		})
	}
	t.Run("the default list is the original's two sites, 80 times each", func(t *testing.T) {
		urls := DefaultURLs()
		require.Len(t, urls, 160)
		assert.Equal(t, JythonURL, urls[0])
		assert.Equal(t, DiceURL, urls[1])
		assert.Equal(t, JythonURL, urls[158])
		assert.Equal(t, DiceURL, urls[159])
	})
}
