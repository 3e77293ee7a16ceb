package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"conclab/bench"
	"conclab/converter"
	"conclab/cpubound"
	"conclab/iobound"
	"conclab/multiproc"
)

// Subcommands.
const (
	subIO      = "io"
	subCPU     = "cpu"
	subConvert = "convert"
	subSweep   = "sweep"
	subDemo    = "demo"
)

// Demonstrations of `compare demo NAME`.
const (
	demoStarve = "starve"
	demoRace   = "race"
)

func demoNames() []string { return []string{demoStarve, demoRace} }

// Views of -timeline.
const (
	viewLanes = "lanes"
	viewTasks = "tasks"
)

// Defaults chosen so that a plain `compare` finishes within about 30 seconds
// on two cores with every model. The sequential I/O run dominates:
// 160 requests × 20 ms = 3.2 s a run.
const (
	defaultRuns   = 3
	defaultWarmup = 1
	defaultCount  = 20
	defaultBase   = 5_000_000
	defaultWorker = 5
)

// Defaults of the sweep, chosen so that it finishes in about 20 seconds on
// two cores: 160 requests at 5 ms, the one-worker run 0.8 s.
const (
	defaultSweep        = "1,2,5,10,20,50,100"
	defaultSweepLatency = 5 * time.Millisecond
)

// Defaults of `compare demo starve`: a task of about 60 ms, and a timer due
// 1 ms after it was scheduled.
const (
	defaultStarveN     = 100_000_000
	defaultStarveDelay = time.Millisecond
)

// options is everything the flags and the subcommand decide.
type options struct {
	parts   []string // subIO, subCPU, subConvert, in order
	models  []modelSpec
	runs    int
	warmup  int
	format  bench.Format
	latency time.Duration
	repeat  int
	urls    []string // nil: the embedded server
	timeout time.Duration
	bodyCap int64
	count   int
	base    int
	workers int
	procs   int
	points  string // convert -points, "" when not given
	rules   string // a rules file, "" for the default rules

	timeline   string // viewLanes or viewTasks to draw timelines, "" for none
	svg        string // -svg: the file the timelines are written to, "" for none
	gomaxprocs int    // 0 leaves GOMAXPROCS as it is

	sweep    []int  // sweep: the worker counts, in the order given
	workload string // sweep: bench.WorkloadIO or bench.WorkloadCPU

	demo        string        // demoStarve or demoRace
	starveN     int           // demo starve: the task sums the squares below starveN
	starveDelay time.Duration // demo starve: when the timer is due
}

// full reports whether this is the whole comparison (no subcommand).
func (o options) full() bool { return len(o.parts) == 3 }

// usageError is bad input: the command prints it in one line and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// parseArgs reads the subcommand and the flags, which may come before or
// after it. flag.ErrHelp is returned for -h.
func parseArgs(args []string) (options, error) {
	o := options{format: bench.FormatTable}
	fs, raw := newFlagSet()
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	rest := fs.Args()
	sub := ""
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
		if hint := viewHint(sub); hint != "" {
			return o, usagef("unexpected argument %q%s", sub, hint)
		}
		if sub == subDemo && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			o.demo, rest = rest[0], rest[1:]
		}
		if err := parseFlags(fs, rest); err != nil {
			return o, err
		}
		if len(fs.Args()) > 0 {
			return o, usagef("unexpected argument %q after the subcommand %s%s", fs.Args()[0], sub, viewHint(fs.Args()[0]))
		}
	}
	raw.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { raw.set[f.Name] = true })
	switch sub {
	case "":
		o.parts = []string{subIO, subCPU, subConvert}
	case subIO, subCPU, subConvert, subSweep, subDemo:
		o.parts = []string{sub}
	default:
		return o, usagef("unknown subcommand %q (valid: %s)%s", sub,
			strings.Join([]string{subIO, subCPU, subConvert, subSweep, subDemo}, ", "), viewHint(sub))
	}
	if sub == subDemo && !slices.Contains(demoNames(), o.demo) {
		if o.demo == "" {
			return o, usagef("demo: name a demonstration (valid: %s)", strings.Join(demoNames(), ", "))
		}
		return o, usagef("demo: unknown demonstration %q (valid: %s)", o.demo, strings.Join(demoNames(), ", "))
	}
	return o, raw.validate(&o)
}

// viewHint helps with "-timeline tasks", which the flag package reads as
// -timeline followed by an argument.
func viewHint(arg string) string {
	if arg == viewLanes || arg == viewTasks {
		return fmt.Sprintf("; for the %s view write -timeline=%s", arg, arg)
	}
	return ""
}

// sub is the subcommand, "" for the whole comparison.
func (o options) sub() string {
	if o.full() || len(o.parts) == 0 {
		return ""
	}
	return o.parts[0]
}

// parseFlags parses and turns the flag package's errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return err
	}
	return usageError{err.Error()}
}

// rawFlags holds the flag values before validation.
type rawFlags struct {
	models, format, urls, points, rules string
	workers, svg, workload              string
	timeline                            timelineFlag
	runs, warmup, repeat, count, base   int
	procs, gomaxprocs, starveN          int
	latency, timeout, delay             time.Duration
	set                                 map[string]bool // the flags given
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

func newFlagSet() (*flag.FlagSet, *rawFlags) {
	r := &rawFlags{}
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&r.models, "models", strings.Join(modelNames(), ","), "comma-separated `list` of models to run")
	fs.IntVar(&r.runs, "runs", defaultRuns, "measured runs per model")
	fs.IntVar(&r.warmup, "warmup", defaultWarmup, "unmeasured warm-up runs per model before them")
	fs.StringVar(&r.format, "format", string(bench.FormatTable), "output `format`")
	fs.DurationVar(&r.latency, "latency", iobound.DefaultLatency, "the embedded server's wait before each response")
	fs.IntVar(&r.repeat, "repeat", iobound.DefaultRepeat, "how many times the list of sites is repeated")
	fs.StringVar(&r.urls, "urls", "", "comma-separated `list` of http(s) URLs to fetch instead of the embedded server")
	fs.DurationVar(&r.timeout, "timeout", iobound.DefaultTimeout, "timeout of each request, body included")
	fs.IntVar(&r.count, "count", defaultCount, "how many numbers the CPU workload sums the squares below")
	fs.IntVar(&r.base, "base", defaultBase, "the first of those numbers")
	fs.StringVar(&r.workers, "workers", strconv.Itoa(defaultWorker),
		"threaded: goroutines in the pool (default 5); sweep: the comma-separated worker `counts` (default "+defaultSweep+")")
	fs.IntVar(&r.procs, "procs", multiproc.DefaultProcs(), "multiproc: worker processes in the pool (one per CPU unless given)")
	fs.StringVar(&r.points, "points", "", "convert: convert this one amount of A `points` and print the result")
	fs.StringVar(&r.rules, "rules", "", "convert and the converter table: read the conversion rules from this JSON `file`")
	fs.Var(&r.timeline, "timeline", "io, cpu and the full run: after each table draw each model's last run, one row per goroutine or process; -timeline=tasks: one row per task")
	fs.StringVar(&r.svg, "svg", "", "write the same timelines as an SVG picture to this `file` (with or without -timeline)")
	fs.IntVar(&r.gomaxprocs, "gomaxprocs", 0, "run the models with GOMAXPROCS=`N`, worker processes included (the embedded server keeps its own)")
	fs.StringVar(&r.workload, "workload", bench.WorkloadIO, "sweep: the `workload` swept, io or cpu")
	fs.IntVar(&r.starveN, "n", defaultStarveN, "demo starve: the blocking task sums the squares below `N`")
	fs.DurationVar(&r.delay, "delay", defaultStarveDelay, "demo starve: when the timer is due, after the task was scheduled")
	return fs, r
}

// validate checks every flag and fills o. Errors name the flag.
func (r *rawFlags) validate(o *options) error {
	var err error
	if o.format, err = bench.ParseFormat(r.format); err != nil {
		return usagef("-format: %v", err)
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"-runs", r.runs}, {"-repeat", r.repeat}, {"-count", r.count}, {"-procs", r.procs}} {
		if n.v <= 0 {
			return usagef("%s: must be at least 1, not %d", n.name, n.v)
		}
	}
	switch {
	case r.warmup < 0:
		return usagef("-warmup: must not be negative, not %d", r.warmup)
	case r.latency < 0:
		return usagef("-latency: must not be negative, not %s", r.latency)
	case r.timeout <= 0:
		return usagef("-timeout: must be positive, not %s", r.timeout)
	case r.base < 0:
		return usagef("-base: must not be negative, not %d", r.base)
	case int64(r.base) > cpubound.MaxN-int64(r.count-1):
		return usagef("-base: %d + %d numbers passes %d, the largest n whose sum of squares fits in 128 bits", r.base, r.count, cpubound.MaxN)
	}
	o.runs, o.warmup, o.latency, o.repeat, o.timeout = r.runs, r.warmup, r.latency, r.repeat, r.timeout
	o.count, o.base, o.procs = r.count, r.base, r.procs
	o.rules = r.rules
	if err := r.validateTeaching(o); err != nil {
		return err
	}

	if o.models, err = parseModels(r.models); err != nil {
		return err
	}
	if o.sub() == subSweep {
		if o.models, err = sweepModels(o.models, r.set["models"]); err != nil {
			return err
		}
	}
	if r.urls != "" {
		if o.urls, err = parseURLs(r.urls); err != nil {
			return err
		}
	}
	if r.points != "" {
		if len(o.parts) != 1 || o.parts[0] != subConvert {
			return usagef("-points: only with the convert subcommand")
		}
		if _, err := converter.ParsePoints(r.points); err != nil {
			return usagef("-points: %v", err)
		}
		o.points = r.points
	}
	if len(o.parts) == 1 && o.parts[0] == subConvert && o.points == "" && o.format == bench.FormatCSV {
		return usagef("-format: csv carries the two workloads' times only; use table, markdown, json or bench for convert")
	}
	return nil
}

// maxSweepCount caps a sweep's worker count: each is a process of the pool
// at some point.
const maxSweepCount = 1000

// validateTeaching checks the flags of the teaching layer (-workers, the
// sweep, -timeline, -svg, -gomaxprocs, the demos) and fills o.
func (r *rawFlags) validateTeaching(o *options) error {
	sub := o.sub()
	if r.set["gomaxprocs"] && r.gomaxprocs < 1 {
		return usagef("-gomaxprocs: must be at least 1, not %d", r.gomaxprocs)
	}
	o.gomaxprocs = r.gomaxprocs
	if sub == subSweep {
		list := defaultSweep
		if r.set["workers"] {
			list = r.workers
		}
		var err error
		if o.sweep, err = parseCounts(list); err != nil {
			return err
		}
		if !r.set["latency"] {
			o.latency = defaultSweepLatency
		}
		if r.workload != bench.WorkloadIO && r.workload != bench.WorkloadCPU {
			return usagef("-workload: %q is neither %s nor %s", r.workload, bench.WorkloadIO, bench.WorkloadCPU)
		}
		o.workload = r.workload
		if o.format == bench.FormatCSV || o.format == bench.FormatBench {
			return usagef("-format: the sweep prints table, markdown or json")
		}
	} else {
		n, err := strconv.Atoi(strings.TrimSpace(r.workers))
		switch {
		case err != nil:
			return usagef("-workers: want one number, not %q (a list is for the sweep subcommand)", r.workers)
		case n < 1:
			return usagef("-workers: must be at least 1, not %d", n)
		}
		o.workers = n
		if r.set["workload"] {
			return usagef("-workload: only with the sweep subcommand")
		}
	}
	for _, f := range []string{"timeline", "svg"} {
		if r.set[f] && sub != "" && sub != subIO && sub != subCPU {
			return usagef("-%s: draws the io and cpu runs; not with %s", f, sub)
		}
	}
	if r.timeline.view != "" && o.format != bench.FormatTable && o.format != bench.FormatMarkdown {
		return usagef("-timeline: draws in the terminal, with -format table or markdown (-svg writes the picture with any format)")
	}
	o.timeline, o.svg = r.timeline.view, r.svg
	if sub == subDemo {
		switch {
		case r.starveN < 1 || int64(r.starveN) > cpubound.MaxN:
			return usagef("-n: must be between 1 and %d, not %d", cpubound.MaxN, r.starveN)
		case r.delay < 0:
			return usagef("-delay: must not be negative, not %s", r.delay)
		case r.set["format"] && o.format != bench.FormatTable:
			return usagef("-format: a demonstration prints text only")
		}
		o.starveN, o.starveDelay = r.starveN, r.delay
	} else {
		for _, f := range []string{"n", "delay"} {
			if r.set[f] {
				return usagef("-%s: only with demo %s", f, demoStarve)
			}
		}
	}
	return nil
}

// parseCounts reads the sweep's list of worker counts: positive numbers,
// each once, in the order given.
func parseCounts(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, usagef("-workers: empty entry in %q; want counts like %s", list, defaultSweep)
		}
		n, err := strconv.Atoi(f)
		switch {
		case err != nil:
			return nil, usagef("-workers: %q is not a whole number; want counts like %s", f, defaultSweep)
		case n < 1:
			return nil, usagef("-workers: every count must be at least 1, not %d", n)
		case n > maxSweepCount:
			return nil, usagef("-workers: %d is more than %d", n, maxSweepCount)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// sweepModels keeps the models that have a worker count. Without -models
// that is threaded and multiproc; a model without one given by name is an
// error.
func sweepModels(specs []modelSpec, named bool) ([]modelSpec, error) {
	var out []modelSpec
	for _, s := range specs {
		switch {
		case s.sweep != nil:
			out = append(out, s)
		case named:
			return nil, usagef("-models: %s has no worker count to sweep (sweep: threaded, multiproc)", s.name)
		}
	}
	return out, nil
}

func modelNames() []string {
	specs := modelSpecs()
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return names
}

// parseModels picks the named models, in the order given.
func parseModels(list string) ([]modelSpec, error) {
	var out []modelSpec
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		i := -1
		for j, s := range modelSpecs() {
			if s.name == name {
				i = j
			}
		}
		if i < 0 {
			return nil, usagef("-models: unknown model %q (valid: %s)", name, strings.Join(modelNames(), ", "))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, modelSpecs()[i])
		}
	}
	if len(out) == 0 {
		return nil, usagef("-models: no model given (valid: %s)", strings.Join(modelNames(), ", "))
	}
	return out, nil
}

// parseURLs splits and checks -urls: each needs an http or https scheme and
// a host.
func parseURLs(list string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		switch {
		case err != nil:
			return nil, usagef("-urls: %q is not a URL: %v", s, err)
		case u.Scheme != "http" && u.Scheme != "https":
			return nil, usagef("-urls: %q: the scheme must be http or https", s)
		case u.Host == "" || u.Hostname() == "":
			return nil, usagef("-urls: %q has no host", s)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, usagef("-urls: no URL given")
	}
	return out, nil
}

// usage writes the help text.
func usage(w io.Writer) {
	fs, _ := newFlagSet()
	fmt.Fprint(w, `compare runs conclab's concurrency models on two workloads and prints what
it measured: an I/O-bound one (GET 160 pages) and a CPU-bound one (exact sums
of squares), then a shared-cache benchmark of the point converter.

Usage:
  compare [flags]                 io, then cpu, then convert
  compare io [flags]              the I/O-bound workload only
  compare cpu [flags]             the CPU-bound workload only
  compare convert [flags]         the converter's cache variants under load
  compare convert -points N       convert one amount and print the result
  compare sweep [flags]           time against worker count for threaded and multiproc
  compare demo starve             an event-loop task that never yields, and what it delays
  compare demo race               unsynchronised writes: a map, a counter (in child processes)
Flags may come before or after the subcommand.

Models (-models):
`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, s := range modelSpecs() {
		fmt.Fprintf(tw, "  %s\t%s\n", s.name, s.about)
	}
	tw.Flush()
	fmt.Fprint(w, `
How it measures: each model gets -warmup unmeasured runs, then -runs measured
ones. An I/O warm-up run is short: it fetches only 2 × the model's concurrency
URLs (at least 2), enough to open its connections and start its workers. The
CPU warm-up is the whole workload. With the defaults (3 runs, 1 warm-up, 160
requests at 20 ms) the whole command takes about 20 s on two cores; the
sequential I/O model alone needs 160 × 20 ms = 3.2 s a run. The embedded
server runs in a child process, so that its cost is not charged to a model;
-urls fetches real sites instead (their bounds and efficiency are n/a).

Teaching:
  -timeline draws, under each table, each model's last measured run: one row
  per worker goroutine (w0, w1, ...) or worker process (pid N); a digit or +
  says how many tasks were in flight at once in that row, as on the event
  loop's single lane. -timeline=tasks draws one row per task instead: the
  sequential model's staircase, the pool's steps five tasks high. -svg FILE
  writes the same pictures as SVG, with a tooltip per task. A full run (no
  subcommand) ends with a decision summary derived from the measurements.

  -gomaxprocs N limits the models to N Ps: compare itself and the pool's
  worker processes (through the GOMAXPROCS environment variable); the
  embedded server, which stands in for remote sites, is started before and
  keeps its own. With -gomaxprocs 1 the cpu table shows what Python's GIL
  leaves to threads: the pool of goroutines no faster than sequential. The
  JSON env reports the GOMAXPROCS used.

  sweep runs threaded and multiproc (or those of -models) at each count of
  -workers on one workload (-workload io or cpu) and prints the median and
  the speedup against the first count, a line chart, and where adding
  workers stopped paying. To stay quick its default latency is 5 ms (160
  requests, 0.8 s a run with one worker; about 15 s in all on two cores).
  Counts above the tasks start no more workers. Worker processes beyond the
  CPUs take turns on the cores: for io they still overlap their waits, at
  the cost of a start-up and tens of MB each (100 processes: about 1 GB);
  for cpu they only add that cost. Formats: table, markdown, json.

  demo starve schedules on an event loop a sum of squares below -n and a
  timer due -delay later, once as one callback and once yielding between
  chunks, and shows how late the timer ran behind each. demo race writes a
  map from 8 goroutines in a child process, whose fatal "concurrent map
  writes" is caught and shown, then counts a shared counter's lost updates
  without synchronisation, with sync.Mutex and with sync/atomic.

Flags:
`)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, use := flag.UnquoteUsage(f)
		def := ""
		if f.DefValue != "" && f.DefValue != "0" && f.Name != "workers" && f.Name != "timeline" {
			def = " (default " + f.DefValue + ")"
		}
		if f.Name == "format" {
			use += ": table, markdown, csv (hyperfine's columns), json (conclab.compare/v1) or bench (for benchstat)"
		}
		fmt.Fprintf(tw, "  -%s %s\t%s%s\n", f.Name, name, use, def)
	})
	tw.Flush()
	fmt.Fprint(w, `
Examples:
  go run ./cmd/compare
  go run ./cmd/compare io -models sequential,threaded -workers 20
  go run ./cmd/compare cpu -format json
  go run ./cmd/compare io -latency 5ms -repeat 10 -runs 5 -format markdown
  go run ./cmd/compare io -urls https://www.jython.org,http://olympus.realpython.org/dice -repeat 2
  go run ./cmd/compare -format bench > runs.txt && benchstat -col /model -ignore /workers runs.txt
  go run ./cmd/compare convert -points 150,000
  go run ./cmd/compare convert -rules rules.json -format json
  go run ./cmd/compare io -timeline -svg timelines.svg
  go run ./cmd/compare cpu -timeline=tasks
  go run ./cmd/compare cpu -gomaxprocs 1
  go run ./cmd/compare sweep -workers 1,2,5,10,20,50,100
  go run ./cmd/compare sweep -workload cpu -workers 1,2,4,8
  go run ./cmd/compare demo starve -n 200000000
  go run -race ./cmd/compare demo race

Exit status: 0 on success, 1 when a run fails, 2 on bad input, 130 when
interrupted (what had completed is printed first).
`)
}
