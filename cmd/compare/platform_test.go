package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"conclab/bench"
	"conclab/eventloop"
	"conclab/sequential"
	"conclab/threaded"
)

func TestRunnable(t *testing.T) {
	models := []bench.Model{sequential.Model{}, eventloop.Model{}, threaded.Pool{}}
	t.Run("a model the system cannot run is skipped with one line", func(t *testing.T) {
		noPoller := func(m bench.Model) error {
			if m.Name() == "eventloop" {
				return fmt.Errorf("probe: %w", eventloop.ErrUnsupported)
			}
			return nil
		}
		var stderr strings.Builder
		kept := runnable(models, noPoller, &stderr)
		assert.Equal(t, []bench.Model{sequential.Model{}, threaded.Pool{}}, kept)
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
		assert.Contains(t, stderr.String(), "compare: eventloop skipped on ")
		assert.Contains(t, stderr.String(), "no epoll or kqueue on this platform (it needs Linux, macOS or a BSD)")
		assert.Len(t, models, 3, "the caller's list is left as it was")
	})
	t.Run("on this system every model runs", func(t *testing.T) {
		var stderr strings.Builder
		assert.Equal(t, models, runnable(models, unsupported, &stderr))
		assert.Empty(t, stderr.String())
	})
}
