package multiproc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
	"conclab/iobound"
)

func TestErrorsKeepTheirMeaningAcrossThePipe(t *testing.T) {
	sentinels := []error{
		iobound.ErrTimeout, iobound.ErrBodyTooLarge, iobound.ErrStatus,
		cpubound.ErrNegative, cpubound.ErrOverflow, ErrProtocol,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EMFILE,
	}
	for _, sentinel := range sentinels {
		t.Run(fmt.Sprintf("an error wrapping %q still wraps it in the parent", sentinel), func(t *testing.T) {
			sent := fmt.Errorf("GET http://127.0.0.1/x: %w", sentinel)
			got := roundTrip(t, sent)
			assert.ErrorIs(t, got, sentinel)
			assert.Equal(t, sent.Error(), got.Error())
			for _, other := range sentinels {
				if other != sentinel {
					assert.NotErrorIs(t, got, other)
				}
			}
		})
	}
	t.Run("an error wrapping no sentinel keeps its message only", func(t *testing.T) {
		got := roundTrip(t, errors.New("connection reset by peer"))
		assert.Equal(t, "connection reset by peer", got.Error())
		for _, s := range sentinels {
			assert.NotErrorIs(t, got, s)
		}
	})
	t.Run("no error stays no error", func(t *testing.T) {
		assert.NoError(t, roundTrip(t, nil))
	})
}

// roundTrip sends err in a result message through the codec and rebuilds it.
func roundTrip(t *testing.T, err error) error {
	t.Helper()
	m := message{Type: msgResult, ID: 1}
	m.setError(err)
	var b bytes.Buffer
	require.NoError(t, newEncoder(&b).write(m))
	got, derr := decodeAll(&b)
	require.NoError(t, derr)
	require.Len(t, got, 1)
	return errorFrom(got[0])
}

func TestDecodeRejectsWhatNoPeerSends(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  error
	}{
		{"bytes that are not JSON", "hello\n", ErrProtocol},
		{"an unknown message type", `{"type":"shutdown"}`, ErrProtocol},
		{"a hello without a version", `{"type":"hello"}`, ErrProtocol},
		{"a ready without a pid", `{"type":"ready","v":1}`, ErrProtocol},
		{"a task of an unknown kind", `{"type":"task","kind":"sleep"}`, ErrProtocol},
		{"a fetch without a url", `{"type":"task","kind":"fetch"}`, ErrProtocol},
		{"a result that ends before it starts", `{"type":"result","start_ns":5,"end_ns":4}`, ErrProtocol},
		{"a result with an unknown error kind", `{"type":"result","err_kind":"gremlins","err":"x"}`, ErrProtocol},
		{"an error message without an error", `{"type":"error"}`, ErrProtocol},
		{"a field of the wrong type", `{"type":"task","kind":"sum","n":"ten"}`, ErrProtocol},
		{"a stream cut inside a message", `{"type":"task","ki`, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			_, err := decodeAll(strings.NewReader(tt.input))
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestDecodeReadsAStreamOfMessages(t *testing.T) {
	input := `{"type":"hello","v":1,"body_cap":16,"timeout_ns":5}
{"type":"task","id":3,"kind":"fetch","url":"http://127.0.0.1:1/"}
{"type":"task","id":4,"kind":"sum","n":-2}`
	msgs, err := decodeAll(strings.NewReader(input))
	require.NoError(t, err)
	assert.Equal(t, []message{
		{Type: msgHello, Version: 1, BodyCap: 16, TimeoutNS: 5},
		{Type: msgTask, ID: 3, Kind: kindFetch, URL: "http://127.0.0.1:1/"},
		{Type: msgTask, ID: 4, Kind: kindSum, N: -2},
	}, msgs)
}

// FuzzDecode feeds the decoder arbitrary bytes, as a corrupt pipe would. It
// must never panic, and whatever it accepts must survive another trip
// through the codec unchanged.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"type":"hello","v":1,"worker":2,"body_cap":16777216,"timeout_ns":10000000000}` + "\n"))
	f.Add([]byte(`{"type":"result","id":7,"sum_hi":2,"sum_lo":18446744073709551615,"start_ns":1,"end_ns":2}` + "\n"))
	f.Add([]byte(`{"type":"error","err_kind":"protocol","err":"version mismatch"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, _ := decodeAll(bytes.NewReader(data))
		for _, m := range msgs {
			require.NoError(t, m.validate())
			var b bytes.Buffer
			require.NoError(t, newEncoder(&b).write(m))
			again, err := decodeAll(&b)
			require.NoError(t, err)
			require.Equal(t, []message{m}, again)
		}
	})
}
