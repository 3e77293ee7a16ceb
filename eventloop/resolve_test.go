package eventloop

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

func TestResolve(t *testing.T) {
	// A name server on 127.0.0.1 that reads every query and never answers,
	// as one behind a dead link would.
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { silent.Close() })
	// Go's resolver does not interrupt a read it has started when its
	// lookup is cancelled, only at its own deadline, seconds later; this
	// dial does, so that no goroutine outlives the test.
	resolver := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "udp", silent.LocalAddr().String())
			if err == nil {
				context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
			}
			return c, err
		},
	}
	const timeout = 100 * time.Millisecond

	t.Run("a name server that never answers fails the host with ErrTimeout after the request's timeout", func(t *testing.T) {
		_, err := resolve(context.Background(), resolver, "conclab-silent.invalid", timeout)
		assert.ErrorIs(t, err, iobound.ErrTimeout)
		assert.Contains(t, err.Error(), "conclab-silent.invalid")
	})
	t.Run("a cancelled run fails the lookup with the run's error, not a timeout", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := resolve(ctx, resolver, "conclab-silent.invalid", timeout)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, iobound.ErrTimeout)
	})
	t.Run("an address needs no name server", func(t *testing.T) {
		addr, err := resolve(context.Background(), resolver, "127.0.0.1", timeout)
		require.NoError(t, err)
		assert.Equal(t, netip.MustParseAddr("127.0.0.1"), addr)
	})
}
