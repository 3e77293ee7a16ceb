package iobound

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The two pages of the embedded server, standing in for the original's sites.
const (
	// PathBig stands in for https://www.jython.org: BigPageBytes sent with
	// chunked transfer encoding.
	PathBig = "/jython"
	// PathSmall stands in for http://olympus.realpython.org/dice:
	// SmallPageBytes sent with Content-Length.
	PathSmall = "/dice"

	BigPageBytes   = 11_000
	SmallPageBytes = 400
)

// Config sets up the embedded server. The zero value serves both pages with
// no latency and no faults.
type Config struct {
	// Latency is waited before every response, faults included; zero means
	// none. The suite's default is DefaultLatency.
	Latency time.Duration
	// Faults injects a fault on every request for a path, such as
	// {"/broken": FaultReset}. The path need not be one of the two pages.
	// A request's own fault parameter wins over it.
	Faults map[string]Fault
	// OversizeBytes is the body size of FaultOversize; zero means
	// DefaultBodyCap plus 64 KiB.
	OversizeBytes int64
	// SlowDelay is how long FaultSlow stalls before it answers after all,
	// if the client is still there; zero means one minute.
	SlowDelay time.Duration
	// TLS serves the same pages over https, with a self-signed certificate
	// for 127.0.0.1 and localhost generated at start (see NewCert): a new
	// one for every server, its key in memory only. A client trusts it
	// through RootCAs (or CertPEM), never by skipping verification.
	TLS bool
}

func (c Config) withDefaults() (Config, error) {
	if c.Latency < 0 || c.OversizeBytes < 0 || c.SlowDelay < 0 {
		return c, fmt.Errorf("iobound: negative Latency, OversizeBytes or SlowDelay in %+v", c)
	}
	if c.OversizeBytes == 0 {
		c.OversizeBytes = DefaultBodyCap + 64<<10
	}
	if c.SlowDelay == 0 {
		c.SlowDelay = time.Minute
	}
	faults := make(map[string]Fault, len(c.Faults))
	for path, f := range c.Faults {
		if _, err := parseFault(string(f)); err != nil {
			return c, fmt.Errorf("iobound: path %s: %w", path, err)
		}
		faults[path] = f
	}
	c.Faults = faults // a copy, so the caller's map can change
	return c, nil
}

// Server is the embedded site server: it listens on 127.0.0.1 only, on a port
// the operating system picks, and keeps connections alive. It holds as many
// connections as clients open, and logs nothing per request.
type Server struct {
	site
	cfg        Config
	big, small []byte
	http       *http.Server
	accepted   atomic.Int64
	served     chan struct{} // closed when http.Serve has returned

	// done is closed when Close starts, to end every wait in a handler.
	done      chan struct{}
	mu        sync.Mutex
	closed    bool
	handlers  sync.WaitGroup
	hijacked  map[net.Conn]struct{}
	closeOnce sync.Once
	closeErr  error
}

// NewServer starts a server with cfg on 127.0.0.1 and a free port.
func NewServer(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	st := site{scheme: "http"}
	var cert tls.Certificate
	if cfg.TLS {
		if cert, st.certPEM, err = NewCert("127.0.0.1", "localhost"); err != nil {
			return nil, err
		}
		if st.roots, err = CertPool(st.certPEM); err != nil {
			return nil, err
		}
		st.scheme = "https"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("iobound: listen: %w", err)
	}
	st.addr = ln.Addr().String()
	if cfg.TLS {
		ln = tls.NewListener(ln, serverTLS(cert))
	}
	s := &Server{
		site:     st,
		cfg:      cfg,
		big:      page("Jython stand-in", BigPageBytes),
		small:    page("Dice stand-in", SmallPageBytes),
		served:   make(chan struct{}),
		done:     make(chan struct{}),
		hijacked: make(map[net.Conn]struct{}),
	}
	s.http = &http.Server{
		Handler:  http.HandlerFunc(s.serveHTTP),
		ErrorLog: log.New(io.Discard, "", 0),
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.accepted.Add(1)
			}
		},
	}
	go func() {
		defer close(s.served)
		s.http.Serve(ln)
	}()
	return s, nil
}

// Accepted reports how many connections the server has accepted so far.
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// Close stops the server: it closes the listener and every connection, ends
// the waits of latency and FaultSlow, and returns once every handler has.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.mu.Lock()
		s.closed = true
		for c := range s.hijacked {
			c.Close()
		}
		s.mu.Unlock()
		s.closeErr = s.http.Close()
		<-s.served
		s.handlers.Wait()
	})
	return s.closeErr
}

// serveHTTP answers one request: the latency, then its fault or its page.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		return
	}
	defer s.handlers.Done()

	fault, err := s.cfg.Faults[r.URL.Path], error(nil)
	if q := r.URL.Query().Get("fault"); q != "" {
		fault, err = parseFault(q)
	}
	s.wait(r, s.cfg.Latency)
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
	case fault != FaultNone:
		s.serveFault(w, r, fault)
	case r.URL.Path == PathBig:
		s.writePage(w, s.big, true)
	case r.URL.Path == PathSmall:
		s.writePage(w, s.small, false)
	default:
		http.NotFound(w, r)
	}
}

// enter counts a handler in, unless Close has begun; WaitGroup.Add must not
// race with Wait, hence the lock.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

// wait sleeps for d. If the client or the server goes away first, it aborts
// the handler: returning would send an empty 200 response.
func (s *Server) wait(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	case <-s.done:
		panic(http.ErrAbortHandler)
	}
}

// writePage sends body, chunked in several pieces or with Content-Length.
func (s *Server) writePage(w http.ResponseWriter, body []byte, chunked bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !chunked {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
		return
	}
	// A flush before the length is known makes net/http chunk the body;
	// several flushes put several chunks on the wire.
	rc := http.NewResponseController(w)
	for len(body) > 0 {
		n := min(len(body), 4096)
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		body = body[n:]
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.hijacked[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hijacked, c)
}
