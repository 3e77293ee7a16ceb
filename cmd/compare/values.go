package main

import (
	"conclab/internal/units"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits on the flags' values. Each is far above what a comparison needs and
// low enough that no value can make compare allocate gigabytes, start
// thousands of processes or wait for days before it reports: -repeat,
// -runs or -count at 1,000,000,000 used to allocate 8 to 16 GB and die with
// a runtime trace. The flag package checks each as it parses, so a value out
// of range is reported like a malformed one, before any work; -h prints them.
const (
	maxTasks       = 1_000_000 // tasks of one run: requests (URLs × -repeat), or numbers (-count)
	maxRuns        = 10_000
	maxWarmup      = 10_000
	maxWorkers     = 100_000 // goroutines of threaded's pool
	maxProcs       = 256     // worker processes of multiproc's pool
	maxConns       = 100_000 // the event loop's connections in flight
	maxGOMAXPROCS  = 1024
	maxLatency     = time.Minute
	maxTimeout     = time.Hour
	minTimeout     = time.Millisecond
	maxSweepCounts = 100  // entries of sweep's -workers
	maxSweepCount  = 1000 // each of them: at some count each is a process
	maxStarveN     = 10_000_000_000
	maxDelay       = 10 * time.Second
	maxURLLine     = 8192 // bytes of one line of a -urls @file, as a server's request line limit
)

// intFlag is an int flag with its range: the flag package rejects a value
// outside it as it rejects a malformed one ("invalid value "0" for flag
// -runs: must be between 1 and 10,000"), and the help prints the range.
type intFlag struct {
	p        *int
	min, max int64
	hint     string // added to "not a whole number"
}

func (f *intFlag) String() string {
	if f == nil || f.p == nil { // the flag package asks a zero value
		return "0"
	}
	return strconv.Itoa(*f.p)
}

func (f *intFlag) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("must be %s", f.limits())
		}
		return errors.New("not a whole number" + f.hint)
	}
	if n < f.min || n > f.max || n > math.MaxInt {
		return fmt.Errorf("must be %s", f.limits())
	}
	*f.p = int(n)
	return nil
}

func (f *intFlag) limits() string {
	return "between " + units.Thousands(f.min) + " and " + units.Thousands(min(f.max, math.MaxInt))
}

// intVar defines an int flag with a range.
func intVar(fs *flag.FlagSet, p *int, name string, value int, lo, hi int64, usage string) {
	*p = value
	fs.Var(&intFlag{p: p, min: lo, max: hi}, name, usage)
}

// durationFlag is a time.Duration flag with its range, as intFlag.
type durationFlag struct {
	p        *time.Duration
	min, max time.Duration
}

func (f *durationFlag) String() string {
	if f == nil || f.p == nil {
		return "0s"
	}
	return shortDuration(*f.p)
}

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (write 20ms, 1.5s, 2m)")
	}
	if d < f.min || d > f.max {
		return fmt.Errorf("must be %s", f.limits())
	}
	*f.p = d
	return nil
}

func (f *durationFlag) limits() string {
	return "between " + shortDuration(f.min) + " and " + shortDuration(f.max)
}

func durationVar(fs *flag.FlagSet, p *time.Duration, name string, value, lo, hi time.Duration, usage string) {
	*p = value
	fs.Var(&durationFlag{p: p, min: lo, max: hi}, name, usage)
}

// limited is a flag value that knows its range, for the help.
type limited interface{ limits() string }

// countsFlag is sweep's -workers: worker counts, each between 1 and
// maxSweepCount, at most maxSweepCounts of them, each once, in the order
// given.
type countsFlag struct{ p *[]int }

func (f *countsFlag) String() string {
	if f == nil || f.p == nil {
		return ""
	}
	return joinInts(*f.p)
}

func (f *countsFlag) Set(list string) error {
	var out []int
	fields := strings.Split(list, ",")
	if len(fields) > maxSweepCounts {
		return fmt.Errorf("%d counts; at most %d", len(fields), maxSweepCounts)
	}
	for _, s := range fields {
		s = strings.TrimSpace(s)
		if s == "" {
			return fmt.Errorf("empty entry; want counts like %s", defaultSweep)
		}
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			return fmt.Errorf("%q is not a whole number; want counts like %s", s, defaultSweep)
		case n < 1 || n > maxSweepCount:
			return fmt.Errorf("every count must be between 1 and %s, not %s", units.Thousands(maxSweepCount), s)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	*f.p = out
	return nil
}

func (f *countsFlag) limits() string {
	return fmt.Sprintf("up to %d counts, each between 1 and %s", maxSweepCounts, units.Thousands(maxSweepCount))
}

// timelineFlag is -timeline: alone it means lanes, -timeline=tasks the task
// view. It is a boolean flag to the flag package, so that it may stand
// alone; a view needs the = form.
type timelineFlag struct{ view string }

func (t *timelineFlag) String() string   { return t.view }
func (t *timelineFlag) IsBoolFlag() bool { return true }

func (t *timelineFlag) Set(s string) error {
	switch s {
	case "true", viewLanes:
		t.view = viewLanes
	case "false":
		t.view = ""
	case viewTasks:
		t.view = viewTasks
	default:
		return fmt.Errorf("want -timeline, -timeline=%s or -timeline=%s, not %q", viewLanes, viewTasks, s)
	}
	return nil
}

// shortDuration writes d as a user would type it: 20ms, 10s, 1m, 1h.
func shortDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}
