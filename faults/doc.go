// Package faults holds no code, only tests: the tests that run every
// concurrency model against everything that goes wrong on a network, and
// against more load than a process is allowed by default.
//
// Each model package tests its own mechanism. What no single package can
// show is that the four models agree on what a failure is: that a 500,
// a connection reset in the middle of a body, a response slower than the
// timeout, a body over the cap, a refused connection, a host name that does
// not resolve, or a response that is not HTTP at all fails that one URL with
// a clear error (one a caller can test with errors.Is where a sentinel exists),
// while every other URL of the list still succeeds with the right bytes, as
// the original's gather(..., return_exceptions=True) does. A close-delimited
// body, HTTP/1.0 style, is not a failure: every model must read it to the end.
//
// The matrix (TestFaults) also checks what a failure leaves behind, which is
// where concurrent code usually goes wrong: after every run no goroutine, no
// file descriptor and no child process may remain. The load test
// (TestTenThousandRequests) sends 10,000 requests at once through the models
// that can have that many in flight, under the process's descriptor limit;
// TestDescriptorLimitTooLow lowers that limit far below what the models want,
// and requires each of them to complete anyway (the event loop waits for one
// of its own connections to close) or to fail with an error that names the
// limit, RLIMIT_NOFILE, so that the reader knows what to raise.
//
// The servers are iobound's embedded server, run in a child process so that
// the descriptors and goroutines counted here belong to the models alone.
// Everything listens on and connects to 127.0.0.1. The unknown host name is
// one that cannot exist (a label over DNS's 63 bytes, under .invalid): Go's
// resolver refuses it without sending a query, so no case sends anything off
// this machine.
package faults
