package threaded

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/cpubound"
	"conclab/internal/child"
	"conclab/iobound"
)

func TestMain(m *testing.M) {
	child.RunIfChild()
	goleak.VerifyTestMain(m)
}

func newServer(t testing.TB, cfg iobound.Config) *iobound.Server {
	t.Helper()
	s, err := iobound.NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func TestDownload(t *testing.T) {
	s := newServer(t, iobound.Config{})
	good := s.URLs(4)
	mixed := []string{good[0], s.FaultURL(iobound.FaultReset), good[1], s.FaultURL(iobound.FaultStatus500), good[0]}
	tests := []struct {
		name       string
		workers    int
		urls       []string
		wantFailed []int // indexes of the URLs that fail
		wantBytes  int64
	}{
		{"every page of a good list is counted", DefaultWorkers, good, nil, 4 * (iobound.BigPageBytes + iobound.SmallPageBytes)},
		{"one worker counts them too", 1, good, nil, 4 * (iobound.BigPageBytes + iobound.SmallPageBytes)},
		{"more workers than URLs count them too", 50, good, nil, 4 * (iobound.BigPageBytes + iobound.SmallPageBytes)},
		{"an empty list is an empty report", DefaultWorkers, nil, nil, 0},
		{"a failed URL among good ones fails alone", DefaultWorkers, mixed, []int{1, 3}, 2*iobound.BigPageBytes + iobound.SmallPageBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := Pool{Workers: tt.workers}.Download(context.Background(), tt.urls)
			require.NoError(t, err)
			require.Len(t, report.Results, len(tt.urls))
			assert.Equal(t, len(tt.wantFailed), report.Failed())
			for _, i := range tt.wantFailed {
				assert.Error(t, report.Results[i].Err, "URL %d", i)
			}
			var okBytes int64
			for i, res := range report.Results {
				assert.Equal(t, tt.urls[i], res.URL, "results are in input order")
				assert.GreaterOrEqual(t, res.Span.Worker, 0)
				assert.Less(t, res.Span.Worker, tt.workers)
				assert.Equal(t, os.Getpid(), res.Span.PID)
				if res.Err == nil {
					okBytes += res.Bytes
				}
			}
			assert.Equal(t, tt.wantBytes, okBytes)
		})
	}
}

func TestDownloadSpreadsOverWorkers(t *testing.T) {
	// At this latency a worker is busy long after the next URL is handed
	// out, so another worker must take it.
	s := newServer(t, iobound.Config{Latency: 50 * time.Millisecond})
	report, err := Pool{Workers: DefaultWorkers}.Download(context.Background(), s.URLs(5))
	require.NoError(t, err)
	workers := map[int]bool{}
	for _, res := range report.Results {
		workers[res.Span.Worker] = true
	}
	assert.Greater(t, len(workers), 1, "spans name more than one worker")
}

func TestDownloadCapAndTimeout(t *testing.T) {
	s := newServer(t, iobound.Config{OversizeBytes: 100_000})
	p := Pool{Workers: 2, Timeout: 50 * time.Millisecond, BodyCap: 50_000}
	urls := []string{s.FaultURL(iobound.FaultSlow), s.FaultURL(iobound.FaultOversize), s.URL(iobound.PathSmall)}
	report, err := p.Download(context.Background(), urls)
	require.NoError(t, err)
	assert.ErrorIs(t, report.Results[0].Err, iobound.ErrTimeout, "the pool's timeout applies")
	assert.ErrorIs(t, report.Results[1].Err, iobound.ErrBodyTooLarge, "the pool's cap applies")
	assert.NoError(t, report.Results[2].Err)
}

func TestDownloadCancellation(t *testing.T) {
	s := newServer(t, iobound.Config{})
	slow := make([]string, 10)
	for i := range slow {
		slow[i] = s.FaultURL(iobound.FaultSlow)
	}

	t.Run("a deadline stops every worker and fails every URL with its error", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		report, err := Pool{Workers: 3}.Download(ctx, slow)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Len(t, report.Results, len(slow))
		for i, res := range report.Results {
			assert.ErrorIs(t, res.Err, context.DeadlineExceeded, "URL %d", i)
		}
	})
	t.Run("a context cancelled before the run starts nothing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		accepted := s.Accepted()
		report, err := Pool{Workers: 3}.Download(ctx, s.URLs(3))
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 6, report.Failed())
		assert.Equal(t, accepted, s.Accepted(), "no connection was made")
	})
}

// TestConnectionsAccepted shows why the pool's transport keeps one idle
// connection per worker. With net/http's default of 2 per host, whenever more
// than 2 of the workers' connections are idle at once (here, between two runs
// on one client) the others are closed, and the next requests open new ones.
func TestConnectionsAccepted(t *testing.T) {
	const workers = DefaultWorkers
	// accepted runs the pool's loop twice on client: workers goroutines
	// taking the URLs from a queue, as Download does.
	accepted := func(client *http.Client) int64 {
		defer client.CloseIdleConnections()
		// The latency keeps all the workers busy at once.
		s := newServer(t, iobound.Config{Latency: 20 * time.Millisecond})
		for range 2 {
			queue := make(chan string)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for u := range queue {
						res := iobound.Fetch(context.Background(), client, u, 0, 0)
						assert.NoError(t, res.Err)
					}
				})
			}
			for _, u := range s.URLs(10) {
				queue <- u
			}
			close(queue)
			wg.Wait()
		}
		return s.Accepted()
	}
	defaultTransport := accepted(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
	tuned := accepted(iobound.NewClient(nil, workers))
	t.Logf("connections accepted for 2 runs of 20 requests on %d workers: default transport %d, tuned %d",
		workers, defaultTransport, tuned)
	assert.LessOrEqual(t, tuned, int64(workers), "the tuned transport keeps one connection per worker")
	assert.Greater(t, defaultTransport, tuned, "the default transport opens more")
}

func TestSumSquares(t *testing.T) {
	tests := []struct {
		name       string
		workers    int
		numbers    []int
		wantFailed []int
	}{
		{"small numbers match the closed form", DefaultWorkers, []int{0, 1, 2, 10, 1000}, nil},
		{"the default numbers match on two workers", 2, cpubound.DefaultNumbers(), nil},
		{"more workers than numbers match too", 50, []int{5_000_000, 7}, nil},
		{"a negative number fails its own task only", DefaultWorkers, []int{3, -1, 4}, []int{1}},
		{"an empty list is an empty report", DefaultWorkers, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := Pool{Workers: tt.workers}.SumSquares(context.Background(), tt.numbers)
			require.NoError(t, err)
			require.Len(t, report.Results, len(tt.numbers))
			assert.Equal(t, len(tt.wantFailed), report.Failed())
			for _, i := range tt.wantFailed {
				assert.ErrorIs(t, report.Results[i].Err, cpubound.ErrNegative)
			}
			for i, res := range report.Results {
				assert.Equal(t, tt.numbers[i], res.N)
				assert.Less(t, res.Span.Worker, tt.workers)
				if res.Err != nil {
					continue
				}
				want, err := cpubound.Expected(res.N)
				require.NoError(t, err)
				assert.Equal(t, want, res.Sum, "n = %d", res.N)
			}
		})
	}
	t.Run("a cancelled context fails every number with its error", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		report, err := Pool{Workers: 2}.SumSquares(ctx, cpubound.DefaultNumbers())
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, report.Results, 20)
		for _, res := range report.Results {
			assert.ErrorIs(t, res.Err, context.Canceled)
		}
	})
}

func TestWorkers(t *testing.T) {
	for _, p := range []Pool{{Workers: -1}, {Timeout: -1}, {BodyCap: -1}} {
		t.Run(fmt.Sprintf("%+v cannot download", p), func(t *testing.T) {
			_, err := p.Download(context.Background(), []string{"http://127.0.0.1:1/"})
			assert.ErrorIs(t, err, iobound.ErrNegativeSetting)
		})
		t.Run(fmt.Sprintf("%+v cannot sum", p), func(t *testing.T) {
			_, err := p.SumSquares(context.Background(), []int{1})
			assert.ErrorIs(t, err, iobound.ErrNegativeSetting)
		})
	}
	t.Run("a zero pool has the default workers", func(t *testing.T) {
		assert.Equal(t, DefaultWorkers, Pool{}.Concurrency("cpu", 100))
		// At this latency every worker is busy long after the next URL is
		// handed out, so each of them takes some, and no other does.
		s := newServer(t, iobound.Config{Latency: 50 * time.Millisecond})
		rep, err := Pool{}.Download(context.Background(), s.URLs(4*DefaultWorkers))
		require.NoError(t, err)
		workers := map[int]bool{}
		for _, r := range rep.Results {
			require.NoError(t, r.Err)
			workers[r.Span.Worker] = true
		}
		assert.Len(t, workers, DefaultWorkers, "spans name exactly DefaultWorkers workers")
		assert.LessOrEqual(t, s.Accepted(), int64(DefaultWorkers), "one connection a worker at most")
	})
	t.Run("concurrency is one task per worker, no more than the tasks", func(t *testing.T) {
		p := Pool{Workers: 5}
		assert.Equal(t, 5, p.Concurrency("io", 160))
		assert.Equal(t, 3, p.Concurrency("cpu", 3))
		assert.Equal(t, 0, p.Concurrency("cpu", 0))
	})
	t.Run("the name is threaded", func(t *testing.T) {
		assert.Equal(t, "threaded", Pool{}.Name())
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
