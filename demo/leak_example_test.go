package demo_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"conclab/demo"
	"conclab/iobound"
)

// The leaky pipeline leaves every one of its goroutines behind: the
// generator, the fetchers, the parsers and the two goroutines that close
// the fan-in channels. The one with a context and errgroup leaves none.
func ExampleLeak() {
	rep, err := demo.Leak(context.Background(), demo.LeakConfig{Fetchers: 4, Parsers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("both stopped at the 500:", errors.Is(rep.Leaky.Err, iobound.ErrStatus), errors.Is(rep.Fixed.Err, iobound.ErrStatus))
	fmt.Println("leaky pipeline left:", rep.Leaky.Leaked, "released:", rep.Leaky.Released)
	fmt.Println("fixed pipeline left:", rep.Fixed.Leaked)
	// Output:
	// both stopped at the 500: true true
	// leaky pipeline left: 9 released: 9
	// fixed pipeline left: 0
}

// Write explains a Leak report; here one with fixed figures.
func ExampleLeakReport_Write() {
	status := fmt.Errorf("GET http://127.0.0.1:40000/dice?fault=status500: %w: 500 Internal Server Error", iobound.ErrStatus)
	rep := demo.LeakReport{
		Config: demo.LeakConfig{Fetchers: 4, Parsers: 2},
		URLs:   41,
		Leaky: demo.PipelineRun{Err: status, Paragraphs: 307, Leaked: 9, Released: 9, Blocked: []demo.Blocked{
			{Func: "demo.leakyFetch", State: "select", Count: 4},
			{Func: "demo.leakyCloseAfter[...]", State: "sync.WaitGroup.Wait", Count: 2},
			{Func: "demo.leakyParse", State: "select", Count: 2},
			{Func: "demo.leakyGenerate", State: "select", Count: 1},
		}},
		Fixed: demo.PipelineRun{Err: status, Paragraphs: 9},
	}
	_ = rep.Write(os.Stdout)
	// Output:
	// The downloader as a pipeline over 41 URLs: generate -> fetch (4 goroutines)
	// -> parse (2) -> sum. URL 3 fails with a 500; the sum stops at the first error.
	//
	// 1. Channels alone; the consumer returns at the first error:
	//    stopped after 307 paragraphs with: GET http://127.0.0.1:40000/dice?fault=status500: iobound: non-2xx status: 500 Internal Server Error
	//    goroutines left behind: 9
	//        4  demo.leakyFetch              [select]
	//        2  demo.leakyCloseAfter[...]    [sync.WaitGroup.Wait]
	//        2  demo.leakyParse              [select]
	//        1  demo.leakyGenerate           [select]
	//    Nobody told the stages upstream that the consumer had gone: each is blocked
	//    on a send (or waits for those that are) that no one will ever receive. A
	//    blocked goroutine is never collected: its stack, and the pages and
	//    connections it holds, stay until the process exits. A server that runs this
	//    per request leaks that many goroutines per failed request.
	//    (The demonstration then closed a channel that only it knows about, and the
	//    9 goroutines returned, so that this process ends clean.)
	//
	// 2. context and errgroup.WithContext, the fetches limited by SetLimit(4):
	//    stopped after 9 paragraphs with: GET http://127.0.0.1:40000/dice?fault=status500: iobound: non-2xx status: 500 Internal Server Error
	//    goroutines left behind: 0
	//    The failing fetch returned its error to the group, which cancelled the
	//    context; every request and every send watches it, so each stage returned, and
	//    Wait returned only after all of them had. Nothing to release.
}
