package eventloop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"conclab/iobound"
)

// DefaultMaxHeaderBytes bounds a response's status line and headers
// together, and its chunked trailers apart, when Parser.MaxHeaderBytes is 0.
const DefaultMaxHeaderBytes = 64 << 10

// maxChunkLine bounds a chunk-size line (size and extensions) and the line
// ending a chunk's data.
const maxChunkLine = 4 << 10

// Errors the parser wraps. A body over the cap wraps iobound.ErrBodyTooLarge,
// like every other model's.
var (
	ErrMalformed      = errors.New("malformed HTTP response")
	ErrHeaderTooLarge = errors.New("HTTP response header too large")
)

type parseState uint8

const (
	stateStatus     parseState = iota // reading a status line
	stateHeader                       // reading header lines
	stateBody                         // reading Content-Length bytes
	stateChunkSize                    // reading a chunk-size line
	stateChunkData                    // reading a chunk's data
	stateChunkEnd                     // reading the CRLF after a chunk's data
	stateTrailer                      // reading trailer lines after the last chunk
	stateUntilClose                   // reading a body that ends at EOF
	stateDone
)

// Parser reads one HTTP/1.x response incrementally: feed it the bytes as they
// arrive, in pieces of any size, and it says when the response is complete.
// It is a pure state machine of the bytes received so far: no I/O, no
// clock, no goroutine. It counts body bytes and keeps none of them, and it
// never reports more body than it was given.
//
// The body is framed as RFC 9112 section 6.3 says: none for a HEAD request
// or a 1xx, 204 or 304 status; chunked when Transfer-Encoding ends in
// chunked (trailers read and discarded); Content-Length bytes when there is
// one; otherwise until the connection closes (call EOF). Interim 1xx
// responses before the final one are skipped. Header lines folded over
// several lines (obsolete since RFC 7230) are rejected.
//
// The zero value is ready to use for a response to GET. A Parser is for one
// response; make a new one for the next response on a connection.
type Parser struct {
	// Head says that the request was HEAD: the response has no body,
	// whatever its headers announce.
	Head bool
	// MaxHeaderBytes bounds the head (status line and headers) and, apart,
	// the trailers. 0 means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// BodyCap bounds the body. 0 means iobound.DefaultBodyCap.
	BodyCap int64

	state     parseState
	line      []byte // a line not yet ended by LF
	headBytes int    // bytes of the current head or trailer section so far
	received  int64
	err       error

	status    int
	minor     int // HTTP/1.minor
	interim   int
	length    int64 // Content-Length, -1 when absent
	chunked   bool
	encoded   bool // a Transfer-Encoding was present
	close     bool // Connection: close
	keepAlive bool // Connection: keep-alive (for HTTP/1.0)
	reuse     bool // decided at the end of the head
	remaining int64
	body      int64
}

// Feed parses the next bytes of the response and returns how many it used.
// It uses fewer than len(b) only when the response ends inside b (the rest
// belongs to whatever follows it) or on error. Errors are sticky.
func (p *Parser) Feed(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	i := 0
	for i < len(b) && p.state != stateDone {
		rest := b[i:]
		switch p.state {
		case stateBody, stateChunkData:
			n := int(min(p.remaining, int64(len(rest))))
			used, err := p.addBody(n)
			i += used
			if err != nil {
				return i, p.fail(err)
			}
			p.remaining -= int64(n)
			if p.remaining == 0 {
				if p.state == stateBody {
					p.state = stateDone
				} else {
					p.state = stateChunkEnd
				}
			}
		case stateUntilClose:
			used, err := p.addBody(len(rest))
			i += used
			if err != nil {
				return i, p.fail(err)
			}
		default:
			line, n, err := p.readLine(rest)
			i += n
			if err != nil {
				return i, p.fail(err)
			}
			if line == nil {
				continue // the line goes on in the next Feed
			}
			if err := p.handleLine(line); err != nil {
				return i, p.fail(err)
			}
		}
	}
	return i, nil
}

// EOF tells the parser that the connection was closed after the bytes fed
// so far. It completes a body delimited by the close; anything else not
// yet complete is an error wrapping io.ErrUnexpectedEOF.
func (p *Parser) EOF() error {
	if p.err != nil {
		return p.err
	}
	switch p.state {
	case stateDone:
		return nil
	case stateUntilClose:
		p.state = stateDone
		return nil
	case stateStatus:
		if p.received == 0 {
			return p.fail(fmt.Errorf("connection closed before any response byte: %w", io.ErrUnexpectedEOF))
		}
	}
	return p.fail(fmt.Errorf("connection closed %s: %w", p.where(), io.ErrUnexpectedEOF))
}

// Done reports whether the response is complete.
func (p *Parser) Done() bool { return p.state == stateDone }

// Err returns the error that stopped the parser, if any.
func (p *Parser) Err() error { return p.err }

// Status is the final response's status code, or an interim one's while
// the final one has not started, or 0.
func (p *Parser) Status() int { return p.status }

// Interim counts the 1xx responses skipped before the final one.
func (p *Parser) Interim() int { return p.interim }

// Body counts the body bytes received so far (decoded, for chunked).
func (p *Parser) Body() int64 { return p.body }

// Received counts the bytes used so far, head and framing included.
func (p *Parser) Received() int64 { return p.received }

// KeepAlive reports whether the connection may carry another request once
// the response is Done: HTTP/1.1 without Connection: close, or HTTP/1.0
// with Connection: keep-alive, and a body whose end did not need the close.
func (p *Parser) KeepAlive() bool { return p.state == stateDone && p.reuse }

func (p *Parser) fail(err error) error {
	p.err = err
	return err
}

func (p *Parser) where() string {
	switch p.state {
	case stateStatus:
		return "in the status line"
	case stateHeader:
		return "in the headers"
	case stateBody:
		return fmt.Sprintf("after %d of %d body bytes", p.body, p.length)
	case stateTrailer:
		return "in the trailers"
	default:
		return fmt.Sprintf("in the chunked body after %d bytes", p.body)
	}
}

func (p *Parser) addBody(n int) (int, error) {
	limit := p.BodyCap
	if limit <= 0 {
		limit = iobound.DefaultBodyCap
	}
	if p.body+int64(n) > limit {
		used := int(limit - p.body)
		p.body = limit
		p.received += int64(used)
		return used, fmt.Errorf("more than %d bytes: %w", limit, iobound.ErrBodyTooLarge)
	}
	p.body += int64(n)
	p.received += int64(n)
	return n, nil
}

// readLine takes bytes up to and including the next LF. It returns the line
// without its CRLF (or bare LF), or nil when b ends first, and how many
// bytes of b it used.
func (p *Parser) readLine(b []byte) ([]byte, int, error) {
	limit := maxChunkLine
	head := p.state == stateStatus || p.state == stateHeader || p.state == stateTrailer
	if head {
		limit = p.MaxHeaderBytes
		if limit <= 0 {
			limit = DefaultMaxHeaderBytes
		}
		limit -= p.headBytes
	}
	n := bytes.IndexByte(b, '\n') + 1
	if n == 0 {
		n = len(b)
	}
	over := len(p.line)+n > limit
	if head {
		over = n > limit // headBytes already counts the partial line
	}
	if over {
		if head {
			return nil, 0, fmt.Errorf("more than %d bytes %s: %w", limit+p.headBytes, p.where(), ErrHeaderTooLarge)
		}
		return nil, 0, fmt.Errorf("chunk line longer than %d bytes: %w", maxChunkLine, ErrMalformed)
	}
	p.received += int64(n)
	if head {
		p.headBytes += n
	}
	if b[n-1] != '\n' {
		p.line = append(p.line, b[:n]...)
		return nil, n, nil
	}
	line := b[:n-1]
	if len(p.line) > 0 {
		p.line = append(p.line, line...)
		line = p.line
		p.line = p.line[:0]
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if line == nil {
		line = []byte{} // an empty line is not "no line yet"
	}
	return line, n, nil
}

func (p *Parser) handleLine(line []byte) error {
	switch p.state {
	case stateStatus:
		return p.statusLine(line)
	case stateHeader:
		if len(line) == 0 {
			return p.endOfHead()
		}
		return p.headerLine(line)
	case stateChunkSize:
		return p.chunkSize(line)
	case stateChunkEnd:
		if len(line) != 0 {
			return fmt.Errorf("chunk data not followed by CRLF (%q): %w", clip(line), ErrMalformed)
		}
		p.state = stateChunkSize
	case stateTrailer:
		if len(line) == 0 {
			p.state = stateDone
			return nil
		}
		if _, _, err := splitHeader(line); err != nil {
			return err
		}
	}
	return nil
}

// statusLine parses "HTTP/1.x SP 3DIGIT [SP reason]".
func (p *Parser) statusLine(line []byte) error {
	bad := func() error { return fmt.Errorf("status line %q: %w", clip(line), ErrMalformed) }
	if len(line) < len("HTTP/1.x 200") || !bytes.HasPrefix(line, []byte("HTTP/1.")) ||
		line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return bad()
	}
	if line[7] < '0' || line[7] > '9' {
		return bad()
	}
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return bad()
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return bad()
	}
	p.minor, p.status = int(line[7]-'0'), code
	p.length, p.chunked, p.encoded, p.close, p.keepAlive = -1, false, false, false, false
	p.state = stateHeader
	return nil
}

func (p *Parser) headerLine(line []byte) error {
	name, value, err := splitHeader(line)
	if err != nil {
		return err
	}
	switch {
	case asciiEqualFold(name, "Content-Length"):
		n, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil || n < 0 || value[0] == '+' {
			return fmt.Errorf("Content-Length %q: %w", clip(value), ErrMalformed)
		}
		if p.length >= 0 && p.length != n {
			return fmt.Errorf("two Content-Lengths, %d and %d: %w", p.length, n, ErrMalformed)
		}
		p.length = n
	case asciiEqualFold(name, "Transfer-Encoding"):
		p.encoded = true
		p.chunked = false // only a final "chunked" counts
		for tok := range bytes.SplitSeq(value, []byte(",")) {
			p.chunked = asciiEqualFold(bytes.Trim(tok, " \t"), "chunked")
		}
	case asciiEqualFold(name, "Connection"):
		for tok := range bytes.SplitSeq(value, []byte(",")) {
			tok = bytes.Trim(tok, " \t")
			p.close = p.close || asciiEqualFold(tok, "close")
			p.keepAlive = p.keepAlive || asciiEqualFold(tok, "keep-alive")
		}
	}
	return nil
}

func (p *Parser) endOfHead() error {
	p.headBytes = 0
	if p.status < 200 {
		if p.status == 101 {
			return fmt.Errorf("101 Switching Protocols: not an HTTP/1.1 response to GET: %w", ErrMalformed)
		}
		p.interim++ // 100 Continue, 103 Early Hints: the final response follows
		p.state = stateStatus
		return nil
	}
	p.reuse = !p.close && (p.minor >= 1 || p.keepAlive)
	switch {
	case p.Head || p.status == 204 || p.status == 304:
		p.state = stateDone
	case p.chunked:
		if p.length >= 0 {
			p.reuse = false // both framings: a smuggling risk; use it once
		}
		p.state = stateChunkSize
	case p.encoded:
		// A transfer coding that does not end in chunked: the body ends
		// at the close.
		p.reuse = false
		p.state = stateUntilClose
	case p.length >= 0:
		limit := p.BodyCap
		if limit <= 0 {
			limit = iobound.DefaultBodyCap
		}
		if p.length > limit {
			return fmt.Errorf("Content-Length %d, cap %d: %w", p.length, limit, iobound.ErrBodyTooLarge)
		}
		p.remaining = p.length
		p.state = stateBody
		if p.length == 0 {
			p.state = stateDone
		}
	default:
		p.reuse = false
		p.state = stateUntilClose
	}
	return nil
}

func (p *Parser) chunkSize(line []byte) error {
	size := line
	if i := bytes.IndexByte(size, ';'); i >= 0 {
		size = size[:i] // chunk extensions are ignored
	}
	size = bytes.Trim(size, " \t")
	if len(size) == 0 || len(size) > 15 { // 15 hex digits cannot overflow int64
		return fmt.Errorf("chunk size %q: %w", clip(line), ErrMalformed)
	}
	var n int64
	for _, c := range size {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return fmt.Errorf("chunk size %q: %w", clip(line), ErrMalformed)
		}
		n = n<<4 | int64(d)
	}
	if n == 0 {
		p.state = stateTrailer
		return nil
	}
	p.remaining = n
	p.state = stateChunkData
	return nil
}

// splitHeader splits "Name: value", trimming the value's optional
// whitespace. The name must be a non-empty token: no whitespace before the
// colon, none at the start (a folded line).
func splitHeader(line []byte) (name, value []byte, err error) {
	name, value, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 || !isToken(name) {
		return nil, nil, fmt.Errorf("header line %q: %w", clip(line), ErrMalformed)
	}
	return name, bytes.Trim(value, " \t"), nil
}

func isToken(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return true
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// clip shortens what an error message quotes.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
