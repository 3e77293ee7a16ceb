//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package eventloop_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"conclab/eventloop"
)

// A loop runs callbacks one at a time on the goroutine that calls Run:
// those ready now in order, timers in deadline order, and what a callback
// schedules only in a later iteration.
func ExampleLoop() {
	loop, err := eventloop.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer loop.Close()
	loop.CallLater(2*time.Millisecond, func() { fmt.Println("timer, 2 ms") })
	loop.CallLater(time.Millisecond, func() { fmt.Println("timer, 1 ms") })
	loop.CallSoon(func() {
		fmt.Println("first")
		loop.CallSoon(func() { fmt.Println("scheduled by first: next iteration") })
	})
	loop.CallSoon(func() { fmt.Println("second") })
	if err := loop.Run(context.Background()); err != nil { // returns when nothing is left
		fmt.Println(err)
	}
	// Output:
	// first
	// second
	// scheduled by first: next iteration
	// timer, 1 ms
	// timer, 2 ms
}

func ExampleModel_SumSquares() {
	report, err := eventloop.Model{}.SumSquares(context.Background(), []int{5_000_000, 5_000_001})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range report.Results {
		fmt.Println(res.N, res.Sum)
	}
	// Output:
	// 5000000 41666654166667500000
	// 5000001 41666679166667500000
}

// Nothing preempts a callback: a timer due at once waits for a sum that
// never yields, and runs between the chunks of one that does.
func ExampleStarve() {
	report, err := eventloop.Starve(context.Background(), 3_000_000, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("blocking: timer ran before the task ended:", report.Blocking.TimerFirst)
	fmt.Println("blocking: timer late by at least the task:", report.Blocking.Late >= report.Blocking.Task)
	fmt.Println("yielding: timer ran before the task ended:", report.Yielding.TimerFirst)
	// Output:
	// blocking: timer ran before the task ended: false
	// blocking: timer late by at least the task: true
	// yielding: timer ran before the task ended: true
}

// The client does the same HTTP as net/http's: here it follows a redirect,
// asks for gzip, and counts the page decoded, as a model built on net/http
// would.
func ExampleModel_Download_sameHTTP() {
	page := strings.Repeat("conclab ", 375) // 3,000 bytes
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("the request asks for", r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, page)
		zw.Close()
	})
	server := httptest.NewServer(mux)
	defer server.Close()

	report, err := eventloop.Model{}.Download(context.Background(), []string{server.URL + "/old"})
	if err != nil {
		fmt.Println(err)
		return
	}
	res := report.Results[0]
	fmt.Println(res.Status, res.Bytes, res.Err)
	// Output:
	// the request asks for gzip
	// 200 3000 <nil>
}
