// Package conformance holds no code, only tests: the tests that hold the
// four models to the same HTTP as net/http, against real servers.
//
// A benchmark compares like with like only if every model does the same
// work. The models built on net/http (sequential, threaded, multiproc) get
// redirects, gzip, credentials in the URL and connection reuse from it for
// free; the event loop has its own client, written from the system calls
// up, which must do the same or say, per URL, why not. A model whose client
// silently skips a redirect, or counts a compressed body at its compressed
// size, finishes sooner and teaches the wrong lesson. So these tests run
// every model, and a plain http.Get, over the same list of URLs and require
// the same outcome for each: the same status, and the same body bytes once
// decoded, or the same kind of failure.
//
// The servers are the ones a new user would point the models at, started
// for the test by internal/testserver from the system's packages, each on a
// free port of 127.0.0.1:
//
//   - nginx, with gzip on, redirects of every status (301, 302, 303, 307,
//     308) and a chain of three, a page behind basic authentication, a
//     chunked location and one that sends gzip whether asked or not. Its
//     access log also shows what went over the wire: each model must send
//     the requests net/http sends (the same paths, the same credentials) and
//     ask for gzip as net/http does.
//   - Python's http.server, which speaks HTTP/1.0, closes every connection
//     and keeps a listen backlog of five.
//   - iobound's embedded server, the suite's own stand-in.
//   - nginx and the embedded server again over TLS: nginx's ssl listener
//     with a certificate openssl makes for the test, the embedded server's
//     own (iobound.NewCert). net/http and every model trust that
//     certificate and nothing else, never skipping verification: the same
//     list, the same outcomes, the same requests in nginx's log. Beside
//     them, handshakes that fail each way they can (a certificate no root
//     signed, one for another name, plain HTTP on the port, a stall past
//     the timeout) must each fail their own URL, with the same sentinel on
//     every model, and leave the rest of the list whole.
//
// Load is part of conformance too. nginx holds 512 connections by default
// (worker_connections, its listening socket included) and Python's server
// queues five: a client that opens a connection per request, all at once,
// finds the server full where a pool of a few connections does not. Each
// model, as a user gets it by default, must complete 600 requests against
// nginx and 200 against http.server with no failure.
//
// A server that is not installed skips its tests with a message that says
// what to install, except where the environment variable CI is "true":
// there it fails them, so that CI cannot pass by skipping. .ci/run installs
// nginx-light, python3 and openssl from Debian's packages and sets CI=true.
//
// Nothing is sent off this machine: every server listens on 127.0.0.1.
package conformance
