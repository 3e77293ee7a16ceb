//go:build unix

package converter

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/testserver"
)

// TestRedisThatHangsFailsAtTheDeadline freezes the server (SIGSTOP): its
// connections stay open and nothing answers, as with a server stuck or a
// network that drops packets. Every conversion, and a new client, fails at
// its timeout with an error that says so; none hangs.
func TestRedisThatHangsFailsAtTheDeadline(t *testing.T) {
	srv := testserver.Redis(t)
	ctx := testCtx(t)
	const timeout = 300 * time.Millisecond
	c := newRedisCache(t, srv.URL, DefaultRules(), RedisOptions{Namespace: testNamespace(), Timeout: timeout})
	r, err := c.Convert(ctx, 1_000)
	require.NoError(t, err, "the server answers before it is frozen")
	require.Equal(t, int64(700), r.Converted)

	require.NoError(t, syscall.Kill(srv.PID(), syscall.SIGSTOP))
	t.Cleanup(func() { _ = syscall.Kill(srv.PID(), syscall.SIGCONT) })
	var wg sync.WaitGroup
	for _, p := range []int64{1_000, 2_000, 3_000, 1_000} {
		wg.Go(func() {
			_, err := c.Convert(ctx, p)
			assert.ErrorIs(t, err, ErrSharedCache)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorContains(t, err, srv.URL+": look up: ")
		})
	}
	waitWithin(t, ctx, &wg)

	_, err = NewRedis(ctx, srv.URL, DefaultRules(), RedisOptions{Timeout: timeout})
	require.ErrorIs(t, err, ErrSharedCache)
	assert.ErrorContains(t, err, srv.URL+" does not answer")
}
