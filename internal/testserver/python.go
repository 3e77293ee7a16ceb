package testserver

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
)

// PythonHTTP starts python3 -m http.server for the test, on a free port of
// 127.0.0.1, serving the site from a temporary directory. It answers in
// HTTP/1.0, closes every connection after its response, compresses
// nothing, and listens with a backlog of five (socketserver's default
// request_queue_size), so a burst of connects waits on the kernel's SYN
// retries. It is killed when the test ends.
func PythonHTTP(t testing.TB) *Server {
	t.Helper()
	bin := binary(t, "python3", "apt-get install python3")
	return start(t, "python3 -m http.server", pythonAttempt(bin))
}

// pythonAttempt starts http.server on port.
func pythonAttempt(bin string) attempt {
	return func(t testing.TB, port int) (*Server, error) {
		s := &Server{Name: "python3 -m http.server", URL: fmt.Sprintf("http://127.0.0.1:%d", port), Dir: t.TempDir()}
		site := filepath.Join(s.Dir, "site")
		token := newToken()
		if err := writeSite(site, token); err != nil {
			return nil, err
		}
		// -u: the request log reaches output.log as it is written.
		argv := []string{bin, "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", site, strconv.Itoa(port)}
		return s.run(argv, httpProbe(s.URL+pathReady, token))
	}
}
