package child_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"

	"conclab/internal/child"
)

// roleQuietEcho echoes its stdin to its stdout through Quiet, which makes
// both (blocking pipes in a child) non-blocking.
const roleQuietEcho = "child-test-quiet-echo"

func init() {
	child.Register(roleQuietEcho, func() int {
		if _, err := io.Copy(child.Quiet(os.Stdout), child.Quiet(os.Stdin)); err != nil {
			return 1
		}
		return 0
	})
}

// TestQuietCarriesEveryByte sends four times a pipe's buffer to a child
// that echoes it, both ends quiet: writes and reads wait on the poller
// when the pipe is full or empty, and nothing is lost or reordered.
func TestQuietCarriesEveryByte(t *testing.T) {
	p := start(t, context.Background(), roleQuietEcho, "")
	in, out := child.Quiet(p.Stdin), child.Quiet(p.Stdout)
	sent := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	var got []byte
	var g errgroup.Group
	g.Go(func() error {
		_, err := in.Write(sent)
		if err == nil {
			err = p.Stdin.Close()
		}
		return err
	})
	g.Go(func() (err error) {
		got, err = io.ReadAll(out)
		return err
	})
	require.NoError(t, g.Wait())
	assert.True(t, bytes.Equal(sent, got), "sent %d bytes, got %d back", len(sent), len(got))
	require.NoError(t, p.Wait())
}

func TestQuiet(t *testing.T) {
	nonblocking := func(t *testing.T, f *os.File) bool {
		rc, err := f.SyscallConn()
		require.NoError(t, err)
		var flags int
		require.NoError(t, rc.Control(func(fd uintptr) { flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0) }))
		require.NoError(t, err)
		return flags&unix.O_NONBLOCK != 0
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a regular file comes back as it is", func(t *testing.T) {
			f, err := os.Create(t.TempDir() + "/f")
			require.NoError(t, err)
			defer f.Close()
			assert.Same(t, f, child.Quiet(f))
		}},
		{"end of file once the writer has closed", func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			defer r.Close()
			_, err = w.WriteString("last words")
			require.NoError(t, err)
			require.NoError(t, w.Close())
			got, err := io.ReadAll(child.Quiet(r))
			require.NoError(t, err)
			assert.Equal(t, "last words", string(got))
		}},
		{"a write with no reader left fails with EPIPE", func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			defer w.Close()
			require.NoError(t, r.Close())
			_, err = child.Quiet(w).Write([]byte("anyone?"))
			assert.ErrorIs(t, err, syscall.EPIPE)
		}},
		{"a blocking pipe is made non-blocking", func(t *testing.T) {
			var fds [2]int
			require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
			r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
			defer r.Close()
			defer w.Close()
			require.False(t, nonblocking(t, r))
			q := child.Quiet(r)
			require.True(t, nonblocking(t, r))
			_, err := w.WriteString("x")
			require.NoError(t, err)
			buf := make([]byte, 4)
			n, err := q.Read(buf)
			require.NoError(t, err)
			assert.Equal(t, "x", string(buf[:n]))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
