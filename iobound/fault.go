package iobound

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// Fault is a misbehaviour the embedded server can be asked for, per request
// with the query parameter fault (Server.FaultURL builds such a URL) or per
// path with Config.Faults. Each one stands for a way real sites fail, so that
// the models' error handling can be tested without a network.
type Fault string

// The faults the server knows.
const (
	FaultNone Fault = ""
	// FaultStatus500 answers 500 Internal Server Error with a short body.
	FaultStatus500 Fault = "status500"
	// FaultReset announces the big page's length, sends half of it and
	// resets the connection (RST, not FIN).
	FaultReset Fault = "reset"
	// FaultSlow sends nothing until the client gives up, the server closes
	// or Config.SlowDelay passes: slower than any sensible client timeout.
	FaultSlow Fault = "slow"
	// FaultCloseDelimited answers HTTP/1.0 style: no Content-Length, no
	// chunking; the body ends when the server closes the connection.
	FaultCloseDelimited Fault = "close-delimited"
	// FaultOversize sends a chunked body of Config.OversizeBytes, larger
	// than DefaultBodyCap unless configured otherwise.
	FaultOversize Fault = "oversize"
	// FaultGarbageStatus answers with a malformed status line.
	FaultGarbageStatus Fault = "garbage-status"
	// FaultBadChunk starts a chunked body and then sends a chunk size that
	// is not hexadecimal.
	FaultBadChunk Fault = "bad-chunk"
)

// Faults lists every fault, for tests that go through all of them.
func Faults() []Fault {
	return []Fault{FaultStatus500, FaultReset, FaultSlow, FaultCloseDelimited,
		FaultOversize, FaultGarbageStatus, FaultBadChunk}
}

func (f Fault) valid() bool {
	if f == FaultNone {
		return true
	}
	for _, g := range Faults() {
		if f == g {
			return true
		}
	}
	return false
}

// serveFault answers with fault f, after the latency has passed.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f {
	case FaultStatus500:
		http.Error(w, "internal server error (injected)", http.StatusInternalServerError)
	case FaultSlow:
		s.wait(r, s.cfg.SlowDelay)
		s.writePage(w, s.small, false)
	case FaultOversize:
		s.writeOversize(w)
	case FaultReset:
		half := len(s.big) / 2
		s.raw(w, func(c net.Conn) {
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n", len(s.big))
			c.Write(s.big[:half])
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // Close then sends RST, not FIN
			}
		})
	case FaultCloseDelimited:
		s.raw(w, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n")
			c.Write(s.small)
		})
	case FaultGarbageStatus:
		s.raw(w, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 2x0 Garbage\r\nContent-Length: 0\r\n\r\n")
		})
	case FaultBadChunk:
		s.raw(w, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
			fmt.Fprintf(c, "%x\r\n%s\r\nzz\r\n", 16, s.small[:16])
		})
	}
}

// writeOversize streams Config.OversizeBytes in chunks, stopping as soon as
// the client stops reading (a capped client closes the connection).
func (s *Server) writeOversize(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/octet-stream")
	buf := make([]byte, 32<<10)
	for left := s.cfg.OversizeBytes; left > 0; {
		n := min(left, int64(len(buf)))
		if _, err := w.Write(buf[:n]); err != nil {
			return
		}
		left -= n
	}
}

// raw takes the connection over from net/http, lets write put bytes on it
// that net/http would refuse to send, and closes it. Close can interrupt it:
// the connection is tracked until write returns.
func (s *Server) raw(w http.ResponseWriter, write func(net.Conn)) {
	c, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot hijack: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if !s.track(c) {
		c.Close()
		return
	}
	defer s.untrack(c)
	defer c.Close()
	discardBuffered(buf)
	write(c)
}

// discardBuffered drops what net/http read ahead; a GET has no body.
func discardBuffered(buf *bufio.ReadWriter) {
	buf.Reader.Discard(buf.Reader.Buffered())
}

func parseFault(q string) (Fault, error) {
	f := Fault(q)
	if !f.valid() {
		return "", fmt.Errorf("unknown fault %s", strconv.Quote(q))
	}
	return f, nil
}
