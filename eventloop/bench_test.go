//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"conclab/cpubound"
	"conclab/iobound"
)

// The sub-benchmark names of BenchmarkIO and BenchmarkCPU match every model
// package's, so that benchstat -col /model compares them. workers is the
// number of requests in flight at once: MaxConns, or all of them.

func BenchmarkIO(b *testing.B) {
	s, err := iobound.NewServer(iobound.Config{Latency: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	urls := s.URLs(10) // 20 requests
	for _, maxConns := range []int{1, 5, 0} {
		m := Model{MaxConns: maxConns}
		b.Run(fmt.Sprintf("model=eventloop/workers=%d", m.Concurrency("io", len(urls))), func(b *testing.B) {
			for b.Loop() {
				report, err := m.Download(context.Background(), urls)
				if err != nil || report.Failed() > 0 {
					b.Fatalf("download: %v, %d failed", err, report.Failed())
				}
			}
		})
	}
}

func BenchmarkCPU(b *testing.B) {
	numbers := cpubound.DefaultNumbers()
	b.Run("model=eventloop/workers=1", func(b *testing.B) {
		for b.Loop() {
			report, err := Model{}.SumSquares(context.Background(), numbers)
			if err != nil || report.Failed() > 0 {
				b.Fatalf("sum of squares: %v, %d failed", err, report.Failed())
			}
		}
	})
}

// BenchmarkDefaultList is the suite's default I/O run, 160 requests to a
// server in a child process that waits 20 ms before each response. With
// 100 requests in flight at once (DefaultMaxConns) they go in two rounds
// and the bound is two latencies, 40 ms; median-ms says how close the loop
// comes.
func BenchmarkDefaultList(b *testing.B) { benchmarkDefaultList(b, false) }

// BenchmarkDefaultListTLS is BenchmarkDefaultList over https (compare io
// -tls): 100 handshakes on the loop's thread, then the same two rounds.
func BenchmarkDefaultListTLS(b *testing.B) { benchmarkDefaultList(b, true) }

func benchmarkDefaultList(b *testing.B, useTLS bool) {
	child, err := iobound.StartChild(context.Background(), iobound.Config{Latency: iobound.DefaultLatency, TLS: useTLS})
	if err != nil {
		b.Fatal(err)
	}
	defer child.Close()
	urls := child.URLs(iobound.DefaultRepeat)
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		report, err := Model{RootCAs: child.RootCAs()}.Download(context.Background(), urls)
		times = append(times, time.Since(start))
		if err != nil || report.Failed() > 0 {
			b.Fatalf("download: %v, %d failed", err, report.Failed())
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
}

// BenchmarkManyRequests compares the loop with the usual Go way, one
// goroutine per request on net/http, at 10,000 requests in flight at once
// (the loop with no cap, MaxConns math.MaxInt, as the goroutines have none)
// to a server in a child process (20 ms latency). Run one client per
// process to read its peak-rss-MB, which is the process's high-water mark:
//
//	go test -run '^$' -bench 'ManyRequests/client=eventloop' -benchtime 3x
//	go test -run '^$' -bench 'ManyRequests/client=goroutines' -benchtime 3x
func BenchmarkManyRequests(b *testing.B) {
	raiseDescriptorLimit(b)
	child, err := iobound.StartChild(context.Background(), iobound.Config{Latency: iobound.DefaultLatency})
	if err != nil {
		b.Fatal(err)
	}
	defer child.Close()
	urls := child.URLs(5000)

	clients := []struct {
		name     string
		download func([]string) (failed int, err error)
	}{
		{"eventloop", func(urls []string) (int, error) {
			report, err := Model{MaxConns: math.MaxInt}.Download(context.Background(), urls)
			return report.Failed(), err
		}},
		{"goroutines", func(urls []string) (int, error) {
			transport := &http.Transport{MaxIdleConnsPerHost: len(urls)}
			defer transport.CloseIdleConnections()
			client := &http.Client{Transport: transport}
			results := make([]iobound.Result, len(urls))
			var wg sync.WaitGroup
			for i, u := range urls {
				wg.Go(func() {
					results[i] = iobound.Fetch(context.Background(), client, u, 0, 0)
				})
			}
			wg.Wait()
			return iobound.Report{Results: results}.Failed(), nil
		}},
	}
	for _, c := range clients {
		b.Run("client="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			stop, peak := sampleGoroutines()
			for b.Loop() {
				failed, err := c.download(urls)
				if err != nil || failed > 0 {
					b.Fatalf("download: %v, %d of %d failed", err, failed, len(urls))
				}
			}
			b.ReportMetric(float64(peak(stop)), "peak-goroutines")
			b.ReportMetric(peakRSSMB(), "peak-rss-MB")
		})
	}
}

// raiseDescriptorLimit lifts the soft limit on open descriptors to the hard
// one: 10,000 connections need 10,000 descriptors. (Go does this itself at
// start-up since 1.19; this says so where it matters.)
func raiseDescriptorLimit(b *testing.B) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		b.Fatal(err)
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			b.Fatal(err)
		}
	}
}

// sampleGoroutines counts goroutines until stop is closed; peak returns the
// highest count, the sampler itself included.
func sampleGoroutines() (stop chan struct{}, peak func(chan struct{}) int) {
	stop = make(chan struct{})
	result := make(chan int)
	go func() {
		high := 0
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			high = max(high, runtime.NumGoroutine())
			select {
			case <-stop:
				result <- high
				return
			case <-tick.C:
			}
		}
	}()
	return stop, func(stop chan struct{}) int {
		close(stop)
		return <-result
	}
}

// peakRSSMB is this process's resident-set high-water mark.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20) // bytes there
	}
	return float64(ru.Maxrss) / (1 << 10) // kilobytes
}

// BenchmarkManyRequestsTLS is BenchmarkManyRequests over https, at 2,000
// requests in flight at once: 2,000 handshakes, each on a coroutine of the
// loop or on a goroutine of net/http, against the embedded server in a
// child process (20 ms latency). Both trust its certificate, and only it.
//
//	go test -run '^$' -bench 'ManyRequestsTLS' -benchtime 3x
func BenchmarkManyRequestsTLS(b *testing.B) {
	raiseDescriptorLimit(b)
	child, err := iobound.StartChild(context.Background(), iobound.Config{Latency: iobound.DefaultLatency, TLS: true})
	if err != nil {
		b.Fatal(err)
	}
	defer child.Close()
	urls := child.URLs(1000)
	roots := child.RootCAs()

	clients := []struct {
		name     string
		download func([]string) (failed, coroutines int, err error)
	}{
		{"eventloop", func(urls []string) (int, int, error) {
			report, err := Model{MaxConns: math.MaxInt, RootCAs: roots}.Download(context.Background(), urls)
			return report.Failed(), report.Coroutines, err
		}},
		{"goroutines", func(urls []string) (int, int, error) {
			client := iobound.NewClient(roots, len(urls))
			defer client.CloseIdleConnections()
			results := make([]iobound.Result, len(urls))
			var wg sync.WaitGroup
			for i, u := range urls {
				wg.Go(func() {
					results[i] = iobound.Fetch(context.Background(), client, u, 0, 0)
				})
			}
			wg.Wait()
			return iobound.Report{Results: results}.Failed(), 0, nil
		}},
	}
	for _, c := range clients {
		b.Run("client="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			stop, peak := sampleGoroutines()
			var times []time.Duration
			coroutines := 0
			for b.Loop() {
				start := time.Now()
				failed, co, err := c.download(urls)
				times = append(times, time.Since(start))
				coroutines = max(coroutines, co)
				if err != nil || failed > 0 {
					b.Fatalf("download: %v, %d of %d failed", err, failed, len(urls))
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
			b.ReportMetric(float64(peak(stop)), "peak-goroutines")
			b.ReportMetric(float64(coroutines), "coroutines")
		})
	}
}
