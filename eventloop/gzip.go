package eventloop

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"conclab/iobound"
)

// encodedCap bounds the compressed bytes of a gzip body kept for decoding,
// for a cap on the decoded bytes: the cap, a sixteenth more and 64 KiB.
// Deflate's worst case adds 5 bytes per 64 KiB stored, and gzip's header
// and trailer a few dozen, so only a body padded on purpose (empty
// members, a long file name) meets this bound before its decoded bytes
// meet the cap; net/http, which decodes as it reads, would take it.
func encodedCap(bodyCap int64) int64 { return bodyCap + bodyCap/16 + 64<<10 }

// maxSpareKept is the largest buffer of compressed bytes a connection keeps
// for its next gzip body; a larger one goes back to the garbage collector.
const maxSpareKept = 256 << 10

// decode counts the bytes gzip data decodes to, up to the cap, as net/http
// counts a gzip body it asked for: Reset, then read to the end, on the
// client's one gzip.Reader. It returns what it decoded before an error,
// like a read of net/http's body would have. An empty body decodes to
// nothing, without an error, as in net/http (gzip.Reader's Reset meets
// io.EOF, which its reader passes on as the end of the body).
func (c *client) decode(data []byte) (int64, error) {
	c.zipped.Reset(data)
	if c.unzip == nil {
		c.unzip = new(gzip.Reader)
	}
	if err := c.unzip.Reset(&c.zipped); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		return 0, fmt.Errorf("gzip body: %w", err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(c.unzip, c.bodyCap+1))
	switch {
	case err != nil:
		return n, fmt.Errorf("gzip body after %d decoded bytes: %w", n, err)
	case n > c.bodyCap:
		return c.bodyCap, fmt.Errorf("gzip body of more than %d decoded bytes: %w", c.bodyCap, iobound.ErrBodyTooLarge)
	}
	return n, nil
}

// keep is the parser's Sink for a gzip body: the compressed bytes wait
// here until the body is complete, since compress/gzip reads from an
// io.Reader and cannot be handed bytes as they come.
func (cn *conn) keep(b []byte) { cn.kept = append(cn.kept, b...) }

// bodyBytes counts the body of a complete response: decoded, for a gzip
// body, else as received.
func (cn *conn) bodyBytes() (int64, error) {
	if !cn.gzip {
		return cn.parser.Body(), nil
	}
	n, err := cn.c.decode(cn.kept)
	cn.dropKept()
	return n, err
}

// partial is the status and body count of a response that did not
// complete: the status once the final head is in (as net/http reports
// one only then), and the bytes the body decoded to so far.
func (cn *conn) partial() (status int, body int64) {
	p := &cn.parser
	if !p.HeadDone() || cn.redirect {
		return 0, 0
	}
	if !cn.gzip {
		return p.Status(), p.Body()
	}
	body, _ = cn.c.decode(cn.kept)
	cn.dropKept()
	return p.Status(), body
}

func (cn *conn) dropKept() {
	if cap(cn.kept) > maxSpareKept {
		cn.kept = nil
	}
	cn.kept = cn.kept[:0]
}
