package demo_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/demo"
	"conclab/internal/child"
)

func TestMapWrites(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the runtime's check needs two writers at the same instant: with GOMAXPROCS=1 it may never fire")
	}
	res, err := demo.MapWrites(context.Background(), demo.RaceConfig{Rounds: 5})
	require.NoError(t, err)
	require.True(t, res.Triggered, "some round of %d triggered the runtime's check", res.Rounds)
	assert.Equal(t, "fatal error: concurrent map writes", res.Fatal)
	assert.Equal(t, 2, res.ExitCode, "a fatal error exits with status 2")
	assert.Contains(t, res.Trace, "writeMapUnsafely", "the trace names the writing function")
	assert.NotContains(t, res.Trace, "\t", "the trace leaves out file positions")
	assert.GreaterOrEqual(t, res.Rounds, 1)
}

func TestCounters(t *testing.T) {
	cfg := demo.RaceConfig{Goroutines: 4, Increments: 20_000}
	results, err := demo.Counters(context.Background(), cfg)
	require.NoError(t, err)
	require.Len(t, results, 3)
	const expected = 4 * 20_000
	for _, r := range results {
		t.Run(r.Variant+" reports consistent counts", func(t *testing.T) {
			assert.EqualValues(t, expected, r.Expected)
			assert.Equal(t, r.Expected-r.Final, r.Lost)
			assert.Positive(t, r.Final)
			assert.LessOrEqual(t, r.Final, r.Expected, "a lost update never adds")
		})
	}
	t.Run("the unsynchronised counter runs in a child and loses updates", func(t *testing.T) {
		r := results[0]
		assert.Equal(t, demo.Unsynchronised, r.Variant)
		assert.True(t, r.InChild)
		// Every 1000th increment yields between its read and its write
		// while other goroutines are runnable: their increments are
		// overwritten, on one core as on many. On a loaded machine a child
		// can still, rarely, run its goroutines one after another and lose
		// nothing (seen once in CI): a few more children must then lose.
		for try := 0; r.Lost == 0 && try < 3; try++ {
			again, err := demo.Counters(context.Background(), cfg)
			require.NoError(t, err)
			r = again[0]
		}
		assert.Positive(t, r.Lost, "no child of four lost an update")
	})
	t.Run("the mutex and the atomic counters lose nothing", func(t *testing.T) {
		assert.Equal(t, demo.Mutex, results[1].Variant)
		assert.Equal(t, demo.Atomic, results[2].Variant)
		for _, r := range results[1:] {
			assert.Zero(t, r.Lost, r.Variant)
			assert.False(t, r.InChild, r.Variant)
			assert.False(t, r.RaceDetector, r.Variant)
		}
	})
}

func TestRace(t *testing.T) {
	rep, err := demo.Race(context.Background(), demo.RaceConfig{Goroutines: 4, Increments: 10_000, Rounds: 3, MapWrites: 500 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Config.Goroutines)
	assert.Equal(t, demo.DefaultTimeout, rep.Config.Timeout, "defaults are filled in")
	assert.Len(t, rep.Counters, 3)
	if raceEnabled {
		assert.True(t, rep.RaceBuild)
		assert.True(t, rep.Counters[0].RaceDetector, "the race detector reports the child's counter")
	} else {
		assert.False(t, rep.RaceBuild)
		assert.False(t, rep.Counters[0].RaceDetector)
	}
	var b strings.Builder
	require.NoError(t, rep.Write(&b))
	assert.Contains(t, b.String(), "4 goroutines, 10000 times each (40000 expected)")
}

func TestChildErrors(t *testing.T) {
	t.Run("a child stopped at its deadline reports a timeout", func(t *testing.T) {
		_, err := demo.Counters(context.Background(), demo.RaceConfig{Increments: 1 << 30, Timeout: 300 * time.Millisecond})
		assert.ErrorIs(t, err, demo.ErrChildTimeout)
	})
	t.Run("a cancelled caller stops its child", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := demo.Counters(ctx, demo.RaceConfig{Increments: 1 << 30})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, demo.ErrChildTimeout)
	})
	t.Run("a cancelled caller starts no child", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := demo.MapWrites(ctx, demo.RaceConfig{})
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("a child that did not stop at the hook starts no child of its own", func(t *testing.T) {
		t.Setenv(child.RoleEnv, "demo")
		_, err := demo.Counters(context.Background(), demo.RaceConfig{})
		assert.ErrorIs(t, err, demo.ErrNoChildHook)
	})
}

func TestRaceReportWrite(t *testing.T) {
	cfg := demo.RaceConfig{Goroutines: 2, Increments: 10, Rounds: 3, MapWrites: time.Second}
	counters := func(lost int64, detector bool) []demo.CounterResult {
		return []demo.CounterResult{
			{Variant: demo.Unsynchronised, Expected: 20, Final: 20 - lost, Lost: lost, InChild: true, RaceDetector: detector},
			{Variant: demo.Mutex, Expected: 20, Final: 20},
			{Variant: demo.Atomic, Expected: 20, Final: 20},
		}
	}
	tests := []struct {
		name string
		rep  demo.RaceReport
		want []string
		not  []string
	}{
		{
			name: "a caught map race shows the runtime's message",
			rep: demo.RaceReport{Config: cfg, Counters: counters(5, false), Map: demo.MapResult{
				Triggered: true, Fatal: "fatal error: concurrent map writes", ExitCode: 2, Rounds: 1,
				Trace: "fatal error: concurrent map writes\ngoroutine 7 [running]:"}},
			want: []string{"round 1: the child died with exit status 2", "| fatal error: concurrent map writes", "| goroutine 7 [running]:",
				"unsynchronised            15  lost          5 ( 25.0%)", "erased the others' increments", "Build with -race"},
			not: []string{"never caught"},
		},
		{
			name: "an uncaught map race is reported honestly",
			rep:  demo.RaceReport{Config: cfg, Counters: counters(5, false), Map: demo.MapResult{Rounds: 3}},
			want: []string{"3 children wrote for 1s each and the runtime never caught them", "best-effort"},
			not:  []string{"died"},
		},
		{
			name: "a counter that lost nothing is still called wrong",
			rep:  demo.RaceReport{Config: cfg, Counters: counters(0, false), Map: demo.MapResult{Rounds: 3}},
			want: []string{"No increment was lost this time, yet the code is still wrong"},
			not:  []string{"erased"},
		},
		{
			name: "a race build says what its detector saw",
			rep:  demo.RaceReport{Config: cfg, Counters: counters(5, true), RaceBuild: true},
			want: []string{"The race detector (this binary was built with -race) reported it in the child."},
			not:  []string{"Build with -race"},
		},
		{
			name: "a race build whose detector stayed silent says so",
			rep:  demo.RaceReport{Config: cfg, Counters: counters(5, false), RaceBuild: true},
			want: []string{"yet the detector did not report the child"},
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
