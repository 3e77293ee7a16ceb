package faults

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"conclab/eventloop"
	"conclab/iobound"
	"conclab/multiproc"
	"conclab/sequential"
	"conclab/threaded"

	"conclab/internal/proctest"
)

// downloader is the half of bench.Model that the faults concern.
type downloader interface {
	Name() string
	Download(ctx context.Context, urls []string) (iobound.Report, error)
}

// limits are what a fault case asks of a model: zero means the model's
// default.
type limits struct {
	timeout time.Duration
	bodyCap int64
}

// models builds each of the four models with the given limits. The pools
// have two workers, so that a fault and a good URL are in flight together.
var models = []struct {
	name string
	make func(limits) downloader
}{
	{"sequential", func(l limits) downloader {
		return sequential.Model{Timeout: l.timeout, BodyCap: l.bodyCap}
	}},
	{"threaded", func(l limits) downloader {
		return threaded.Pool{Workers: 2, Timeout: l.timeout, BodyCap: l.bodyCap}
	}},
	{"eventloop", func(l limits) downloader {
		return eventloop.Model{Timeout: l.timeout, BodyCap: l.bodyCap}
	}},
	{"multiproc", func(l limits) downloader {
		return multiproc.Pool{Procs: 2, Timeout: l.timeout, BodyCap: l.bodyCap}
	}},
}

const (
	// smallCap is the body cap of the oversize case: well above both pages,
	// well below the oversize body.
	smallCap      = 64 << 10
	oversizeBytes = 1 << 20
	// shortTimeout is the request timeout of the slow case, which the
	// server's slow response outlasts by far (its SlowDelay is a minute).
	shortTimeout = time.Second
	// caseDeadline bounds every case: a model that hangs fails the case
	// instead of the whole test binary.
	caseDeadline = 60 * time.Second
	// unknownHost cannot exist: its first label is longer than the 63
	// bytes DNS allows. Go's resolver refuses it before sending any query,
	// so the case needs no name server and sends nothing off this machine.
	unknownHost = "conclab-no-such-host-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.invalid"
)

// A faultCase is one way for a URL to go wrong, and what a model must make of
// it: either an error (check says which) or, for a close-delimited body,
// success with wantBytes.
type faultCase struct {
	// does completes "<model> ... and finishes the rest".
	does   string
	url    func(env) string
	limits limits
	// check verifies the failed URL's error; nil means the URL must succeed.
	check     func(t *testing.T, model string, err error)
	wantBytes int64
}

// env is what the cases' URLs are built from.
type env struct {
	server *iobound.Child
	// refused is an address on which nothing listens.
	refused string
}

func isSentinel(sentinel error) func(*testing.T, string, error) {
	return func(t *testing.T, _ string, err error) {
		assert.ErrorIs(t, err, sentinel)
	}
}

// mentions checks that the error names what went wrong: one of the phrases,
// or for the event loop (whose parser has its own sentinel) the sentinel.
func mentions(loopSentinel error, phrases ...string) func(*testing.T, string, error) {
	return func(t *testing.T, model string, err error) {
		if model == "eventloop" && loopSentinel != nil {
			assert.ErrorIs(t, err, loopSentinel)
			return
		}
		for _, p := range phrases {
			if containsFold(err.Error(), p) {
				return
			}
		}
		t.Errorf("error %q mentions none of %q", err, phrases)
	}
}

var faultCases = []faultCase{
	{
		does:  "fails a status 500",
		url:   func(e env) string { return e.server.FaultURL(iobound.FaultStatus500) },
		check: isSentinel(iobound.ErrStatus),
	},
	{
		does:  "fails a reset in the middle of the body",
		url:   func(e env) string { return e.server.FaultURL(iobound.FaultReset) },
		check: mentions(nil, "reset", "unexpected EOF"),
	},
	{
		does:   "fails a response slower than its timeout",
		url:    func(e env) string { return e.server.FaultURL(iobound.FaultSlow) },
		limits: limits{timeout: shortTimeout},
		check:  isSentinel(iobound.ErrTimeout),
	},
	{
		does:      "reads a close-delimited body to its end",
		url:       func(e env) string { return e.server.FaultURL(iobound.FaultCloseDelimited) },
		wantBytes: iobound.SmallPageBytes,
	},
	{
		does:   "fails a body over its cap",
		url:    func(e env) string { return e.server.FaultURL(iobound.FaultOversize) },
		limits: limits{bodyCap: smallCap},
		check:  isSentinel(iobound.ErrBodyTooLarge),
	},
	{
		does:  "fails a refused connection",
		url:   func(e env) string { return "http://" + e.refused + "/" },
		check: isSentinel(syscall.ECONNREFUSED),
	},
	{
		does: "fails a host name that does not resolve",
		url:  func(e env) string { return "http://" + unknownHost + "/" },
		// The lookup fails at once ("no such host"); the short request
		// timeout, which bounds the lookup in every model, is a backstop.
		// The error names the host.
		limits: limits{timeout: shortTimeout},
		check:  mentions(nil, unknownHost),
	},
	{
		does:  "fails a garbage status line",
		url:   func(e env) string { return e.server.FaultURL(iobound.FaultGarbageStatus) },
		check: mentions(eventloop.ErrMalformed, "malformed HTTP status code"),
	},
	{
		does:  "fails a bad chunk size",
		url:   func(e env) string { return e.server.FaultURL(iobound.FaultBadChunk) },
		check: mentions(eventloop.ErrMalformed, "chunk"),
	},
}

// TestFaults runs every model against every fault, in a list where the
// faulty URL sits between good ones: [big, fault, small, big].
func TestFaults(t *testing.T) {
	ctx := context.Background()
	server, err := iobound.StartChild(ctx, iobound.Config{
		Latency:       2 * time.Millisecond,
		OversizeBytes: oversizeBytes,
	})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, server.Close()) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e := env{server: server, refused: ln.Addr().String()}
	require.NoError(t, ln.Close())

	for _, m := range models {
		for _, fc := range faultCases {
			t.Run(m.name+" "+fc.does+" and finishes the rest", func(t *testing.T) {
				faultURL := fc.url(e)
				urls := []string{server.URL(iobound.PathBig), faultURL, server.URL(iobound.PathSmall), server.URL(iobound.PathBig)}
				want := []int64{iobound.BigPageBytes, fc.wantBytes, iobound.SmallPageBytes, iobound.BigPageBytes}

				report := runLeakFree(t, server.PID(), caseDeadline, func(ctx context.Context) (iobound.Report, error) {
					return m.make(fc.limits).Download(ctx, urls)
				})

				require.Len(t, report.Results, len(urls))
				for i, r := range report.Results {
					assert.Equal(t, urls[i], r.URL, "result %d is for another URL", i)
					if i == 1 && fc.check != nil {
						if assert.Error(t, r.Err, "the faulty URL succeeded") {
							t.Logf("error: %v", r.Err)
							fc.check(t, m.name, r.Err)
						}
						continue
					}
					if assert.NoError(t, r.Err, "URL %d: %s", i, r.URL) {
						assert.Equal(t, want[i], r.Bytes, "URL %d: %s", i, r.URL)
					}
				}
				wantFailed := 0
				if fc.check != nil {
					wantFailed = 1
				}
				assert.Equal(t, wantFailed, report.Failed())
			})
		}
	}
}

// runLeakFree runs download under deadline and checks that it returned
// before it, and that it left no goroutine, no file descriptor and no child
// process (other than the server, keep) behind.
func runLeakFree(t *testing.T, keep int, deadline time.Duration, download func(context.Context) (iobound.Report, error)) iobound.Report {
	t.Helper()
	before, fdsOK := proctest.OpenFDs()
	goroutines := goleak.IgnoreCurrent()

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	report, err := download(ctx)
	require.NoError(t, ctx.Err(), "the run hit the case's deadline")
	require.NoError(t, err)
	cancel()

	goleak.VerifyNone(t, goroutines)
	if fdsOK {
		after := settle(func() bool { n, _ := proctest.OpenFDs(); return n <= before })
		n, _ := proctest.OpenFDs()
		assert.True(t, after, "open descriptors: %d before the run, %d after", before, n)
	}
	if _, ok := proctest.Children(os.Getpid()); ok {
		left := func() []int {
			kids, _ := proctest.Children(os.Getpid())
			return slices.DeleteFunc(kids, func(pid int) bool { return pid == keep })
		}
		settle(func() bool { return len(left()) == 0 })
		assert.Empty(t, left(), "child processes left behind")
	}
	return report
}

// settle polls cond for a few seconds, since a peer's close or a reaped
// child shows a moment after the call that caused it; it reports whether
// cond became true.
func settle(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
