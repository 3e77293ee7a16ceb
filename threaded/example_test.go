package threaded_test

import (
	"context"
	"errors"
	"fmt"

	"conclab/iobound"
	"conclab/threaded"
)

// Download the embedded server's pages on the original's 5 workers, with one
// failing URL among them: the failure is a result, and the others complete.
func ExamplePool_Download() {
	srv, err := iobound.NewServer(iobound.Config{}) // no latency, for the example
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	urls := append(srv.URLs(10), srv.FaultURL(iobound.FaultStatus500))
	pool := threaded.Pool{Workers: threaded.DefaultWorkers}
	report, err := pool.Download(context.Background(), urls)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("requests:", len(report.Results))
	fmt.Println("failed:", report.Failed())
	fmt.Println("bytes:", report.Bytes())
	fmt.Println("last:", report.Results[20].Status)
	// Output:
	// requests: 21
	// failed: 1
	// bytes: 114000
	// last: 500
}

// The sums come back in input order, whichever worker computed them.
func ExamplePool_SumSquares() {
	pool := threaded.Pool{Workers: 2}
	report, err := pool.SumSquares(context.Background(), []int{10, 5_000_000, 5_000_001})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range report.Results {
		fmt.Println(res.N, res.Sum)
	}
	// Output:
	// 10 285
	// 5000000 41666654166667500000
	// 5000001 41666679166667500000
}

// A zero Pool has the original's five workers; a negative count is an
// error, as every model's negative setting is.
func ExamplePool_zeroWorkers() {
	fmt.Println(threaded.Pool{}.Concurrency("cpu", 100))
	_, err := threaded.Pool{Workers: -1}.SumSquares(context.Background(), []int{10})
	fmt.Println(errors.Is(err, iobound.ErrNegativeSetting))
	fmt.Println(err)
	// Output:
	// 5
	// true
	// threaded: Workers is -1: iobound: a setting is negative; zero means its default
}
