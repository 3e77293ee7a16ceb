package converter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

func TestJobsSplitTheCallsAndTheSeeds(t *testing.T) {
	cfg, err := ProcsConfig{Share: SharePerProcess, Procs: 3, Load: LoadConfig{Ops: 10, Goroutines: 2}}.withDefaults()
	require.NoError(t, err)
	jobs := cfg.jobs()
	require.Len(t, jobs, 3)
	var ops int
	seeds := map[int64]bool{}
	for _, j := range jobs {
		ops += j.Load.Ops
		assert.Equal(t, "locked", j.Load.Kind)
		assert.False(t, seeds[j.Load.Seed], "seed %d used twice", j.Load.Seed)
		seeds[j.Load.Seed] = true
	}
	assert.Equal(t, 10, ops)
	assert.Equal(t, []int{4, 3, 3}, []int{jobs[0].Load.Ops, jobs[1].Load.Ops, jobs[2].Load.Ops})
}

func TestProcsConfigRefusesBadSettings(t *testing.T) {
	for _, cfg := range []ProcsConfig{
		{Share: "shared memory"},
		{Share: SharePerProcess, Procs: -1},
		{Share: SharePerProcess, Procs: MaxProcs + 1},
		{Share: SharePerProcess, Timeout: -1},
		{Share: ShareRedis},
		{Share: SharePerProcess, Load: LoadConfig{Ops: -1}},
	} {
		_, err := cfg.withDefaults()
		assert.Error(t, err, "%+v", cfg)
	}
}

// TestJobsInOneProcess runs the workers' jobs as goroutines of this
// process, each with what a worker process would have, to check the
// arithmetic of the summary; the processes themselves are tested in
// procs_test.go.
func TestJobsInOneProcess(t *testing.T) {
	for _, share := range []string{SharePerProcess, ShareOwner} {
		t.Run(share, func(t *testing.T) {
			cfg, err := ProcsConfig{Share: share, Procs: 4,
				Load: LoadConfig{Ops: 8_000, Keys: 500, Goroutines: 2, Capacity: 500}}.withDefaults()
			require.NoError(t, err)
			owner, err := NewOwner(*cfg.Load.Rules, Options{Capacity: cfg.Load.Keys}, 0)
			require.NoError(t, err)
			reports := make([]procReport, cfg.Procs)
			var g errgroup.Group
			for i, job := range cfg.jobs() {
				cr, cw, or, ow := pipes(t)
				wait := serve(context.Background(), owner, or, ow)
				g.Go(func() error {
					rep, err := runJob(t.Context(), job, cr, cw, nil)
					if share != ShareOwner {
						cw.Close()
					}
					reports[i] = rep
					if err := wait(); err != nil {
						return err
					}
					return err
				})
			}
			require.NoError(t, g.Wait())
			var st *Stats
			if share == ShareOwner {
				s := owner.Stats()
				st = &s
			}
			res := summarize(cfg, reports, st)
			assert.Equal(t, int64(8_000), res.Ops)
			assert.Equal(t, res.Ops, res.Hits+res.Misses)
			assert.Equal(t, res.Computations, res.Distinct+res.Repeated)
			if share == ShareOwner {
				assert.Zero(t, res.Repeated, "the owner computes each amount once")
			} else {
				assert.Positive(t, res.Repeated, "four caches compute popular amounts four times")
			}
		})
	}
}
