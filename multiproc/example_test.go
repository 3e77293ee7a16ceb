package multiproc_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"conclab/iobound"
	"conclab/multiproc"
)

// Sum squares on two worker processes. Every task ran in a worker, not in
// this process, and the sums come back exact and in input order.
func ExamplePool_SumSquares() {
	pool := multiproc.Pool{Procs: 2}
	report, err := pool.SumSquares(context.Background(), []int{10, 5_000_000, -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range report.Results {
		fmt.Println(res.N, res.Sum, res.Err, res.Span.PID != os.Getpid())
	}
	// Output:
	// 10 285 <nil> true
	// 5000000 41666654166667500000 <nil> true
	// -1 0 sum of squares of -1: cpubound: n is negative true
}

// Download the embedded server's pages on two worker processes, with one
// failing URL among them: its error keeps its meaning across the pipe.
func ExamplePool_Download() {
	srv, err := iobound.NewServer(iobound.Config{}) // no latency, for the example
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	urls := append(srv.URLs(3), srv.FaultURL(iobound.FaultStatus500))
	report, err := multiproc.Pool{Procs: 2}.Download(context.Background(), urls)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("requests:", len(report.Results))
	fmt.Println("failed:", report.Failed())
	fmt.Println("bytes:", report.Bytes())
	fmt.Println("last is ErrStatus:", errors.Is(report.Results[6].Err, iobound.ErrStatus))
	// Output:
	// requests: 7
	// failed: 1
	// bytes: 34200
	// last is ErrStatus: true
}

// A pool starts no more workers than tasks; a zero Procs is one worker per
// CPU, and a negative one is an error, as every model's negative setting is.
func ExamplePool_Concurrency() {
	fmt.Println(multiproc.Pool{Procs: 4}.Concurrency("cpu", 3))
	fmt.Println(multiproc.Pool{}.Concurrency("cpu", 1000) == multiproc.DefaultProcs())
	_, err := multiproc.Pool{Procs: -1}.SumSquares(context.Background(), []int{1})
	fmt.Println(errors.Is(err, iobound.ErrNegativeSetting))
	// Output:
	// 3
	// true
	// true
}

// Start a pool once and give it several calls: a long-lived program pays
// the workers' start-up once, in Start, and not in every call.
func ExamplePool_Start() {
	running, err := multiproc.Pool{Procs: 2}.Start(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer running.Close()
	for _, numbers := range [][]int{{1, 2, 3}, {10, 100}} {
		report, err := running.SumSquares(context.Background(), numbers)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, res := range report.Results {
			fmt.Print(res.Sum, " ")
		}
		fmt.Println("start-up in the call:", report.Startup)
	}
	// Output:
	// 0 1 5 start-up in the call: 0s
	// 285 328350 start-up in the call: 0s
}
