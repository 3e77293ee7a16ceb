package sequential

import (
	"context"
	"fmt"
	"os"
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
	good := s.URLs(2)
	tests := []struct {
		name       string
		urls       []string
		wantFailed []int // indexes of the URLs that fail
		wantBytes  int64
	}{
		{"every page of a good list is counted", good, nil, 2 * (iobound.BigPageBytes + iobound.SmallPageBytes)},
		{"an empty list is an empty report", nil, nil, 0},
		{"a failed URL among good ones fails alone",
			[]string{good[0], s.FaultURL(iobound.FaultReset), good[1], s.FaultURL(iobound.FaultStatus500), good[0]},
			[]int{1, 3}, 2*iobound.BigPageBytes + iobound.SmallPageBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := Model{}.Download(context.Background(), tt.urls)
			require.NoError(t, err)
			require.Len(t, report.Results, len(tt.urls))
			assert.Equal(t, len(tt.wantFailed), report.Failed())
			for _, i := range tt.wantFailed {
				assert.Error(t, report.Results[i].Err, "URL %d", i)
			}
			var okBytes int64
			for i, res := range report.Results {
				assert.Equal(t, tt.urls[i], res.URL, "results are in input order")
				assert.Equal(t, 0, res.Span.Worker)
				assert.Equal(t, os.Getpid(), res.Span.PID)
				assert.False(t, res.Span.End.Before(res.Span.Start))
				if i > 0 {
					assert.False(t, res.Span.Start.Before(report.Results[i-1].Span.End), "one task after another")
				}
				if res.Err == nil {
					okBytes += res.Bytes
				}
			}
			assert.Equal(t, tt.wantBytes, okBytes)
		})
	}
}

func TestDownloadCapAndTimeout(t *testing.T) {
	s := newServer(t, iobound.Config{OversizeBytes: 100_000})
	m := Model{Timeout: 50 * time.Millisecond, BodyCap: 50_000}
	urls := []string{s.FaultURL(iobound.FaultSlow), s.FaultURL(iobound.FaultOversize), s.URL(iobound.PathSmall)}
	report, err := m.Download(context.Background(), urls)
	require.NoError(t, err)
	assert.ErrorIs(t, report.Results[0].Err, iobound.ErrTimeout, "the model's timeout applies")
	assert.ErrorIs(t, report.Results[1].Err, iobound.ErrBodyTooLarge, "the model's cap applies")
	assert.NoError(t, report.Results[2].Err)
}

func TestDownloadCancellation(t *testing.T) {
	s := newServer(t, iobound.Config{})
	urls := []string{s.URL(iobound.PathSmall), s.FaultURL(iobound.FaultSlow), s.URL(iobound.PathSmall), s.URL(iobound.PathBig)}

	t.Run("a deadline stops the run and fails the rest with its error", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		report, err := Model{}.Download(ctx, urls)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Len(t, report.Results, len(urls))
		assert.NoError(t, report.Results[0].Err, "the URL before the slow one completed")
		for i, res := range report.Results[1:] {
			assert.ErrorIs(t, res.Err, context.DeadlineExceeded, "URL %d", i+1)
			assert.Equal(t, urls[i+1], res.URL)
		}
	})
	t.Run("a context cancelled before the run starts nothing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		accepted := s.Accepted()
		report, err := Model{}.Download(ctx, urls)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, len(urls), report.Failed())
		assert.Equal(t, accepted, s.Accepted(), "no connection was made")
	})
}

func TestSumSquares(t *testing.T) {
	tests := []struct {
		name       string
		numbers    []int
		wantFailed []int
	}{
		{"small numbers match the closed form", []int{0, 1, 2, 10, 1000}, nil},
		{"a number past 2^64's sum matches the closed form", []int{5_000_000}, nil},
		{"a negative number fails its own task only", []int{3, -1, 4}, []int{1}},
		{"an empty list is an empty report", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := Model{}.SumSquares(context.Background(), tt.numbers)
			require.NoError(t, err)
			require.Len(t, report.Results, len(tt.numbers))
			assert.Equal(t, len(tt.wantFailed), report.Failed())
			for _, i := range tt.wantFailed {
				assert.ErrorIs(t, report.Results[i].Err, cpubound.ErrNegative)
			}
			for i, res := range report.Results {
				assert.Equal(t, tt.numbers[i], res.N)
				assert.Equal(t, 0, res.Span.Worker)
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
		report, err := Model{}.SumSquares(ctx, cpubound.DefaultNumbers())
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, report.Results, 20)
		for _, res := range report.Results {
			assert.ErrorIs(t, res.Err, context.Canceled)
		}
	})
}

func TestName(t *testing.T) {
	assert.Equal(t, "sequential", Model{}.Name())
}

func TestNegativeSettings(t *testing.T) {
	for _, m := range []Model{{Timeout: -1}, {BodyCap: -1}} {
		t.Run(fmt.Sprintf("%+v", m), func(t *testing.T) {
			_, err := m.Download(context.Background(), []string{"http://127.0.0.1:1/"})
			assert.ErrorIs(t, err, iobound.ErrNegativeSetting)
			_, err = m.SumSquares(context.Background(), []int{1})
			assert.ErrorIs(t, err, iobound.ErrNegativeSetting)
		})
	}
}
