package multiproc

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
)

// lines encodes messages as a parent would send them.
func lines(t *testing.T, msgs ...message) string {
	t.Helper()
	var b bytes.Buffer
	enc := newEncoder(&b)
	for _, m := range msgs {
		require.NoError(t, enc.write(m))
	}
	return b.String()
}

// The worker loop, run in-process on in-memory pipes.
func TestServeSpeaksTheProtocol(t *testing.T) {
	hello := message{Type: msgHello, Version: protocolVersion}
	sum := func(id, n int) message { return message{Type: msgTask, ID: id, Kind: kindSum, N: n} }
	tests := []struct {
		name     string
		input    string
		wantExit int
		check    func(t *testing.T, out []message)
	}{
		{
			"a worker whose parent closes stdin at once exits cleanly",
			"", exitOK,
			func(t *testing.T, out []message) { assert.Empty(t, out) },
		},
		{
			"a worker answers each task in order and exits when stdin closes",
			lines(t, hello, sum(0, 10), sum(1, 5_000_000), sum(2, -1)), exitOK,
			func(t *testing.T, out []message) {
				require.Len(t, out, 4)
				assert.Equal(t, message{Type: msgReady, Version: protocolVersion, PID: os.Getpid()}, out[0])
				assert.Equal(t, 0, out[1].ID)
				assert.Equal(t, uint64(285), out[1].SumLo)
				want, _ := cpubound.Expected(5_000_000)
				assert.Equal(t, want, cpubound.Uint128{Hi: out[2].SumHi, Lo: out[2].SumLo})
				assert.Equal(t, 2, out[3].ID)
				assert.ErrorIs(t, errorFrom(out[3]), cpubound.ErrNegative)
				for _, m := range out[1:] {
					assert.Equal(t, msgResult, m.Type)
					assert.LessOrEqual(t, m.StartNS, m.EndNS)
				}
			},
		},
		{
			"a worker refuses a parent that speaks another version",
			lines(t, message{Type: msgHello, Version: protocolVersion + 1}), exitProtocol,
			func(t *testing.T, out []message) {
				require.Len(t, out, 1)
				assert.Equal(t, msgError, out[0].Type)
				assert.ErrorIs(t, errorFrom(out[0]), ErrProtocol)
				assert.Contains(t, out[0].Err, "version mismatch")
			},
		},
		{
			"a worker refuses a task before the hello",
			lines(t, sum(0, 3)), exitProtocol,
			func(t *testing.T, out []message) {
				require.Len(t, out, 1)
				assert.Contains(t, out[0].Err, "expected hello")
			},
		},
		{
			"a worker refuses a second hello",
			lines(t, hello, hello), exitProtocol,
			func(t *testing.T, out []message) {
				require.Len(t, out, 2)
				assert.Equal(t, msgReady, out[0].Type)
				assert.Contains(t, out[1].Err, "expected task")
			},
		},
		{
			"a worker refuses bytes that are not a message",
			lines(t, hello) + "GET / HTTP/1.1\r\n", exitProtocol,
			func(t *testing.T, out []message) {
				require.Len(t, out, 2)
				assert.ErrorIs(t, errorFrom(out[1]), ErrProtocol)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := serve(strings.NewReader(tt.input), &stdout, &stderr, nil)
			assert.Equal(t, tt.wantExit, code, "stderr: %s", stderr.String())
			out, err := decodeAll(&stdout)
			require.NoError(t, err, "the worker's own output decodes")
			tt.check(t, out)
			if tt.wantExit != exitOK {
				assert.NotEmpty(t, stderr.String(), "a refusing worker says why on stderr")
			}
		})
	}
}
