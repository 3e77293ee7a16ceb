package testserver

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedisStartsAndKillEndsIt(t *testing.T) {
	s := Redis(t)
	assert.Equal(t, "redis-server", s.Name)
	require.NoError(t, redisProbe(s.Addr(), s.Dir)())
	assert.Error(t, redisProbe(s.Addr(), t.TempDir())(), "another directory is another server")
	require.NoError(t, s.Kill())
	_, err := net.Dial("tcp", s.Addr())
	assert.Error(t, err, "nothing listens once killed")
	require.NoError(t, s.Kill(), "a second kill does nothing")
}
