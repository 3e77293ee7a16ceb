package eventloop

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

// parseCase is one response and what the parser must make of it.
type parseCase struct {
	name      string
	head      bool // the request was HEAD
	response  string
	status    int
	body      int64
	atEOF     bool // complete only once the connection closes
	keepAlive bool
	interim   int
}

var parseCases = []parseCase{
	{name: "a Content-Length body", response: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		status: 200, body: 5, keepAlive: true},
	{name: "an empty Content-Length body", response: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		status: 200, keepAlive: true},
	{name: "a chunked body with extensions and trailers",
		response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n",
		status: 200, body: 31, keepAlive: true},
	{name: "a chunked body without trailers", response: "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		status: 200, body: 3, keepAlive: true},
	{name: "a body delimited by the close", response: "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
		status: 200, body: 13, atEOF: true},
	{name: "HTTP/1.0 ignores a transfer coding and reads until the close", response: "HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz",
		status: 200, body: 3, atEOF: true},
	{name: "a response to HEAD has no body whatever it announces", head: true,
		response: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", status: 200, keepAlive: true},
	{name: "204 has no body", response: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, keepAlive: true},
	{name: "304 has no body even with a length", response: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		status: 304, keepAlive: true},
	{name: "interim 1xx responses are skipped", response: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", status: 200, body: 2, keepAlive: true, interim: 2},
	{name: "Connection: close forbids reuse", response: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
		status: 200, body: 2},
	{name: "HTTP/1.0 with keep-alive allows reuse", response: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
		status: 200, body: 2, keepAlive: true},
	{name: "bare LF line endings are accepted", response: "HTTP/1.1 404 Not Found\nContent-Length: 3\n\nnot",
		status: 404, body: 3, keepAlive: true},
	{name: "a status line without a reason", response: "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx",
		status: 200, body: 1, keepAlive: true},
	{name: "both framings: chunked wins and, as in net/http, the connection is reused",
		response: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
		status:   200, body: 1, keepAlive: true},
	{name: "a folded header line is joined to the one before", response: "HTTP/1.1 200 OK\r\nX: a\r\n  b\r\nContent-Length:\r\n\t2\r\n\r\nok",
		status: 200, body: 2, keepAlive: true},
	{name: "a field name with a space before the colon matches no header", response: "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nuntil the close",
		status: 200, body: 15, atEOF: true},
	{name: "HTTP/2.0 on the status line reads as HTTP/1.1", response: "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
		status: 200, body: 2, keepAlive: true},
	{name: "101 without an upgrade is a final response without a body, and closes", response: "HTTP/1.1 101 Switching Protocols\r\n\r\n",
		status: 101},
	{name: "a status below 100 is final, and closes", response: "HTTP/1.1 099 Odd\r\nContent-Length: 1\r\n\r\nx",
		status: 99, body: 1},
	{name: "a chunk size of 16 hex digits", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000001\r\nx\r\n0\r\n\r\n",
		status: 200, body: 1, keepAlive: true},
}

// feed gives the parser the pieces in order and checks, after every piece,
// that it never reports more body than it was given.
func feed(t *testing.T, p *Parser, pieces ...string) (used int, err error) {
	t.Helper()
	given := 0
	for _, piece := range pieces {
		n, err := p.Feed([]byte(piece))
		given += len(piece)
		used += n
		require.LessOrEqual(t, p.Body(), int64(given), "body reported beyond the bytes received")
		require.LessOrEqual(t, n, len(piece))
		if err != nil {
			return used, err
		}
	}
	return used, nil
}

func checkParsed(t *testing.T, tc parseCase, p *Parser, used int) {
	t.Helper()
	if tc.atEOF {
		assert.False(t, p.Done(), "complete before the close")
		require.NoError(t, p.EOF())
	}
	require.True(t, p.Done())
	assert.Equal(t, len(tc.response), used)
	assert.Equal(t, tc.status, p.Status())
	assert.Equal(t, tc.body, p.Body())
	assert.Equal(t, tc.keepAlive, p.KeepAlive())
	assert.Equal(t, tc.interim, p.Interim())
	assert.Equal(t, int64(len(tc.response)), p.Received())
}

func TestParserSplits(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name+", in one piece", func(t *testing.T) {
			p := &Parser{Head: tc.head}
			used, err := feed(t, p, tc.response)
			require.NoError(t, err)
			checkParsed(t, tc, p, used)
		})
		t.Run(tc.name+", split at every offset", func(t *testing.T) {
			for i := range len(tc.response) + 1 {
				p := &Parser{Head: tc.head}
				used, err := feed(t, p, tc.response[:i], tc.response[i:])
				require.NoError(t, err, "split at %d", i)
				checkParsed(t, tc, p, used)
			}
		})
		t.Run(tc.name+", byte by byte, complete only at its last byte", func(t *testing.T) {
			p := &Parser{Head: tc.head}
			used := 0
			for i := range len(tc.response) {
				if !tc.atEOF {
					require.False(t, p.Done(), "complete after %d of %d bytes", i, len(tc.response))
				}
				n, err := p.Feed([]byte{tc.response[i]})
				require.NoError(t, err)
				used += n
				require.LessOrEqual(t, p.Body(), int64(i+1), "body reported beyond the bytes received")
			}
			checkParsed(t, tc, p, used)
		})
	}
}

func TestParserLeavesWhatFollows(t *testing.T) {
	for _, tc := range parseCases {
		if tc.atEOF {
			continue
		}
		t.Run(tc.name+", followed by another response", func(t *testing.T) {
			p := &Parser{Head: tc.head}
			next := "HTTP/1.1 200 OK\r\n"
			used, err := feed(t, p, tc.response+next)
			require.NoError(t, err)
			checkParsed(t, tc, p, used)
			n, err := p.Feed([]byte(next))
			require.NoError(t, err)
			assert.Zero(t, n, "a complete parser takes no more bytes")
		})
	}
}

func TestParserErrors(t *testing.T) {
	tests := []struct {
		name     string
		cap      int64
		max      int
		response string
		want     error
	}{
		{"a garbage status line", 0, 0, "HTTP/1.1 2x0 OK\r\n", ErrMalformed},
		{"something that is not HTTP", 0, 0, "SSH-2.0-OpenSSH_9.6\r\n", ErrMalformed},
		{"HTTP/2 on the wire", 0, 0, "HTTP/2 200\r\n", ErrMalformed},
		{"a negative status", 0, 0, "HTTP/1.1 -01 Odd\r\n", ErrMalformed},
		{"a status code followed by no space", 0, 0, "HTTP/1.1 2000\r\n", ErrMalformed},
		{"a header line without a colon", 0, 0, "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", ErrMalformed},
		{"a header section that starts with a folded line", 0, 0, "HTTP/1.1 200 OK\r\n  b\r\n\r\n", ErrMalformed},
		{"a tab before the colon", 0, 0, "HTTP/1.1 200 OK\r\nContent-Length\t: 1\r\n\r\n", ErrMalformed},
		{"a control character in a value", 0, 0, "HTTP/1.1 200 OK\r\nX: a\x7fb\r\n\r\n", ErrMalformed},
		{"a negative Content-Length", 0, 0, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrMalformed},
		{"two different Content-Lengths", 0, 0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrMalformed},
		{"a transfer coding other than chunked", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrMalformed},
		{"two Transfer-Encoding fields", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrMalformed},
		{"a Trailer field announcing Transfer-Encoding", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x, transfer-encoding\r\n\r\n", ErrMalformed},
		{"a chunk size that is not hexadecimal", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrMalformed},
		{"an empty chunk size", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", ErrMalformed},
		{"a chunk size of 17 hex digits", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", ErrMalformed},
		{"a chunk line ended by a bare LF", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n", ErrMalformed},
		{"chunk data longer than announced", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", ErrMalformed},
		{"chunk data ended by a bare LF", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\n", ErrMalformed},
		{"a chunk line longer than 4 KiB", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("e", 4<<10) + "\r\n", ErrMalformed},
		{"more framing than data", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1;"+strings.Repeat("e", 100)+"\r\nx\r\n", 200), ErrMalformed},
		{"a malformed trailer", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", ErrMalformed},
		{"an oversized status line", 0, 64, "HTTP/1.1 200 " + strings.Repeat("a", 100) + "\r\n", ErrHeaderTooLarge},
		{"oversized headers", 0, 64, "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 10) + "\r\n", ErrHeaderTooLarge},
		{"oversized heads counted over the interim responses too", 0, 64, strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 3), ErrHeaderTooLarge},
		{"trailers over 4 KiB", 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("X-A: b\r\n", 600) + "\r\n", ErrHeaderTooLarge},
		{"a Content-Length over the cap", 4, 0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", iobound.ErrBodyTooLarge},
		{"a chunked body over the cap", 4, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", iobound.ErrBodyTooLarge},
		{"a close-delimited body over the cap", 4, 0, "HTTP/1.0 200 OK\r\n\r\nabcdef", iobound.ErrBodyTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name+" fails in one piece and byte by byte", func(t *testing.T) {
			whole := &Parser{BodyCap: tc.cap, MaxHeaderBytes: tc.max}
			_, err := feed(t, whole, tc.response)
			require.ErrorIs(t, err, tc.want)
			_, again := whole.Feed([]byte("more"))
			assert.Equal(t, err, again, "errors are sticky")
			assert.Equal(t, err, whole.EOF())

			bytewise := &Parser{BodyCap: tc.cap, MaxHeaderBytes: tc.max}
			pieces := strings.Split(tc.response, "")
			_, err = feed(t, bytewise, pieces...)
			require.ErrorIs(t, err, tc.want)
			if tc.cap > 0 {
				assert.Equal(t, min(tc.cap, whole.Body()), bytewise.Body(), "the count stops at the cap")
			}
		})
	}
}

func TestParserEOF(t *testing.T) {
	tests := []struct {
		name, response string
	}{
		{"nothing at all", ""},
		{"inside the status line", "HTTP/1.1 2"},
		{"inside the headers", "HTTP/1.1 200 OK\r\nContent-Le"},
		{"before the Content-Length body is complete", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"},
		{"inside a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"},
		{"before the last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"},
		{"inside the trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n"},
	}
	for _, tc := range tests {
		t.Run("a close "+tc.name+" is an unexpected EOF", func(t *testing.T) {
			var p Parser
			_, err := feed(t, &p, tc.response)
			require.NoError(t, err)
			assert.ErrorIs(t, p.EOF(), io.ErrUnexpectedEOF)
			assert.False(t, p.Done())
		})
	}
}

// FuzzParser feeds arbitrary bytes in two pieces: the parser must not panic,
// must not use more than it was given, and must not count more body than
// it received.
func FuzzParser(f *testing.F) {
	for _, tc := range parseCases {
		f.Add([]byte(tc.response), uint16(len(tc.response)/2), tc.head)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffff\r\nabc"), uint16(3), false)
	f.Fuzz(func(t *testing.T, data []byte, split uint16, head bool) {
		at := int(split) % (len(data) + 1)
		p := &Parser{Head: head, BodyCap: 1 << 10, MaxHeaderBytes: 1 << 10}
		n1, err1 := p.Feed(data[:at])
		n2, err2 := p.Feed(data[at:])
		if n1 > at || n2 > len(data)-at || p.Body() > int64(len(data)) || p.Received() != int64(n1+n2) {
			t.Fatalf("used %d+%d of %d+%d bytes, body %d, received %d", n1, n2, at, len(data)-at, p.Body(), p.Received())
		}
		err := errors.Join(err1, err2, p.EOF())
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrHeaderTooLarge) &&
			!errors.Is(err, iobound.ErrBodyTooLarge) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("unexpected kind of error: %v", err)
		}
	})
}

func ExampleParser() {
	response := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
	var p Parser
	// The bytes arrive in pieces of any size; here, 7 at a time.
	for i := 0; i < len(response); i += 7 {
		if _, err := p.Feed([]byte(response[i:min(i+7, len(response))])); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(p.Done(), p.Status(), p.Body(), p.KeepAlive())
	// Output: true 200 11 true
}

// TestParserTrailerLookahead pins the parser's one deliberate difference
// from net/http (see the package doc), which FuzzParserAgainstNetHTTP
// leaves out of its property.
func TestParserTrailerLookahead(t *testing.T) {
	const response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Sum: 1\n\n"
	t.Run("net/http takes a trailer section ended by a bare LF only when a CRLF CRLF comes after the response", func(t *testing.T) {
		assert.Error(t, netHTTPView([]byte(response), false).err)
		after := netHTTPView([]byte(response+"HTTP/1.1 200 OK\r\n\r\n"), false)
		require.NoError(t, after.err)
		assert.Equal(t, len(response), after.used, "the response ends where the section does")
	})
	t.Run("the parser, which cannot read past the response, refuses it either way", func(t *testing.T) {
		for _, data := range []string{response, response + "HTTP/1.1 200 OK\r\n\r\n"} {
			var p Parser
			_, err := p.Feed([]byte(data))
			assert.ErrorIs(t, err, ErrMalformed)
		}
	})
}
