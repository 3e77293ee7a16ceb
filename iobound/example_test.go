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

// With Config.TLS the server serves the same pages over https, with a
// certificate made at start; a client trusts that certificate, and only it,
// through its roots.
func ExampleNewServer_tls() {
	srv, err := iobound.NewServer(iobound.Config{TLS: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	client := iobound.NewClient(srv.RootCAs(), 0)
	defer client.CloseIdleConnections()
	res := iobound.Fetch(context.Background(), client, srv.URL(iobound.PathSmall), 0, 0)
	fmt.Println(res.Err, res.Bytes)

	untrusting := iobound.NewClient(nil, 0) // the system's roots
	defer untrusting.CloseIdleConnections()
	res = iobound.Fetch(context.Background(), untrusting, srv.URL(iobound.PathSmall), 0, 0)
	fmt.Println(errors.Is(res.Err, iobound.ErrTLS))
	// Output:
	// <nil> 400
	// true
}

// NewCert makes a self-signed certificate; CertPool turns its PEM into the
// roots of a client that trusts it.
func ExampleNewCert() {
	_, certPEM, err := iobound.NewCert("127.0.0.1", "localhost")
	if err != nil {
		fmt.Println(err)
		return
	}
	pool, err := iobound.CertPool(certPEM)
	fmt.Println(pool != nil, err)
	// Output: true <nil>
}
