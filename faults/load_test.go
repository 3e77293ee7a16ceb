package faults

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/eventloop"
	"conclab/iobound"
	"conclab/multiproc"
	"conclab/threaded"
)

const (
	// loadRequests is the load the issue asks for: every one of them in
	// flight at once in the event loop.
	loadRequests = 10_000
	loadLatency  = 5 * time.Millisecond
	// loadSpare is the descriptors a process needs besides its connections:
	// standard streams, pipes to children, the poller, the listener.
	loadSpare = 256
)

// TestTenThousandRequests sends 10,000 requests through the models that can
// have many in flight: the event loop with no cap (all at once), a pool of
// 100 goroutines, and a pool of processes. Each must complete every request
// under the process's descriptor limit, and leave nothing behind.
func TestTenThousandRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests per model; skipped with -short")
	}
	// The event loop holds a connection per request, and so does the server
	// at the other end: both processes need that many descriptors.
	ensureDescriptors(t, loadRequests+loadSpare)

	server, err := iobound.StartChild(context.Background(), iobound.Config{Latency: loadLatency})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, server.Close()) })
	urls := server.URLs(loadRequests / 2)
	require.Len(t, urls, loadRequests)
	wantBytes := int64(loadRequests / 2 * (iobound.BigPageBytes + iobound.SmallPageBytes))

	tests := []struct {
		name  string
		model downloader
	}{
		{"eventloop with every request in flight at once", eventloop.Model{}},
		{"threaded with 100 workers", threaded.Pool{Workers: 100}},
		{"multiproc with 20 worker processes", multiproc.Pool{Procs: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" completes 10,000 requests without an error", func(t *testing.T) {
			start := time.Now()
			report := runLeakFree(t, server.PID(), func(ctx context.Context) (iobound.Report, error) {
				return tt.model.Download(ctx, urls)
			})
			t.Logf("%s: %d requests in %v", tt.model.Name(), len(report.Results), time.Since(start).Round(time.Millisecond))

			require.Len(t, report.Results, loadRequests)
			assert.Zero(t, report.Failed(), "failed requests")
			assert.Equal(t, wantBytes, report.Bytes())
			for i, r := range report.Results {
				if r.Err != nil {
					t.Errorf("first failure, request %d: %v", i, r.Err)
					break
				}
			}
		})
	}
}
