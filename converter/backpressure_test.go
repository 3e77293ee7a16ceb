package converter

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRateServiceRefusesCallsBeyondItsCapacity makes 6 goroutines convert
// at once through a cache that asks a service of capacity 2 for every
// computation, with no semaphore. The service holds each admitted call
// until the other 4 have been refused, so the overlap is certain and the
// counts exact: 2 served, 4 overloaded.
func TestRateServiceRefusesCallsBeyondItsCapacity(t *testing.T) {
	const goroutines, capacity = 6, 2
	ctx := testCtx(t)
	refused := newBarrier(goroutines - capacity)
	svc := &RateService{Capacity: capacity, hold: func(context.Context) {
		assert.True(t, refused.wait(ctx), "the calls beyond the capacity were not refused")
	}}
	c := newCache(t, "none", DefaultRules(), Options{Service: svc})
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			_, errs[i] = c.Convert(ctx, 1_000)
			if errs[i] != nil {
				refused.arrive()
			}
		})
	}
	wg.Wait()
	var served, overloaded int
	for _, err := range errs {
		switch {
		case err == nil:
			served++
		case assert.ErrorIs(t, err, ErrOverloaded):
			overloaded++
			assert.EqualError(t, err,
				"converter: 1,000 points: rate service overloaded: 2 calls in flight, capacity 2")
		}
	}
	assert.Equal(t, capacity, served)
	assert.Equal(t, goroutines-capacity, overloaded)
	assert.Equal(t, ServiceStats{Calls: goroutines, Served: capacity, Overloaded: goroutines - capacity, MaxInFlight: capacity},
		svc.Stats())
	assert.Zero(t, c.Stats().Entries, "an overload is an error, and errors are not cached")
}

// TestASemaphoreKeepsCallersWithinTheCapacity runs 8 goroutines, 4 times
// the service's capacity, each making 25 conversions, every one of which
// asks the service. Each admitted call yields the processor many times
// while it is in the service, so that the other goroutines try to call
// meanwhile. With a semaphore of 2 places none is refused and the service
// never holds more than 2.
func TestASemaphoreKeepsCallersWithinTheCapacity(t *testing.T) {
	const goroutines, capacity, calls = 8, 2, 25
	ctx := testCtx(t)
	svc := &RateService{Capacity: capacity, hold: func(context.Context) {
		for range 50 {
			runtime.Gosched()
		}
	}}
	c := newCache(t, "none", DefaultRules(), Options{Service: svc, ServiceLimit: capacity})
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range calls {
				r, err := c.Convert(ctx, 5_000)
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, int64(3_500), r.Converted)
			}
		})
	}
	wg.Wait()
	st := svc.Stats()
	assert.Zero(t, st.Overloaded, "no call was refused")
	assert.Equal(t, int64(goroutines*calls), st.Served)
	assert.LessOrEqual(t, st.MaxInFlight, int64(capacity), "the service never held more than its capacity")
}

// TestAWaitForAPlaceEndsWithTheCallersContext holds the one place of the
// semaphore while a second conversion waits for it with a short deadline:
// the wait ends with the deadline, and the second call never reaches the
// service.
func TestAWaitForAPlaceEndsWithTheCallersContext(t *testing.T) {
	ctx := testCtx(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	svc := &RateService{Capacity: 1, hold: func(context.Context) {
		close(entered)
		select {
		case <-release:
		case <-ctx.Done():
		}
	}}
	c := newCache(t, "none", DefaultRules(), Options{Service: svc, ServiceLimit: 1})
	first := make(chan error, 1)
	go func() {
		_, err := c.Convert(ctx, 1_000)
		first <- err
	}()
	<-entered
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err := c.Convert(short, 2_000)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrOverloaded)
	assert.EqualError(t, err,
		"converter: 2,000 points: waiting for one of 1 places at the rate service: context deadline exceeded")
	close(release)
	require.NoError(t, <-first)
	assert.Equal(t, ServiceStats{Calls: 1, Served: 1, MaxInFlight: 1}, svc.Stats())
}

func TestAZeroRateServiceAnswersEveryCall(t *testing.T) {
	var svc RateService
	for range 3 {
		require.NoError(t, svc.Call(t.Context()))
	}
	assert.Equal(t, ServiceStats{Calls: 3, Served: 3, MaxInFlight: 1}, svc.Stats())
}

func TestNewRefusesAServiceLimitWithoutAService(t *testing.T) {
	for _, opts := range []Options{{ServiceLimit: 2}, {Service: &RateService{}, ServiceLimit: -1}} {
		_, err := New("none", DefaultRules(), opts)
		assert.ErrorContains(t, err, "needs a Service and a positive limit")
	}
}

// TestRunBackpressureCountsEveryCall checks the table's invariants, which
// hold however the goroutines are scheduled: every conversion is served or
// times out; with the semaphore the service refuses nothing and never
// holds more than its capacity. (That calls are refused without it is
// shown exactly by TestRateServiceRefusesCallsBeyondItsCapacity.)
func TestRunBackpressureCountsEveryCall(t *testing.T) {
	const latency = 100 * time.Microsecond
	rows, err := RunBackpressure(t.Context(), BackpressureConfig{
		Capacities: []int{1, 3}, Goroutines: 6, Calls: 60, Latency: latency, Timeout: time.Minute,
	})
	require.NoError(t, err)
	require.Len(t, rows, 4)
	for i, row := range rows {
		t.Run(fmt.Sprintf("capacity %d semaphore %v counts every call", row.Capacity, row.Semaphore), func(t *testing.T) {
			assert.Equal(t, []int{1, 3}[i/2], row.Capacity, "capacities in order")
			assert.Equal(t, i%2 == 1, row.Semaphore, "without, then with")
			assert.Equal(t, 6, row.Goroutines)
			assert.Equal(t, int64(60), row.Calls)
			assert.Equal(t, row.Calls, row.Served+row.TimedOut)
			assert.Zero(t, row.TimedOut, "a minute is ample for 60 conversions")
			assert.LessOrEqual(t, row.MaxInFlight, int64(row.Capacity))
			assert.Positive(t, row.Seconds)
			assert.Positive(t, row.ServedPerSecond)
			assert.GreaterOrEqual(t, row.MeanServedSeconds, latency.Seconds(), "a served call takes at least the latency")
			assert.GreaterOrEqual(t, row.MaxServedSeconds, row.MeanServedSeconds)
			if row.Semaphore {
				assert.Zero(t, row.Overloaded, "the semaphore keeps callers within the capacity")
			}
		})
	}
}

func TestRunBackpressureRefusesBadConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  BackpressureConfig
		msg  string
	}{
		{"a capacity of 0 is refused", BackpressureConfig{Capacities: []int{2, 0}}, "capacity 0"},
		{"negative goroutines are refused", BackpressureConfig{Goroutines: -1}, "-1 goroutines"},
		{"negative calls are refused", BackpressureConfig{Calls: -1}, "-1 calls"},
		{"a negative timeout is refused", BackpressureConfig{Timeout: -time.Second}, "or timeout -1s"},
		{"invalid rules are refused", BackpressureConfig{Rules: &Rules{}}, "invalid rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RunBackpressure(t.Context(), tt.cfg)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestRunBackpressureStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := RunBackpressure(ctx, BackpressureConfig{Latency: time.Hour})
	assert.ErrorIs(t, err, context.Canceled)
}

// BenchmarkBackpressure runs rows of the backpressure table, b.N
// conversions each, from 16 goroutines against a service of capacity K
// that takes 1 ms a call; a refused conversion is tried again 1 ms later.
// Read served/s (goodput), overloaded/op (requests refused per conversion)
// and ms/served: without the semaphore the service refuses many requests
// for each one it serves and some callers wait far longer than others;
// with it nothing is refused and the queue is first come, first served.
//
//	go test -run '^$' -bench Backpressure -benchtime 500x ./converter
func BenchmarkBackpressure(b *testing.B) {
	for _, k := range []int{1, 4} {
		for _, bounded := range []bool{false, true} {
			b.Run(fmt.Sprintf("capacity=%d/semaphore=%v", k, bounded), func(b *testing.B) {
				cfg, err := BackpressureConfig{Goroutines: 16, Calls: b.N}.withDefaults()
				if err != nil {
					b.Fatal(err)
				}
				row, err := runBackpressureRow(b.Context(), cfg, &RateService{Capacity: k, Latency: cfg.Latency}, bounded)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(row.ServedPerSecond, "served/s")
				b.ReportMetric(float64(row.Overloaded)/float64(b.N), "overloaded/op")
				b.ReportMetric(row.MeanServedSeconds*1e3, "ms/served")
				b.ReportMetric(row.MaxServedSeconds*1e3, "max-ms/served")
			})
		}
	}
}

func TestBackpressureSummary(t *testing.T) {
	rows := []BackpressureResult{
		{Capacity: 2, Goroutines: 16, Served: 500, Overloaded: 3441, MaxServedSeconds: 0.423},
		{Capacity: 2, Semaphore: true, Goroutines: 16, Served: 500, MaxServedSeconds: 0.0117},
		{Capacity: 8, Goroutines: 16, Served: 0, Overloaded: 10, MaxServedSeconds: 0},
	}
	assert.Equal(t, []string{
		"K=2: without the semaphore 6.9 refusals per conversion served ((G-K)/K = 7.0), the longest 423ms; with it 0.0, the longest 11.7ms.",
	}, BackpressureSummary(rows), "a capacity without both rows says nothing")
}
