package multiproc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"syscall"

	"conclab/cpubound"
	"conclab/iobound"
)

// protocolVersion is the version of the pipe protocol below. The parent
// sends it in its hello and the worker refuses any other: a parent and a
// worker built from different sources must fail loudly, not misread each
// other's messages.
const protocolVersion = 2

// Message types, in the order a conversation uses them.
const (
	msgHello  = "hello"  // parent → worker: version and the worker's settings
	msgReady  = "ready"  // worker → parent: version and pid; the worker can take tasks
	msgTask   = "task"   // parent → worker: one task
	msgResult = "result" // worker → parent: the outcome of that task
	msgError  = "error"  // worker → parent: the worker refuses the conversation and exits
)

// Task kinds.
const (
	kindFetch = "fetch"
	kindSum   = "sum"
)

// message is every message of the protocol; Type says which fields matter.
// One flat struct keeps the codec a single encode and a single decode call.
type message struct {
	Type    string `json:"type"`
	Version int    `json:"v,omitempty"`

	// hello
	Worker    int   `json:"worker,omitempty"`
	BodyCap   int64 `json:"body_cap,omitempty"`
	TimeoutNS int64 `json:"timeout_ns,omitempty"`
	// RootCAs are the certificates, in PEM, that https URLs are verified
	// against; "" means the system's roots. (Version 2 added it.)
	RootCAs string `json:"root_cas,omitempty"`

	// ready
	PID int `json:"pid,omitempty"`

	// task and result
	ID   int    `json:"id,omitempty"`
	Kind string `json:"kind,omitempty"`
	URL  string `json:"url,omitempty"`
	N    int    `json:"n,omitempty"`

	// result
	Status  int    `json:"status,omitempty"`
	Bytes   int64  `json:"bytes,omitempty"`
	SumHi   uint64 `json:"sum_hi,omitempty"`
	SumLo   uint64 `json:"sum_lo,omitempty"`
	StartNS int64  `json:"start_ns,omitempty"`
	EndNS   int64  `json:"end_ns,omitempty"`

	// result and error: an error crosses the pipe as its message plus a
	// kind that names the sentinel it wrapped, so that errors.Is still works
	// on the parent's side.
	ErrKind string `json:"err_kind,omitempty"`
	Err     string `json:"err,omitempty"`
}

// ErrProtocol is wrapped by every error about the conversation itself: a
// message that does not decode, an unexpected message, a version mismatch.
var ErrProtocol = errors.New("multiproc: protocol error")

// errKinds names the sentinels an error may wrap when it crosses the pipe.
// The worker sends the first kind whose sentinel its error wraps; the parent
// rebuilds an error with the same message that wraps the same sentinel.
var errKinds = []struct {
	kind     string
	sentinel error
}{
	{"timeout", iobound.ErrTimeout},
	{"body_too_large", iobound.ErrBodyTooLarge},
	{"status", iobound.ErrStatus},
	{"negative", cpubound.ErrNegative},
	{"overflow", cpubound.ErrOverflow},
	{"tls", iobound.ErrTLS},
	{"protocol", ErrProtocol},
	// The system errors a caller most often tests a failed connection for.
	{"connection_refused", syscall.ECONNREFUSED},
	{"connection_reset", syscall.ECONNRESET},
	{"too_many_open_files", syscall.EMFILE},
}

// errOther is the kind of an error that wraps none of the known sentinels.
const errOther = "other"

// errorKind returns the kind to send for err.
func errorKind(err error) string {
	for _, k := range errKinds {
		if errors.Is(err, k.sentinel) {
			return k.kind
		}
	}
	return errOther
}

// remoteError is an error that happened in a worker: its message, and the
// sentinel its kind names (nil for errOther).
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

// errorFrom rebuilds the error a result or error message carries, nil when
// it carries none.
func errorFrom(m message) error {
	if m.ErrKind == "" {
		return nil
	}
	e := &remoteError{msg: m.Err}
	for _, k := range errKinds {
		if k.kind == m.ErrKind {
			e.sentinel = k.sentinel
		}
	}
	return e
}

// setError stores err in m, the reverse of errorFrom.
func (m *message) setError(err error) {
	if err == nil {
		return
	}
	m.ErrKind, m.Err = errorKind(err), err.Error()
}

// encoder writes messages, one JSON object per line.
type encoder struct{ enc *json.Encoder }

func newEncoder(w io.Writer) *encoder { return &encoder{enc: json.NewEncoder(w)} }

func (e *encoder) write(m message) error {
	if err := e.enc.Encode(m); err != nil {
		return fmt.Errorf("multiproc: send %s: %w", m.Type, err)
	}
	return nil
}

// decoder reads the messages an encoder wrote. It lives as long as the pipe:
// json.Decoder buffers, so a second decoder on the same pipe would lose
// whatever the first had read ahead.
type decoder struct{ dec *json.Decoder }

func newDecoder(r io.Reader) *decoder { return &decoder{dec: json.NewDecoder(r)} }

// read returns the next message. At the end of the stream it returns io.EOF
// (nothing more) or io.ErrUnexpectedEOF (the stream ended inside a message);
// a message that does not decode or makes no sense wraps ErrProtocol.
func (d *decoder) read() (message, error) {
	var m message
	if err := d.dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return message{}, err
		}
		return message{}, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if err := m.validate(); err != nil {
		return message{}, err
	}
	return m, nil
}

// validate reports a message that decoded but that no peer of this version
// sends.
func (m message) validate() error {
	bad := func(what string) error {
		return fmt.Errorf("%w: %s message: %s", ErrProtocol, m.Type, what)
	}
	switch m.Type {
	case msgHello:
		if m.Version <= 0 {
			return bad("no version")
		}
		if m.Worker < 0 || m.BodyCap < 0 || m.TimeoutNS < 0 {
			return bad("negative setting")
		}
	case msgReady:
		if m.Version <= 0 {
			return bad("no version")
		}
		if m.PID <= 0 {
			return bad("no pid")
		}
	case msgTask:
		if m.ID < 0 {
			return bad("negative id")
		}
		switch m.Kind {
		case kindFetch:
			if m.URL == "" {
				return bad("fetch without url")
			}
		case kindSum:
		default:
			return bad(fmt.Sprintf("unknown task kind %q", m.Kind))
		}
	case msgResult:
		if m.ID < 0 {
			return bad("negative id")
		}
		if m.EndNS < m.StartNS {
			return bad("ends before it starts")
		}
		fallthrough
	case msgError:
		if m.ErrKind != "" && m.ErrKind != errOther && !knownKind(m.ErrKind) {
			return bad(fmt.Sprintf("unknown error kind %q", m.ErrKind))
		}
		if m.Type == msgError && m.ErrKind == "" {
			return bad("no error")
		}
	default:
		return fmt.Errorf("%w: unknown message type %q", ErrProtocol, m.Type)
	}
	return nil
}

func knownKind(kind string) bool {
	for _, k := range errKinds {
		if k.kind == kind {
			return true
		}
	}
	return false
}

// decodeAll reads every message in data with the decoder the pipes use. It
// is the fuzz target's entry point: whatever the bytes, it returns messages
// or an error, and never panics.
func decodeAll(r io.Reader) ([]message, error) {
	d := newDecoder(r)
	var msgs []message
	for {
		m, err := d.read()
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
	}
}
