package sequential_test

import (
	"context"
	"fmt"

	"conclab/iobound"
	"conclab/sequential"
)

// Download the embedded server's pages, one after another, with one failing
// URL among them: the failure is a result, and the others complete.
func ExampleModel_Download() {
	srv, err := iobound.NewServer(iobound.Config{}) // no latency, for the example
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	urls := append(srv.URLs(3), srv.FaultURL(iobound.FaultStatus500))
	report, err := sequential.Model{}.Download(context.Background(), urls)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("requests:", len(report.Results))
	fmt.Println("failed:", report.Failed())
	fmt.Println("bytes:", report.Bytes())
	fmt.Println("last:", report.Results[6].Status)
	// Output:
	// requests: 7
	// failed: 1
	// bytes: 34200
	// last: 500
}

func ExampleModel_SumSquares() {
	report, err := sequential.Model{}.SumSquares(context.Background(), []int{10, 5_000_000})
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
}
