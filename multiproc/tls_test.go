package multiproc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/iobound"
)

func TestDownloadOverTLS(t *testing.T) {
	srv, err := iobound.NewServer(iobound.Config{TLS: true})
	require.NoError(t, err)
	defer srv.Close()
	urls := append(srv.URLs(2), srv.URL(iobound.PathSmall))

	t.Run("workers trust the certificate sent in their hello", func(t *testing.T) {
		rep, err := Pool{Procs: 2, RootCAsPEM: srv.CertPEM()}.Download(context.Background(), urls)
		require.NoError(t, err)
		assert.Zero(t, rep.Failed())
		assert.Equal(t, int64(2*(iobound.BigPageBytes+iobound.SmallPageBytes)+iobound.SmallPageBytes), rep.Bytes())
	})
	t.Run("without it every URL fails with ErrTLS", func(t *testing.T) {
		rep, err := Pool{Procs: 1}.Download(context.Background(), urls[:1])
		require.NoError(t, err)
		assert.ErrorIs(t, rep.Results[0].Err, iobound.ErrTLS)
	})
	t.Run("PEM without a certificate fails before any worker starts", func(t *testing.T) {
		_, err := Pool{Procs: 1, RootCAsPEM: []byte("nonsense")}.Download(context.Background(), urls)
		assert.ErrorContains(t, err, "RootCAsPEM")
	})
}
