package iobound_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

func TestSettle(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		bodyCap int64
		counts  []iobound.Setting
		want    iobound.Settings
		err     string
	}{
		{"zero means the defaults", 0, 0, nil, iobound.Settings{Timeout: iobound.DefaultTimeout, BodyCap: iobound.DefaultBodyCap}, ""},
		{"set values stay", time.Second, 10, nil, iobound.Settings{Timeout: time.Second, BodyCap: 10}, ""},
		{"a negative timeout is named", -time.Second, 0, nil, iobound.Settings{}, "m: Timeout is -1s"},
		{"a negative count is named", 0, 0, []iobound.Setting{iobound.Count("Workers", -2)}, iobound.Settings{}, "m: Workers is -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iobound.Settle("m", tt.timeout, tt.bodyCap, tt.counts...)
			if tt.err != "" {
				require.ErrorIs(t, err, iobound.ErrNegativeSetting)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFinish(t *testing.T) {
	urls := []string{"http://a/", "http://user:secret@b/"}
	ran := iobound.Result{URL: urls[0], Status: 200}
	ran.Span.End = time.Now()
	t.Run("a finished run is no error", func(t *testing.T) {
		rep, err := iobound.Finish(t.Context(), "m", urls[:1], []iobound.Result{ran})
		require.NoError(t, err)
		assert.Equal(t, []iobound.Result{ran}, rep.Results)
	})
	t.Run("a cancelled run fails the URLs not started, redacted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rep, err := iobound.Finish(ctx, "m", urls, []iobound.Result{ran, {}})
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, "m: run cancelled: context canceled", err.Error())
		assert.Equal(t, ran, rep.Results[0], "a task that ran keeps its result")
		require.ErrorIs(t, rep.Results[1].Err, context.Canceled)
		assert.Equal(t, "GET http://user:xxxxx@b/: not started: context canceled", rep.Results[1].Err.Error())
	})
}

// Failed is the one shape of a task's error: it names the URL, redacted.
func ExampleFailed() {
	errWorkerDied := errors.New("worker died")
	res := iobound.Failed("http://user:secret@example.com/", errWorkerDied)
	fmt.Println(res.Err, errors.Is(res.Err, errWorkerDied))
	// Output: GET http://user:xxxxx@example.com/: worker died true
}

func TestTask(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hello"))
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	tests := []struct {
		name    string
		bodyCap int64
		err     error
	}{
		{"a fetch with its span", 100, nil},
		{"the settings reach the fetch", 2, iobound.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := iobound.Task(t.Context(), client, 3, srv.URL, iobound.Settings{Timeout: time.Minute, BodyCap: tt.bodyCap})
			require.ErrorIs(t, res.Err, tt.err)
			assert.Equal(t, 3, res.Span.Worker)
			assert.Equal(t, os.Getpid(), res.Span.PID)
			assert.False(t, res.Span.End.Before(res.Span.Start))
		})
	}
}
