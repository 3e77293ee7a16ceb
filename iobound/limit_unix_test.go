//go:build unix

package iobound

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTooManyOpenFilesNamesTheLimit(t *testing.T) {
	var rl syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl))
	limit := strconv.FormatUint(uint64(rl.Cur), 10)

	t.Run("an error wrapping EMFILE names RLIMIT_NOFILE and its value, and still wraps EMFILE", func(t *testing.T) {
		err := WithDescriptorLimit(fmt.Errorf("dial tcp: socket: %w", syscall.EMFILE))
		assert.ErrorIs(t, err, syscall.EMFILE)
		assert.Contains(t, err.Error(), "RLIMIT_NOFILE, is "+limit)
	})
	t.Run("any other error is left as it is", func(t *testing.T) {
		other := fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED)
		assert.Same(t, other, WithDescriptorLimit(other))
		assert.NoError(t, WithDescriptorLimit(nil))
	})
	t.Run("Fetch names the limit when a dial finds no descriptor", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{
			DialContext: func(context.Context, string, string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.EMFILE)}
			},
		}}
		res := Fetch(context.Background(), client, "http://127.0.0.1:1/", 0, 0)
		require.Error(t, res.Err)
		assert.ErrorIs(t, res.Err, syscall.EMFILE)
		assert.Contains(t, res.Err.Error(), "RLIMIT_NOFILE, is "+limit)
	})
}
