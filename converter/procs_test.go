package converter

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/internal/testserver"
)

// procsLoad is a load whose misses overlap across processes: few amounts,
// and a computation long enough (2 ms, like a slow rate service) that the
// processes, started together, ask for the popular ones while the first
// computation of each is still running.
func procsLoad() LoadConfig {
	return LoadConfig{Ops: 2_000, Keys: 50, Goroutines: 4, Cost: Cost{Sleep: 2 * time.Millisecond}}
}

// TestRunProcsComputesEachAmountOnceWhenShared runs one load in four
// worker processes, this test binary started again, for each way of
// sharing: per-process caches compute popular amounts once per process;
// the owner and Redis compute each amount exactly once across all of them,
// though several processes missed it at the same time.
func TestRunProcsComputesEachAmountOnceWhenShared(t *testing.T) {
	ctx := testCtx(t)
	for _, share := range Shares() {
		t.Run(share, func(t *testing.T) {
			load := procsLoad()
			if share == ShareRedis {
				load.CacheURL = testserver.Redis(t).URL
			}
			res, err := RunProcs(ctx, ProcsConfig{Share: share, Procs: 4, Load: load})
			require.NoError(t, err)
			assert.Equal(t, share, res.Share)
			assert.Equal(t, int64(load.Ops), res.Ops, "every call was made")
			assert.Zero(t, res.Failed, res.Error)
			assert.Zero(t, res.Wrong)
			assert.Equal(t, res.Ops, res.Hits+res.Misses)
			assert.Equal(t, res.Computations, res.Distinct+res.Repeated)
			assert.LessOrEqual(t, res.Distinct, int64(load.Keys))
			if share == SharePerProcess {
				assert.Positive(t, res.Repeated, "four caches compute popular amounts up to four times")
				return
			}
			assert.Zero(t, res.Repeated, "each amount is computed once across the processes")
			assert.Greater(t, res.Misses, res.Computations,
				"several processes missed one amount at once and shared its computation")
		})
	}
}

// TestRunProcsOnARedisThatIsDown: every conversion fails, saying why, and
// the run completes.
func TestRunProcsOnARedisThatIsDown(t *testing.T) {
	srv := testserver.Redis(t)
	require.NoError(t, srv.Kill())
	load := procsLoad()
	load.CacheURL = srv.URL
	res, err := RunProcs(testCtx(t), ProcsConfig{Share: ShareRedis, Procs: 2, Load: load, Timeout: 2 * time.Second})
	require.NoError(t, err, "the run completes")
	assert.Equal(t, int64(load.Ops), res.Failed)
	assert.Equal(t, int64(load.Ops), res.Ops, "the calls asked are counted, failed or not")
	assert.Zero(t, res.Wrong)
	assert.Contains(t, res.Error, ErrSharedCache.Error())
	assert.Contains(t, res.Error, srv.URL)
}

// TestRunProcsOnARedisThatGoesAway kills the server once the workers have
// stored some results: the calls after it fail with the shared cache's
// error, those before it succeeded with the right results, and the run
// completes.
func TestRunProcsOnARedisThatGoesAway(t *testing.T) {
	srv := testserver.Redis(t)
	ctx := testCtx(t)
	load := procsLoad()
	load.Ops, load.Keys = 20_000, 2_000 // more than the run before the kill can do
	load.CacheURL = srv.URL
	type outcome struct {
		res ProcsResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := RunProcs(ctx, ProcsConfig{Share: ShareRedis, Procs: 3, Load: load, Timeout: 2 * time.Second})
		done <- outcome{res, err}
	}()
	for {
		n, err := redisKeys(srv.URL)
		require.NoError(t, err)
		if n >= 20 {
			break
		}
		select {
		case out := <-done:
			t.Fatalf("the run ended before the server was stopped: %+v, %v", out.res, out.err)
		case <-ctx.Done():
			t.Fatal("the workers stored nothing")
		case <-time.After(10 * time.Millisecond):
		}
	}
	require.NoError(t, srv.Kill())
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
		t.Fatal("the run did not complete")
	}
	require.NoError(t, out.err, "the run completes")
	res := out.res
	assert.Equal(t, int64(load.Ops), res.Ops)
	assert.Positive(t, res.Failed, "the calls after the stop failed")
	assert.Less(t, res.Failed, res.Ops, "the calls before the stop succeeded")
	assert.Zero(t, res.Wrong, "no result is wrong")
	assert.Contains(t, res.Error, ErrSharedCache.Error())
	assert.Zero(t, res.Repeated, "what was computed was computed once")
}

// redisKeys asks the server at rawURL how many keys it holds (DBSIZE,
// inline form), with a deadline.
func redisKeys(rawURL string) (int, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, err
	}
	conn, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("DBSIZE\r\n")); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(strings.TrimSpace(line), ":")
	if !ok {
		return 0, fmt.Errorf("DBSIZE answered %q", line)
	}
	return strconv.Atoi(n)
}

func TestRunProcsRefusesBadSettingsBeforeStarting(t *testing.T) {
	_, err := RunProcs(t.Context(), ProcsConfig{Share: "shared memory"})
	assert.ErrorIs(t, err, ErrUnknownShare)
	_, err = RunProcs(t.Context(), ProcsConfig{Share: SharePerProcess, Procs: MaxProcs + 1})
	assert.Error(t, err)
}
