package eventloop

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestModel(t *testing.T) {
	tests := []struct {
		name     string
		model    Model
		workload string
		tasks    int
		want     int
	}{
		{"100 requests are in flight at once by default, as with aiohttp", Model{}, "io", 160, 100},
		{"fewer requests than that are all in flight at once", Model{}, "io", 20, 20},
		{"MaxConns caps the requests in flight", Model{MaxConns: 10}, "io", 160, 10},
		{"a MaxConns above the number of requests changes nothing", Model{MaxConns: 500}, "io", 160, 160},
		{"math.MaxInt is no cap", Model{MaxConns: math.MaxInt}, "io", 10_000, 10_000},
		{"the CPU workload runs one sum at a time", Model{}, "cpu", 20, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.model.Concurrency(tc.workload, tc.tasks))
		})
	}
	assert.Equal(t, "eventloop", Model{}.Name())
}
