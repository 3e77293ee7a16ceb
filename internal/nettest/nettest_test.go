package nettest_test

import (
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/internal/nettest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServe(t *testing.T) {
	tests := []struct {
		name  string
		serve func(n int, c net.Conn)
		want  string
	}{
		{"each connection is served, counted from 0", func(n int, c net.Conn) { _, _ = c.Write([]byte{'0' + byte(n)}) }, "0"},
		{"a serve that blocks on its connection ends with the test", func(int, net.Conn) {}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := nettest.Serve(t, tt.serve)
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			got, err := io.ReadAll(c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
	t.Run("a stalled connection is closed at the end", func(t *testing.T) {
		var addr string
		t.Run("server", func(t *testing.T) {
			addr = nettest.Serve(t, func(_ int, c net.Conn) { _, _ = io.Copy(io.Discard, c) })
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			t.Cleanup(func() { c.Close() })
		})
		_, err := net.Dial("tcp", addr)
		assert.Error(t, err, "the listener is closed")
	})
}
