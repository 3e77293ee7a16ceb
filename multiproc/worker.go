package multiproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"conclab/cpubound"
	"conclab/internal/child"
	"conclab/iobound"
)

// workerRole is the child role of a worker process.
const workerRole = "multiproc-worker"

func init() { child.Register(workerRole, runWorker) }

// Test hooks. Nothing but this package's tests sets them.
const (
	// envCrashOn set to a number makes a worker exit with exitCrash when it
	// is given the sum task of that number, as a worker that crashes in the
	// middle of a task would.
	envCrashOn = "CONCLAB_MULTIPROC_TEST_CRASH_ON"
	// envHoldOn set to "N URL" makes a worker given the sum task of N GET
	// URL?pid=PID first, and compute the sum only once the response has
	// come: the test's server holds the request, and with it the worker in
	// the middle of its task, for as long as the test wants.
	envHoldOn = "CONCLAB_MULTIPROC_TEST_HOLD_ON"
)

// A worker's exit statuses.
const (
	exitOK       = 0 // stdin closed: the parent is done with it
	exitProtocol = 2 // the conversation broke
	exitCrash    = 3 // the crash hook fired
)

// runWorker is a worker process's body, run by child.RunIfChild, which
// main and TestMain of every test package that uses a Pool call first
// thing: a worker is this same binary started again, and it must not do
// what main does. It returns the exit status.
func runWorker() int {
	// stdout carries the protocol. Point os.Stdout at stderr so that a stray
	// print in the worker becomes a log line instead of a corrupt message.
	proto := os.Stdout
	os.Stdout = os.Stderr
	// Ctrl-C in a terminal interrupts the whole foreground process group,
	// workers included. Stopping a run is the parent's decision (it cancels,
	// which kills the workers), so a worker ignores the interrupt and does
	// not die under a task as Python's pool workers do.
	signal.Ignore(os.Interrupt)
	return serve(child.Quiet(os.Stdin), child.Quiet(proto), os.Stderr, testHook())
}

// testHook returns what the test hooks make of a task, nil when neither is
// set: it holds the task if envHoldOn says so, and reports whether the
// worker must crash on it.
func testHook() func(task message) (crash bool) {
	crashOn, errCrash := strconv.Atoi(os.Getenv(envCrashOn))
	var holdOn int
	var holdURL string
	_, errHold := fmt.Sscan(os.Getenv(envHoldOn), &holdOn, &holdURL)
	if errCrash != nil && errHold != nil {
		return nil
	}
	return func(task message) bool {
		if task.Kind != kindSum {
			return false
		}
		if errHold == nil && task.N == holdOn {
			if resp, err := http.Get(fmt.Sprintf("%s?pid=%d", holdURL, os.Getpid())); err == nil {
				_ = resp.Body.Close()
			}
		}
		return errCrash == nil && task.N == crashOn
	}
}

// serve is the worker loop: the handshake, then one task at a time until the
// parent closes the pipe. It returns the process's exit status. It talks
// only through r and w and logs only to logw, so tests run it in-process.
func serve(r io.Reader, w io.Writer, logw io.Writer, hook func(task message) (crash bool)) int {
	dec, enc := newDecoder(r), newEncoder(w)
	refuse := func(err error) int {
		fmt.Fprintf(logw, "%v\n", err)
		var m message
		m.Type = msgError
		m.setError(err)
		_ = enc.write(m) // the parent may be gone; the exit status says it too
		return exitProtocol
	}

	hello, err := dec.read()
	switch {
	case errors.Is(err, io.EOF):
		return exitOK
	case err != nil:
		return refuse(err)
	case hello.Type != msgHello:
		return refuse(fmt.Errorf("%w: expected hello, got %s", ErrProtocol, hello.Type))
	case hello.Version != protocolVersion:
		return refuse(fmt.Errorf("%w: protocol version mismatch: parent speaks v%d, worker speaks v%d",
			ErrProtocol, hello.Version, protocolVersion))
	}

	roots, err := iobound.CertPool([]byte(hello.RootCAs))
	if err != nil {
		return refuse(fmt.Errorf("%w: hello: %w", ErrProtocol, err))
	}
	// The original's pool initializer: one client per process, built once
	// and reused (keep-alive) for every task this worker runs.
	client := iobound.NewClient(roots, 0)
	defer client.CloseIdleConnections()
	bodyCap, timeout := hello.BodyCap, time.Duration(hello.TimeoutNS)

	if err := enc.write(message{Type: msgReady, Version: protocolVersion, PID: os.Getpid()}); err != nil {
		fmt.Fprintf(logw, "%v\n", err)
		return exitProtocol
	}
	for {
		task, err := dec.read()
		switch {
		case errors.Is(err, io.EOF):
			return exitOK
		case err != nil:
			return refuse(err)
		case task.Type != msgTask:
			return refuse(fmt.Errorf("%w: expected task, got %s", ErrProtocol, task.Type))
		}
		if hook != nil && hook(task) {
			fmt.Fprintf(logw, "crashing on task %d on purpose (test hook)\n", task.ID)
			return exitCrash
		}
		if err := enc.write(run(client, bodyCap, timeout, task)); err != nil {
			fmt.Fprintf(logw, "%v\n", err)
			return exitProtocol
		}
	}
}

// run does one task and returns its result message.
func run(client *http.Client, bodyCap int64, timeout time.Duration, task message) message {
	res := message{Type: msgResult, ID: task.ID}
	start := time.Now()
	switch task.Kind {
	case kindFetch:
		// No context from the parent reaches a worker: the parent cancels
		// a run by killing its workers, and Fetch bounds each request.
		r := iobound.Fetch(context.Background(), client, task.URL, bodyCap, timeout)
		res.Status, res.Bytes = r.Status, r.Bytes
		res.setError(r.Err)
	case kindSum:
		sum, err := cpubound.SumOfSquares(task.N)
		res.SumHi, res.SumLo = sum.Hi, sum.Lo
		res.setError(err)
	}
	res.StartNS, res.EndNS = start.UnixNano(), time.Now().UnixNano()
	return res
}
