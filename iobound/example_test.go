package iobound_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"conclab/iobound"
)

// A server stands in for the two sites; Fetch GETs one URL with a cap and a
// timeout, and a failure comes back as a result.
func Example() {
	srv, err := iobound.NewServer(iobound.Config{}) // no latency, for the example
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	ctx := context.Background()
	var report iobound.Report
	for _, url := range append(srv.URLs(2), srv.FaultURL(iobound.FaultStatus500)) {
		res := iobound.Fetch(ctx, client, url, iobound.DefaultBodyCap, iobound.DefaultTimeout)
		report.Results = append(report.Results, res)
	}
	fmt.Println("requests:", len(report.Results))
	fmt.Println("bytes:", report.Bytes()) // two pages of each; the 500's body is not counted
	fmt.Println("failed:", report.Failed())
	last := report.Results[len(report.Results)-1]
	fmt.Println("the last is a bad status:", errors.Is(last.Err, iobound.ErrStatus), last.Status)
	// Output:
	// requests: 5
	// bytes: 22800
	// failed: 1
	// the last is a bad status: true 500
}
