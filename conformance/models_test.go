package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"conclab/eventloop"
	"conclab/iobound"
	"conclab/multiproc"
	"conclab/sequential"
	"conclab/threaded"
)

// downloader is the half of bench.Model that these tests concern.
type downloader interface {
	Name() string
	Download(ctx context.Context, urls []string) (iobound.Report, error)
}

// models are the four models as a user gets them by default: what compare
// runs when given nothing but -urls. The event loop's zero value is its
// default, which caps the connections in flight at 100 as the original's
// aiohttp connector does.
var models = []downloader{
	sequential.Model{},
	threaded.Pool{Workers: threaded.DefaultWorkers},
	eventloop.Model{},
	multiproc.Pool{Procs: multiproc.DefaultProcs()},
}

// runDeadline bounds one model's run over one list: a model that hangs
// fails its test instead of the whole test binary. Every request has its
// own timeout (iobound.DefaultTimeout) well inside it.
const runDeadline = 2 * time.Minute

// download runs m over urls under runDeadline and returns one result per URL.
func download(t *testing.T, m downloader, urls []string) []iobound.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runDeadline)
	defer cancel()
	report, err := m.Download(ctx, urls)
	require.NoError(t, ctx.Err(), "the run hit its deadline")
	require.NoError(t, err)
	require.Len(t, report.Results, len(urls))
	return report.Results
}
