package eventloop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"conclab/iobound"
)

// DefaultMaxHeaderBytes bounds a response's heads (status lines and headers,
// interim 1xx responses included) when Parser.MaxHeaderBytes is 0: 10 MiB,
// net/http's Transport default (MaxResponseHeaderBytes).
const DefaultMaxHeaderBytes = 10 << 20

// Limits net/http sets on chunked bodies, kept here so that the parser
// accepts exactly what it accepts. The first two come from the 4 KiB
// buffer its Transport reads with.
const (
	// maxChunkLine bounds a chunk-size line, CRLF included: net/http must
	// find its end within one buffer.
	maxChunkLine = 4 << 10
	// maxTrailerBytes bounds the trailer section: net/http looks for the
	// CRLF CRLF that ends it within one buffer before it parses it.
	maxTrailerBytes = 4 << 10
	// maxChunkExcess bounds the framing beyond 16 bytes per chunk and
	// twice its data, so that a server cannot send a body of chunk
	// extensions and one-byte chunks.
	maxChunkExcess = 16 << 10
)

// Errors the parser wraps. A body over the cap wraps iobound.ErrBodyTooLarge,
// like every other model's.
var (
	ErrMalformed      = errors.New("eventloop: malformed HTTP response")
	ErrHeaderTooLarge = errors.New("eventloop: HTTP response header too large")
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
// clock, no goroutine. It counts body bytes and keeps none of them (Sink
// may), and it never reports more body than it was given.
//
// It accepts what net/http's http.ReadResponse and Transport accept, and
// frames the body as they do (FuzzParserAgainstNetHTTP holds it to that):
// none for a HEAD request or a 1xx, 204 or 304 status; chunked when the
// one Transfer-Encoding is "chunked" (any other value is an error, as in
// net/http, and HTTP/1.0 ignores the header); Content-Length bytes when
// there is one; otherwise until the connection closes (call EOF). Interim
// 1xx responses before the final one are skipped, except 101, which is
// final. Header lines folded over several lines are joined, and a field
// name with a space in it ("Content-Length : 5") is kept but matches no
// header, as net/http's textproto does. The one deliberate difference is in
// the doc of the package.
//
// The zero value is ready to use for a response to GET. A Parser is for one
// response; make a new one for the next response on a connection.
type Parser struct {
	// Head says that the request was HEAD: the response has no body,
	// whatever its headers announce.
	Head bool
	// MaxHeaderBytes bounds the heads: status lines and headers, of the
	// interim responses and the final one together, as net/http counts
	// them. 0 means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// BodyCap bounds the body's bytes as they come on the wire (after
	// chunked framing, before any content coding). 0 means
	// iobound.DefaultBodyCap.
	BodyCap int64
	// OnHead, when set, is called once, when the final response's head is
	// complete and before any byte of its body: it may read the head
	// (Status, ContentLength, Location, ContentEncoding) and set BodyCap and
	// Sink for the body, as a client does between http.ReadResponse and
	// reading Body. An error it returns stops the parser.
	OnHead func() error
	// Sink, when set, receives the body's bytes as they are parsed, chunk
	// framing removed. The slice is valid only during the call.
	Sink func([]byte)

	state    parseState
	line     []byte // a line not yet ended by LF
	prevCRLF bool   // the last line ended in CRLF, not a bare LF
	headSize int    // bytes of the heads so far, interim ones included
	received int64
	err      error

	status, major, minor int
	interim              int
	field                []byte // the field being read, folded lines joined
	inField              bool   // field holds one, not yet recorded
	fields               headFields

	length    int64 // the body's length as net/http reports it, -1 unknown
	reuse     bool  // decided at the end of the head
	remaining uint64
	excess    int64 // chunk framing beyond what maxChunkExcess allows for
	crlfSeen  int   // bytes of the CRLF after a chunk's data
	trailers  int   // bytes of the trailer section so far
	trailerN  int   // lines of the trailer section so far
	body      int64
}

// headFields is what the parser keeps of one head's header fields: only
// what framing, redirects and content coding need, with the meaning
// net/http gives them (Header.Get is the first value).
type headFields struct {
	lengths       int    // Content-Length fields
	length        string // the first one, trimmed
	lengthsDiffer bool
	encodings     int  // Transfer-Encoding fields
	chunked       bool // the first one is "chunked"
	close         bool // Connection: close
	keepAlive     bool // Connection: keep-alive
	upgradeToken  bool // Connection: upgrade
	upgrade       bool // the first Upgrade field is not empty
	upgradeSeen   bool
	coding        string // the first Content-Encoding field
	codingSeen    bool
	location      string // the first Location field
	locationSeen  bool
	badTrailer    string // a field that Trailer may not announce
}

// next readies p for the next response on the same connection, with the
// settings given, keeping the buffers it grew for the last one.
func (p *Parser) next(bodyCap int64, onHead func() error) {
	line, field := p.line[:0], p.field[:0]
	*p = Parser{BodyCap: bodyCap, OnHead: onHead, line: line, field: field}
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
			n := int(min(p.remaining, uint64(len(rest))))
			used, err := p.addBody(rest[:n])
			i += used
			if err != nil {
				return i, p.fail(err)
			}
			p.remaining -= uint64(n)
			if p.remaining == 0 {
				if p.state == stateBody {
					p.state = stateDone
				} else {
					p.state = stateChunkEnd
				}
			}
		case stateUntilClose:
			used, err := p.addBody(rest)
			i += used
			if err != nil {
				return i, p.fail(err)
			}
		case stateChunkEnd:
			// Exactly CRLF, as net/http reads it: two bytes, no bare LF.
			i++
			p.received++
			if rest[0] != "\r\n"[p.crlfSeen] {
				return i, p.fail(fmt.Errorf("chunk data not followed by CRLF: %w", ErrMalformed))
			}
			if p.crlfSeen++; p.crlfSeen == 2 {
				p.crlfSeen = 0
				p.state = stateChunkSize
			}
		default:
			line, crlf, n, err := p.readLine(rest)
			i += n
			if err != nil {
				return i, p.fail(err)
			}
			if line == nil {
				continue // the line goes on in the next Feed
			}
			err = p.handleLine(line, crlf)
			p.prevCRLF = crlf
			if err != nil {
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

// HeadDone reports whether the final response's head is complete, so that
// Status is the final status.
func (p *Parser) HeadDone() bool { return p.state > stateHeader }

// Status is the final response's status code, or an interim one's while
// the final one has not started, or 0.
func (p *Parser) Status() int { return p.status }

// Interim counts the 1xx responses skipped before the final one.
func (p *Parser) Interim() int { return p.interim }

// Body counts the body bytes received so far (after chunked framing).
func (p *Parser) Body() int64 { return p.body }

// Received counts the bytes used so far, head and framing included.
func (p *Parser) Received() int64 { return p.received }

// ContentLength is the body's length as net/http's Response.ContentLength
// reports it, once the head is done: the Content-Length, 0 for a status
// without a body, -1 when the length is not known (chunked, or until the
// close). For HEAD, the Content-Length announced, or -1.
func (p *Parser) ContentLength() int64 { return p.length }

// Location is the final response's first Location field, or "".
func (p *Parser) Location() string { return p.fields.location }

// ContentEncoding is the final response's first Content-Encoding field,
// or "".
func (p *Parser) ContentEncoding() string { return p.fields.coding }

// KeepAlive reports whether the connection may carry another request once
// the response is Done, by net/http's rules: HTTP/1.1 or later without
// Connection: close, or HTTP/1.0 with Connection: keep-alive; a final
// status of 200 or more; and a body whose end did not need the close.
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

// addBody counts b as body, up to the cap, and hands it to the Sink.
func (p *Parser) addBody(b []byte) (int, error) {
	limit := p.BodyCap
	if limit <= 0 {
		limit = iobound.DefaultBodyCap
	}
	var err error
	if over := p.body + int64(len(b)) - limit; over > 0 {
		b = b[:int64(len(b))-over]
		err = fmt.Errorf("more than %d bytes: %w", limit, iobound.ErrBodyTooLarge)
	}
	p.body += int64(len(b))
	p.received += int64(len(b))
	if p.Sink != nil && len(b) > 0 {
		p.Sink(b)
	}
	return len(b), err
}

// readLine takes bytes up to and including the next LF. It returns the line
// without its CRLF (or bare LF), or nil when b ends first, whether it ended
// in CRLF, and how many bytes of b it used. Like bufio's ReadLine, it
// takes one CR before the LF as part of the line's end and leaves any other.
func (p *Parser) readLine(b []byte) (line []byte, crlf bool, n int, err error) {
	var limit int
	switch p.state {
	case stateStatus, stateHeader:
		limit = p.MaxHeaderBytes
		if limit <= 0 {
			limit = DefaultMaxHeaderBytes
		}
		limit -= p.headSize // which already counts the partial line
	case stateTrailer:
		limit = maxTrailerBytes - p.trailers
	default:
		limit = maxChunkLine - len(p.line)
	}
	n = bytes.IndexByte(b, '\n') + 1
	if n == 0 {
		n = len(b)
	}
	if n > limit {
		switch p.state {
		case stateStatus, stateHeader:
			return nil, false, 0, fmt.Errorf("more than %d bytes of status line and headers: %w", limit+p.headSize, ErrHeaderTooLarge)
		case stateTrailer:
			return nil, false, 0, fmt.Errorf("trailers longer than %d bytes: %w", maxTrailerBytes, ErrHeaderTooLarge)
		}
		return nil, false, 0, fmt.Errorf("chunk line longer than %d bytes: %w", maxChunkLine, ErrMalformed)
	}
	p.received += int64(n)
	switch p.state {
	case stateStatus, stateHeader:
		p.headSize += n
	case stateTrailer:
		p.trailers += n
	}
	if b[n-1] != '\n' {
		p.line = append(p.line, b[:n]...)
		return nil, false, n, nil
	}
	line = b[:n-1]
	if len(p.line) > 0 {
		p.line = append(p.line, line...)
		line = p.line
		p.line = p.line[:0]
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line, crlf = line[:len(line)-1], true
	}
	if line == nil {
		line = []byte{} // an empty line is not "no line yet"
	}
	return line, crlf, n, nil
}

func (p *Parser) handleLine(line []byte, crlf bool) error {
	switch p.state {
	case stateStatus:
		return p.statusLine(line)
	case stateHeader:
		if len(line) == 0 {
			if err := p.endField(); err != nil {
				return err
			}
			return p.endOfHead()
		}
		return p.fieldLine(line)
	case stateChunkSize:
		return p.chunkSize(line, crlf)
	case stateTrailer:
		p.trailerN++
		if len(line) > 0 {
			return p.fieldLine(line)
		}
		if err := p.endField(); err != nil {
			return err
		}
		// net/http takes a lone CRLF at once; anything else only if it
		// finds the CRLF CRLF that ends it, and it looks before it
		// parses: a section ended by a bare LF is accepted or not
		// depending on the bytes after it (see the package doc).
		if !crlf || (p.trailerN > 1 && !p.prevCRLF) {
			return fmt.Errorf("trailer section not ended by CRLF CRLF: %w", ErrMalformed)
		}
		p.state = stateDone
	}
	return nil
}

// statusLine parses the status line as http.ReadResponse does: the
// version up to the first space, then, after any more spaces, a status
// code of three characters that strconv.Atoi reads as a number of 0 or
// more, then anything.
func (p *Parser) statusLine(line []byte) error {
	proto, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return fmt.Errorf("status line %q: %w", clip(line), ErrMalformed)
	}
	code, _, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	status, ok := statusCode(code)
	if !ok {
		return fmt.Errorf("malformed HTTP status code %q: %w", clip(code), ErrMalformed)
	}
	major, minor, ok := httpVersion(proto)
	if !ok {
		return fmt.Errorf("malformed HTTP version %q: %w", clip(proto), ErrMalformed)
	}
	p.status, p.major, p.minor = status, major, minor
	p.fields = headFields{}
	p.state = stateHeader
	return nil
}

// statusCode reads three characters as strconv.Atoi does ("+20" is 20,
// "-00" is 0) and refuses a negative number.
func statusCode(code []byte) (int, bool) {
	if len(code) != 3 {
		return 0, false
	}
	digits, neg := code, false
	if code[0] == '+' || code[0] == '-' {
		digits, neg = code[1:], code[0] == '-'
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg && n != 0 {
		return 0, false
	}
	return n, true
}

// httpVersion reads "HTTP/x.y" with one digit each, as
// http.ParseHTTPVersion does.
func httpVersion(proto []byte) (major, minor int, ok bool) {
	if len(proto) != len("HTTP/x.y") || !bytes.HasPrefix(proto, []byte("HTTP/")) || proto[6] != '.' {
		return 0, 0, false
	}
	if !isDigit(proto[5]) || !isDigit(proto[7]) {
		return 0, 0, false
	}
	return int(proto[5] - '0'), int(proto[7] - '0'), true
}

// fieldLine takes one line of a header or trailer section: the start of
// a field, or a continuation of the one before (obs-fold), which
// textproto joins to it with one space.
func (p *Parser) fieldLine(line []byte) error {
	if line[0] == ' ' || line[0] == '\t' {
		if !p.inField {
			return fmt.Errorf("header section starts with a folded line %q: %w", clip(line), ErrMalformed)
		}
		p.field = append(p.field, ' ')
		p.field = append(p.field, trimOWS(line)...)
		return nil
	}
	if err := p.endField(); err != nil {
		return err
	}
	if bytes.IndexByte(line, ':') < 0 {
		return fmt.Errorf("header line without a colon %q: %w", clip(line), ErrMalformed)
	}
	p.field = append(p.field[:0], trimOWS(line)...)
	p.inField = true
	return nil
}

// endField checks the field read so far as textproto.ReadMIMEHeader does
// and records what the head needs of it.
func (p *Parser) endField() error {
	if !p.inField {
		return nil
	}
	p.inField = false
	name, value, _ := bytes.Cut(p.field, []byte(":"))
	if len(name) == 0 {
		return fmt.Errorf("header line with no name %q: %w", clip(p.field), ErrMalformed)
	}
	canonical := true
	for _, c := range name {
		if c == ' ' {
			canonical = false // kept, but it matches no header name
			continue
		}
		if !isTokenByte(c) {
			return fmt.Errorf("header name %q: %w", clip(name), ErrMalformed)
		}
	}
	for _, c := range value {
		if c != '\t' && (c < ' ' || c == 0x7f) {
			return fmt.Errorf("control character in header %q: %w", clip(name), ErrMalformed)
		}
	}
	if canonical && p.state == stateHeader {
		p.fields.add(name, bytes.TrimLeft(value, " \t"))
	}
	return nil
}

func (h *headFields) add(name, value []byte) {
	switch {
	case asciiEqualFold(name, "Content-Length"):
		v := string(trimOWS(value))
		if h.lengths == 0 {
			h.length = v
		} else if v != h.length {
			h.lengthsDiffer = true
		}
		h.lengths++
	case asciiEqualFold(name, "Transfer-Encoding"):
		if h.encodings == 0 {
			h.chunked = asciiEqualFold(value, "chunked")
		}
		h.encodings++
	case asciiEqualFold(name, "Connection"):
		for tok := range bytes.SplitSeq(value, []byte(",")) {
			tok = trimOWS(tok)
			h.close = h.close || asciiEqualFold(tok, "close")
			h.keepAlive = h.keepAlive || asciiEqualFold(tok, "keep-alive")
			h.upgradeToken = h.upgradeToken || asciiEqualFold(tok, "upgrade")
		}
	case asciiEqualFold(name, "Upgrade"):
		if !h.upgradeSeen {
			h.upgradeSeen, h.upgrade = true, len(value) > 0
		}
	case asciiEqualFold(name, "Content-Encoding"):
		if !h.codingSeen {
			h.codingSeen, h.coding = true, string(value)
		}
	case asciiEqualFold(name, "Location"):
		if !h.locationSeen {
			h.locationSeen, h.location = true, string(value)
		}
	case asciiEqualFold(name, "Trailer"):
		for key := range bytes.SplitSeq(value, []byte(",")) {
			key = trimOWS(key)
			for _, bad := range []string{"Transfer-Encoding", "Trailer", "Content-Length"} {
				if h.badTrailer == "" && asciiEqualFold(key, bad) {
					h.badTrailer = bad
				}
			}
		}
	}
}

// endOfHead checks the head as net/http's readTransfer does and decides
// how the body is framed and whether the connection may be reused.
func (p *Parser) endOfHead() error {
	h := &p.fields
	// Transfer-Encoding counts from HTTP/1.1 on; a version of 0.0 is read
	// as 1.1 here (but not for the close, below), as net/http does.
	chunked := false
	if h.encodings > 0 && (p.major > 1 || p.major == 1 && p.minor >= 1 || p.major == 0 && p.minor == 0) {
		if h.encodings > 1 {
			return fmt.Errorf("%d Transfer-Encoding fields: %w", h.encodings, ErrMalformed)
		}
		if !h.chunked {
			return fmt.Errorf("Transfer-Encoding other than chunked: %w", ErrMalformed)
		}
		chunked = true
	}
	length := int64(-1)
	if h.lengths > 0 {
		if h.lengthsDiffer {
			return fmt.Errorf("Content-Length fields that differ: %w", ErrMalformed)
		}
		n, err := strconv.ParseUint(h.length, 10, 63)
		if err != nil {
			return fmt.Errorf("Content-Length %q: %w", clip([]byte(h.length)), ErrMalformed)
		}
		length = int64(n)
	}
	if chunked && h.badTrailer != "" {
		return fmt.Errorf("Trailer announces %s: %w", h.badTrailer, ErrMalformed)
	}
	if p.status >= 100 && p.status <= 199 && p.status != 101 {
		p.interim++ // 100 Continue, 103 Early Hints: the final response follows
		p.state = stateStatus
		return nil
	}

	closing := p.major < 1 || h.close
	if p.major == 1 && p.minor == 0 {
		closing = h.close || !h.keepAlive
	}
	noBody := p.Head || p.status/100 == 1 || p.status == 204 || p.status == 304
	switch {
	case p.status == 101 && h.upgrade && h.upgradeToken:
		// Switching protocols: net/http hands the rest of the
		// connection over as the body.
		p.length, p.state = 0, stateUntilClose
	case noBody:
		p.length, p.state = 0, stateDone
	case chunked:
		p.length, p.state = -1, stateChunkSize
	case length >= 0:
		p.length, p.state = length, stateBody
	default:
		p.length, p.state = -1, stateUntilClose
	}
	if p.Head {
		p.length = length
	}
	p.reuse = !closing && p.status >= 200 && p.state != stateUntilClose
	if p.OnHead != nil {
		if err := p.OnHead(); err != nil {
			return err
		}
	}
	if p.state == stateBody {
		limit := p.BodyCap
		if limit <= 0 {
			limit = iobound.DefaultBodyCap
		}
		if p.length > limit {
			return fmt.Errorf("Content-Length %d, cap %d: %w", p.length, limit, iobound.ErrBodyTooLarge)
		}
		p.remaining = uint64(p.length)
		if p.length == 0 {
			p.state = stateDone
		}
	}
	return nil
}

// chunkSize parses a chunk-size line as net/http does: it must end in CRLF
// with no other CR; extensions after ";" are ignored, and so is
// whitespace before the line's end; the size is at most 16 hex digits.
func (p *Parser) chunkSize(line []byte, crlf bool) error {
	if !crlf {
		return fmt.Errorf("chunk line %q ends in a bare LF: %w", clip(line), ErrMalformed)
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return fmt.Errorf("CR inside chunk line %q: %w", clip(line), ErrMalformed)
	}
	p.excess += int64(len(line)) + 2
	size := bytes.TrimRight(line, " \t")
	size, _, _ = bytes.Cut(size, []byte(";"))
	if len(size) == 0 || len(size) > 16 {
		return fmt.Errorf("chunk size %q: %w", clip(line), ErrMalformed)
	}
	var n uint64
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
		n = n<<4 | uint64(d)
	}
	// The arithmetic is net/http's, overflow included, so that the two
	// agree on sizes of 2^62 and more too.
	p.excess -= 16 + 2*int64(n)
	p.excess = max(p.excess, 0)
	if p.excess > maxChunkExcess {
		return fmt.Errorf("chunked body with more than %d bytes of framing: %w", maxChunkExcess, ErrMalformed)
	}
	if n == 0 {
		p.state = stateTrailer
		return nil
	}
	p.remaining = n
	p.state = stateChunkData
	return nil
}

// isTokenByte reports whether c may appear in a header name (RFC 9110's
// tchar).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', isDigit(c):
		return true
	}
	return c < 0x80 && bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// trimOWS trims spaces and tabs at both ends.
func trimOWS(b []byte) []byte { return bytes.Trim(b, " \t") }

func asciiEqualFold[T string | []byte](b T, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
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
