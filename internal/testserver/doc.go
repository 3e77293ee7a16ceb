// Package testserver starts real servers for tests: nginx and Python's
// http.server, from the system's packages, each on 127.0.0.1 on a free
// port, each stopped when its test ends.
//
// conclab's models are first tested against its own embedded server, which
// does what the suite needs and nothing more. A new user points them at a
// real one: nginx, which compresses, redirects, asks for a password and
// caps its connections; Python's http.server, which speaks HTTP/1.0, closes
// every connection and keeps a listen backlog of five. A model that agrees
// with net/http only against the embedded server has not been shown to do
// the same work, so the conformance tests run them against these too.
//
// NginxTLS adds an ssl listener to nginx, on a second free port, with a
// self-signed certificate that openssl makes in the test's directory.
//
// Each starter follows the same steps, which live in one place (process.go,
// ready.go) so that a server added later (nginx over TLS, Redis) is one more
// file of configuration:
//
//   - find the binary; when it is missing, skip the test with a message that
//     says what to install, unless the environment variable CI is "true":
//     then the test fails, so that CI cannot pass by skipping;
//   - write the server's files (site, configuration) to t.TempDir, so that
//     nothing outside it is read or written: pid file, temporary files and
//     logs included;
//   - pick a free port (the kernel's choice for a listener on port 0, closed
//     again) and start the server on it; should another process take the
//     port in between, the server fails with "Address already in use" and
//     the start is retried on a new one;
//   - wait, up to a deadline, until the server answers a request that only
//     it can answer (a page holding a random token written for this test),
//     failing at once if the process exits first;
//   - at cleanup, kill the process and reap it, and print its logs if the
//     test failed.
//
// On Linux the kernel also kills the server if the test binary dies without
// running its cleanups (a -timeout panic, a SIGKILL): the start happens on
// an OS thread that stays locked until the server has been reaped, since the
// kernel sends that parent-death signal when the forking thread ends, not
// the process (multiproc does the same for its workers).
//
// Every server serves the same site (see the Path constants): a page of
// BigBytes and one of SmallBytes, the sizes of iobound's embedded pages, so
// that a model's byte count means the same whichever server it ran against.
package testserver
