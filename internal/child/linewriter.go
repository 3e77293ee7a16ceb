package child

import (
	"bytes"
	"io"
	"sync"
)

// LineWriter passes a child's standard error through to w line by line,
// each line prefixed with the child's name. Writers that share mu never
// interleave their lines. Set it as the command's Stderr, and Flush it
// after Wait.
type LineWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

// maxLine bounds a line the writer holds back waiting for its newline.
const maxLine = 64 << 10

// NewLineWriter returns a writer to w that prefixes lines with name. A nil
// mu gives the writer a lock of its own.
func NewLineWriter(mu *sync.Mutex, w io.Writer, name string) *LineWriter {
	if mu == nil {
		mu = new(sync.Mutex)
	}
	return &LineWriter{mu: mu, w: w, prefix: name + ": "}
}

// SetName changes the prefix of the lines to come, once the pid is known.
func (l *LineWriter) SetName(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prefix = name + ": "
}

// Write passes the whole lines in b through, holding back the rest.
func (l *LineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 && len(l.buf) < maxLine {
			break
		}
		if i < 0 {
			i = len(l.buf) - 1
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[:copy(l.buf, l.buf[i+1:])]
	}
	// A log that cannot be written must not stop the child: report success.
	return len(b), nil
}

// Flush writes a last line that had no newline.
func (l *LineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
}

func (l *LineWriter) emit(line []byte) {
	if line[len(line)-1] != '\n' {
		line = append(line, '\n')
	}
	_, _ = io.WriteString(l.w, l.prefix+string(line))
}
