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
	// loadDeadline bounds each model's whole run of loadRequests. With every
	// request in flight at once it is also each request's timeout: see
	// TestTenThousandRequests.
	loadDeadline = 3 * time.Minute
)

// TestTenThousandRequests sends 10,000 requests through the models that can
// have many in flight: the event loop with every request in flight at once
// (its cap set as high as the load, since its default is lower), a pool of
// 100 goroutines, and a pool of processes. Each must complete every request
// under the process's descriptor limit, and leave nothing behind.
//
// A request's timeout runs from its start. Where all 10,000 start at once,
// the last one answered waits for the server to serve the 9,999 before it,
// and more: 10,000 connects at once overflow the server's listen backlog
// (somaxconn, 4,096 by default on Linux), and the kernel retries each
// dropped SYN only 1 s, 3 s, 7 s, 15 s... after the first. So the time of
// the slowest request is the time of the whole run, which depends on the
// machine: under -race, beside other test binaries, on two cores, it passed
// the default 10 s and thousands of requests failed with "no complete
// response within 10s". The server was slow; no request was lost. So that
// run's requests may take as long as the run may (loadDeadline), and the
// test asserts what is always true: every request completes. (The pools,
// and the event loop with its default cap of 100, have at most a hundred
// requests in flight: a request waits for at most 99 others, the backlog
// does not overflow, and the default timeout holds.)
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
		{"eventloop with every request in flight at once", eventloop.Model{MaxConns: loadRequests, Timeout: loadDeadline}},
		{"threaded with 100 workers", threaded.Pool{Workers: 100}},
		{"multiproc with 20 worker processes", multiproc.Pool{Procs: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" completes 10,000 requests without an error", func(t *testing.T) {
			start := time.Now()
			report := runLeakFree(t, server.PID(), loadDeadline, func(ctx context.Context) (iobound.Report, error) {
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
