//go:build unix

package faults

import (
	"context"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/eventloop"
	"conclab/iobound"
	"conclab/multiproc"
	"conclab/threaded"

	"conclab/internal/proctest"
)

// TestDescriptorLimitTooLow runs 1,000 requests with this process's
// descriptor limit lowered to a few dozen above what is open: too few for
// a connection per worker, let alone per request. A model must then either
// complete every request (the event loop waits for one of its own
// connections to close) or fail with errors that name the limit, so that
// the reader knows what to raise; and it must leave nothing behind.
func TestDescriptorLimitTooLow(t *testing.T) {
	open, ok := proctest.OpenFDs()
	if !ok {
		t.Skip("no /proc/self/fd to count the open descriptors")
	}
	// The server keeps its own limit: it is started before the limit drops.
	server, err := iobound.StartChild(context.Background(), iobound.Config{Latency: loadLatency})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, server.Close()) })
	urls := server.URLs(500)
	const spare = 32

	tests := []struct {
		name         string
		model        downloader
		wantComplete bool
	}{
		// The cap is stated, as the event loop's default is not "no cap".
		{"eventloop with every request in flight at once waits for its own connections and completes every request", eventloop.Model{MaxConns: len(urls)}, true},
		{"threaded with 100 workers fails the requests that find no descriptor, naming the limit", threaded.Pool{Workers: 100}, false},
		{"multiproc with 20 worker processes fails to start them, naming the limit", multiproc.Pool{Procs: 20}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := runLeakFree(t, server.PID(), caseDeadline, func(ctx context.Context) (iobound.Report, error) {
				restore := lowerDescriptorLimit(t, uint64(open+spare))
				defer restore()
				rep, err := tt.model.Download(ctx, urls)
				if err != nil {
					t.Logf("run: %v", firstLine(err))
					namesTheLimit(t, err)
					err = nil // a failure for want of descriptors is what is checked
				}
				return rep, err
			})
			failed := 0
			for _, r := range report.Results {
				if r.Err != nil {
					if failed == 0 {
						t.Logf("first failed request: %v", r.Err)
					}
					failed++
					namesTheLimit(t, r.Err)
					continue
				}
				want := int64(iobound.SmallPageBytes)
				if strings.HasSuffix(r.URL, iobound.PathBig) {
					want = iobound.BigPageBytes
				}
				assert.Equal(t, want, r.Bytes, r.URL)
			}
			t.Logf("%s: %d results, %d failed", tt.model.Name(), len(report.Results), failed)
			if tt.wantComplete {
				assert.Len(t, report.Results, len(urls))
				assert.Zero(t, failed, "failed requests")
			}
		})
	}
}

// namesTheLimit checks that err is the system's "too many open files" and
// says which limit to raise.
func namesTheLimit(t *testing.T, err error) bool {
	t.Helper()
	return assert.ErrorIs(t, err, syscall.EMFILE) && assert.Contains(t, err.Error(), "RLIMIT_NOFILE")
}

// lowerDescriptorLimit sets the soft RLIMIT_NOFILE to limit and returns the
// function that restores it.
func lowerDescriptorLimit(t *testing.T, limit uint64) (restore func()) {
	t.Helper()
	var saved syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved))
	low := saved
	low.Cur = min(limit, saved.Cur)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	return func() { require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved)) }
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
