package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/demo"
)

func TestNoLocks(t *testing.T) {
	rep, err := demo.NoLocks(context.Background(), demo.NoLocksConfig{Tasks: 4, Updates: 2_000})
	require.NoError(t, err)
	require.Len(t, rep.Results, 3)
	const expected = 4 * 2_000
	loop, awaitInside, pool := rep.Results[0], rep.Results[1], rep.Results[2]

	t.Run("every variant expects tasks times updates", func(t *testing.T) {
		for _, r := range rep.Results {
			assert.Equal(t, expected, r.Expected, r.Variant)
			assert.LessOrEqual(t, r.Count, r.Expected, "%s: a lost update never adds", r.Variant)
			assert.LessOrEqual(t, r.Mapped, r.Expected, r.Variant)
		}
	})
	t.Run("the loop's tasks updating between awaits lose nothing", func(t *testing.T) {
		assert.Equal(t, demo.LoopBetweenAwaits, loop.Variant)
		assert.Equal(t, expected, loop.Count)
		assert.Equal(t, expected, loop.Mapped)
		assert.False(t, loop.InChild, "the loop runs in this process, under -race when the tests are")
	})
	t.Run("an await inside the update loses updates on the loop too", func(t *testing.T) {
		// Every task reads in the loop's first iteration and writes in
		// its second: whatever the timers do later, the first round
		// alone loses three of four updates.
		assert.Equal(t, demo.LoopAwaitInside, awaitInside.Variant)
		assert.Positive(t, awaitInside.LostCount())
		assert.Positive(t, awaitInside.LostMapped())
	})
	t.Run("the goroutines get it wrong in a child on one processor", func(t *testing.T) {
		assert.Equal(t, demo.Goroutines, pool.Variant)
		assert.True(t, pool.InChild)
		assert.Equal(t, 1, pool.GOMAXPROCS, "one processor unless told otherwise")
		assertWrong(t, pool)
		assert.Equal(t, raceEnabled, pool.RaceDetector, "the race detector reports the child exactly when it is built in")
	})
	t.Run("the report says why", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, rep.Write(&b))
		assert.Contains(t, b.String(), "(8000 expected)")
		assert.Contains(t, b.String(), "asyncio code needs no lock")
		assert.Contains(t, b.String(), "asyncio.Lock")
	})
}

func TestNoLocksOnMoreProcessors(t *testing.T) {
	rep, err := demo.NoLocks(context.Background(), demo.NoLocksConfig{Tasks: 4, Updates: 2_000, GOMAXPROCS: 2})
	require.NoError(t, err)
	pool := rep.Results[2]
	assert.Equal(t, 2, pool.GOMAXPROCS)
	assertWrong(t, pool)
}

// assertWrong checks that goroutines sharing the tally with no lock got it
// wrong: either updates were lost (every 1000th update yields between its
// read and its write, so some always are), or two goroutines were inside a
// map access at once, one writing, and the runtime stopped the child. Which one happens
// is up to the scheduler, on one processor as on two.
func assertWrong(t *testing.T, pool demo.TallyResult) {
	t.Helper()
	if pool.Fatal != "" {
		// "concurrent map writes", or "... read and map write".
		assert.True(t, strings.HasPrefix(pool.Fatal, "fatal error: concurrent map "), pool.Fatal)
		assert.Zero(t, pool.Count, "a stopped child reports no count")
		return
	}
	assert.Positive(t, pool.LostCount())
}

func TestNoLocksCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := demo.NoLocks(ctx, demo.NoLocksConfig{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNoLocksReportWrite(t *testing.T) {
	cfg := demo.NoLocksConfig{Tasks: 2, Updates: 10, GOMAXPROCS: 1}
	loop := demo.TallyResult{Variant: demo.LoopBetweenAwaits, Expected: 20, Count: 20, Mapped: 20}
	inside := demo.TallyResult{Variant: demo.LoopAwaitInside, Expected: 20, Count: 10, Mapped: 10}
	pool := demo.TallyResult{Variant: demo.Goroutines, Expected: 20, Count: 12, Mapped: 15, InChild: true, GOMAXPROCS: 1}
	fatal := demo.TallyResult{Variant: demo.Goroutines, Expected: 20, InChild: true, GOMAXPROCS: 2,
		Fatal: "fatal error: concurrent map writes"}
	clean := pool
	clean.Count, clean.Mapped = 20, 20
	raced := pool
	raced.RaceDetector = true
	tests := []struct {
		name string
		rep  demo.NoLocksReport
		want []string
		not  []string
	}{
		{
			name: "lost updates are counted for the counter and the map",
			rep:  demo.NoLocksReport{Config: cfg, Results: []demo.TallyResult{loop, inside, pool}},
			want: []string{"goroutines, GOMAXPROCS=1 (child)              12         8        15         5",
				"every 1000th update", "on one processor as the loop", "Build with -race"},
			not: []string{"stopped by the runtime"},
		},
		{
			name: "a child stopped by the runtime shows its message",
			rep:  demo.NoLocksReport{Config: cfg, Results: []demo.TallyResult{loop, inside, fatal}},
			want: []string{"stopped by the runtime: fatal error: concurrent map writes", "on 2 processors: two of\nthem were inside the map at the same time, one writing"},
			not:  []string{"every 1000th update"},
		},
		{
			name: "goroutines that lost nothing are still called wrong",
			rep:  demo.NoLocksReport{Config: cfg, Results: []demo.TallyResult{loop, inside, clean}},
			want: []string{"lost nothing this time, yet the code is still wrong"},
		},
		{
			name: "a race build says the detector watched the loop and reported the child",
			rep:  demo.NoLocksReport{Config: cfg, Results: []demo.TallyResult{loop, inside, raced}, RaceBuild: true},
			want: []string{"detector watched the\nloop in this process and had nothing to report", "reported it in the child"},
			not:  []string{"Build with -race"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, tt.rep.Write(&b))
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, b.String(), n)
			}
		})
	}
}
