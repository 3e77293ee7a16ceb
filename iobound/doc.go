// Package iobound is the I/O-bound workload: GET a list of URLs and count the
// bytes of each body, as the original comparison does with two websites,
// https://www.jython.org and http://olympus.realpython.org/dice, 80 times
// each.
//
// Real sites make a poor benchmark: their latency changes from one run to the
// next, and a class of students hammering them is rude. So the package also
// holds a loopback server that stands in for them. It listens on 127.0.0.1
// only and serves two pages, PathBig (about 11 KB, sent chunked, like the
// Jython home page) and PathSmall (a few hundred bytes with Content-Length,
// like the dice page), each after a fixed latency. Because every response
// costs exactly that latency, each model's lower bound is known:
// ceil(requests / concurrency) × latency. A model that reaches it is waiting
// on the network and on nothing else.
//
// Where the server runs matters for what is measured. NewServer runs it in
// this process, which suits tests; StartChild runs the same server in a
// child process (this binary, re-executed; child.RunIfChild is the hook), so
// that the goroutines, threads, CPU time and memory a harness reports belong
// to the model alone, as they would against real sites.
//
// With Config.TLS the server serves the same pages over https, with a
// self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost that it
// makes at start (NewCert); its key never leaves memory, and a child sends
// its parent the certificate alone. A model trusts exactly that certificate
// for that run, through its RootCAs (RootCAs of the server, or CertPEM for a
// worker process), and never skips verification; real https URLs are
// verified against the system's roots. The server and NewClient speak
// HTTP/1.1 only, as the original's clients do, so that TLS adds the same
// handshake and record layer to every model and nothing else. A failed
// handshake (a certificate that is not trusted or names another host, plain
// HTTP on the port) wraps ErrTLS; one that stalls past the request's
// timeout, ErrTimeout.
//
// The server can also misbehave on request (see Fault): a 500, a connection
// reset in the middle of a body, a response slower than any timeout, a body
// that ends only when the connection closes, one larger than a client's cap,
// a garbled status line or chunk. Real sites do all of these sooner or
// later; a model must turn each into one failed Result and carry on with the
// other URLs, as the original's gather(..., return_exceptions=True) does.
//
// Fetch is the one request of the models built on net/http: a GET with a
// body cap and a per-request timeout, so that those models differ only in
// how they schedule requests. Its failures wrap ErrBodyTooLarge, ErrStatus
// and ErrTimeout, which callers test with errors.Is.
package iobound
