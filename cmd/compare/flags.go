package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"conclab/bench"
	"conclab/converter"
	"conclab/cpubound"
	"conclab/eventloop"
	"conclab/internal/units"
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
	subHelp    = "help"
)

// Demonstrations of `compare demo NAME`.
const (
	demoStarve   = "starve"
	demoRace     = "race"
	demoNoLock   = "nolock"
	demoLeak     = "leak"
	demoDeadlock = "deadlock"
	demoParallel = "parallel"
)

func demoNames() []string {
	return []string{demoStarve, demoRace, demoNoLock, demoLeak, demoDeadlock, demoParallel}
}

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

// defaultConns is the event loop's connections in flight, as the seed's
// aiohttp connector allows: 160 requests go in 2 rounds.
const defaultConns = eventloop.DefaultMaxConns

// embeddedPages is how many URLs the embedded server's list holds per
// -repeat: its big page and its small one, as iobound's URLs(1) lists them.
const embeddedPages = 2

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
	cmd     *command
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
	conns   int // the event loop's connections in flight; 0: no cap

	// -tls: the embedded server serves https, and every model trusts its
	// certificate through these (set once the server has started).
	tls      bool
	roots    *x509.CertPool
	rootsPEM []byte

	points    string          // convert -points, "" when not given
	rules     converter.Rules // the conversion rules, -rules or the defaults
	rulesFile string          // -rules, "" for the default rules
	conv      convertOptions  // compare convert's own flags

	timeline   string // viewLanes or viewTasks to draw timelines, "" for none
	svg        string // -svg: the file the timelines are written to, "" for none
	gomaxprocs int    // 0 leaves GOMAXPROCS as it is

	ignoreFailure bool // -ignore-failure: exit 0 even when tasks failed
	keepPool      bool // -keep-pool: multiproc's workers start once, before the measured runs

	sweep    []int  // sweep: the worker counts, in the order given
	workload string // sweep: bench.WorkloadIO or bench.WorkloadCPU

	demo        string        // one of demoNames
	starveN     int           // demo starve: the task sums the squares below starveN
	starveDelay time.Duration // demo starve: when the timer is due

	out outputOptions // how the tables are shown and exported (output.go)
}

// full reports whether this is the whole comparison (no subcommand).
func (o options) full() bool { return len(o.parts) == 3 }

// sub is the subcommand, "" for the whole comparison.
func (o options) sub() string {
	if o.cmd == nil {
		return ""
	}
	return o.cmd.sub
}

// usageError is bad input: the command prints it in one line and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// rawFlags holds the flag values before validation. A command's flag set
// binds only the fields of the flags it has.
type rawFlags struct {
	fs                                  *flag.FlagSet
	models, format, urls, points, rules string
	svg, workload                       string
	timeline                            timelineFlag
	counts                              []int // sweep's -workers
	runs, warmup, repeat, count, base   int
	workers, procs, conns               int
	gomaxprocs, starveN                 int
	latency, timeout, delay             time.Duration
	ignoreFailure, keepPool, tls        bool
	conv                                convertRaw      // compare convert's own flags
	set                                 map[string]bool // the flags given

	out rawOutput // the output flags (output.go)
}

// has tells whether the command has the flag.
func (r *rawFlags) has(name string) bool { return r.fs.Lookup(name) != nil }

// The groups of flags the commands are built from. Each command takes the
// groups it uses and nothing else, so that the flag package itself rejects a
// flag the command would ignore.

// measureFlags: which models, how many runs, and failures. Every command
// that measures models has them; models is the default list.
func measureFlags(fs *flag.FlagSet, r *rawFlags, models string) {
	fs.StringVar(&r.models, "models", models, "comma-separated `list` of models to run")
	intVar(fs, &r.runs, "runs", defaultRuns, 1, maxRuns, "measured runs per model")
	intVar(fs, &r.warmup, "warmup", defaultWarmup, 0, maxWarmup, "unmeasured warm-up runs per model before them")
	fs.BoolVar(&r.ignoreFailure, "ignore-failure", false, "exit 0 even when tasks failed; the tables still say which, and rank none of those models")
}

func formatFlag(fs *flag.FlagSet, r *rawFlags) {
	fs.StringVar(&r.format, "format", string(bench.FormatTable), "output `format`")
}

// gomaxprocsFlag: the Ps of the models (and their worker processes).
func gomaxprocsFlag(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.gomaxprocs, "gomaxprocs", 0, 1, maxGOMAXPROCS,
		"run the models with GOMAXPROCS=`N`, worker processes included; the embedded server keeps its own")
}

// demoProcsFlag: -gomaxprocs of the converter and the demonstrations, which
// have no embedded server.
func demoProcsFlag(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.gomaxprocs, "gomaxprocs", 0, 1, maxGOMAXPROCS, "run with GOMAXPROCS=`N`, child processes included")
}

// ioFlags: the I/O workload. latency is the default of -latency.
func ioFlags(fs *flag.FlagSet, r *rawFlags, latency time.Duration) {
	durationVar(fs, &r.latency, "latency", latency, 0, maxLatency, "the embedded server's wait before each response")
	intVar(fs, &r.repeat, "repeat", iobound.DefaultRepeat, 1, maxTasks, "how many times the list of URLs is repeated; at most "+units.Thousands(maxTasks)+" requests in all")
	fs.StringVar(&r.urls, "urls", "", "comma-separated `list` of http(s) URLs to fetch instead of the embedded server, or @FILE: one URL a line, # comments")
	fs.BoolVar(&r.tls, "tls", false, "the embedded server serves https, with a certificate made at start that every model trusts")
}

// timeoutFlag: the deadline of one task. Every request has it; so has every
// sum sent to a worker process, the only cpu task that can hang (a worker
// that stops answering is killed at it).
func timeoutFlag(fs *flag.FlagSet, r *rawFlags) {
	durationVar(fs, &r.timeout, "timeout", iobound.DefaultTimeout, minTimeout, maxTimeout,
		"timeout of each request, body included, and of each sum a multiproc worker computes")
}

func connsFlag(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.conns, "conns", defaultConns, 0, maxConns, "eventloop: connections in flight at once; 0 for no cap, every request at once")
}

// cpuFlags: the CPU workload.
func cpuFlags(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.count, "count", defaultCount, 1, maxTasks, "how many numbers the CPU workload sums the squares below")
	intVar(fs, &r.base, "base", defaultBase, 0, cpubound.MaxN, "the first of those numbers")
}

// poolFlags: the sizes of the two pools.
func poolFlags(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.workers, "workers", defaultWorker, 1, maxWorkers, "threaded: goroutines in the pool")
	fs.Lookup("workers").Value.(*intFlag).hint = "; a list of counts is for compare sweep"
	intVar(fs, &r.procs, "procs", min(multiproc.DefaultProcs(), maxProcs), 1, maxProcs, "multiproc: worker processes in the pool, one per CPU unless given")
}

// keepPoolFlag: multiproc's pool started once, as a long-lived program's.
func keepPoolFlag(fs *flag.FlagSet, r *rawFlags) {
	fs.BoolVar(&r.keepPool, "keep-pool", false,
		"multiproc: start the worker processes once, before the measured runs, as a long-lived program would; "+
			"their start-up is reported apart and left out of the times")
}

// pictureFlags: the timelines of the io and cpu runs.
func pictureFlags(fs *flag.FlagSet, r *rawFlags) {
	fs.Var(&r.timeline, "timeline", "after each table draw each model's last run, one row per goroutine or process; -timeline=tasks: one row per task")
	fs.StringVar(&r.svg, "svg", "", "write the same timelines as an SVG picture to this `file`, with or without -timeline; an existing file is replaced only by a complete picture")
	svgAxisFlag(fs, r)
}

func rulesFlag(fs *flag.FlagSet, r *rawFlags) {
	fs.StringVar(&r.rules, "rules", "", "read the conversion rules from this JSON `file`")
}

// command is one way to run compare: the whole comparison, a subcommand or
// a demonstration, with its flag set.
type command struct {
	name     string // as typed after compare: "", "io", "demo starve"
	sub      string // the subcommand: "", subIO, ..., subDemo
	synopsis string // what it does, for the usage's list
	about    string // what its help says before the flags
	examples []string
	flags    func(fs *flag.FlagSet, r *rawFlags)
}

// commands lists every command in the order the help shows them.
func commands() []*command {
	allModels := strings.Join(modelNames(), ",")
	return []*command{
		{name: "", synopsis: "io, then cpu, then convert", about: aboutFull, examples: examplesFull,
			flags: func(fs *flag.FlagSet, r *rawFlags) {
				measureFlags(fs, r, allModels)
				formatFlag(fs, r)
				outputFlags(fs, r)
				versionFlag(fs, r)
				ioFlags(fs, r, iobound.DefaultLatency)
				cpuFlags(fs, r)
				timeoutFlag(fs, r)
				poolFlags(fs, r)
				connsFlag(fs, r)
				pictureFlags(fs, r)
				rulesFlag(fs, r)
				gomaxprocsFlag(fs, r)
			}},
		{name: subIO, sub: subIO, synopsis: "the I/O-bound workload only", about: aboutIO, examples: examplesIO,
			flags: func(fs *flag.FlagSet, r *rawFlags) {
				measureFlags(fs, r, allModels)
				formatFlag(fs, r)
				outputFlags(fs, r)
				ioFlags(fs, r, iobound.DefaultLatency)
				timeoutFlag(fs, r)
				poolFlags(fs, r)
				keepPoolFlag(fs, r)
				connsFlag(fs, r)
				pictureFlags(fs, r)
				gomaxprocsFlag(fs, r)
			}},
		{name: subCPU, sub: subCPU, synopsis: "the CPU-bound workload only", about: aboutCPU, examples: examplesCPU,
			flags: func(fs *flag.FlagSet, r *rawFlags) {
				measureFlags(fs, r, allModels)
				formatFlag(fs, r)
				outputFlags(fs, r)
				cpuFlags(fs, r)
				timeoutFlag(fs, r)
				poolFlags(fs, r)
				keepPoolFlag(fs, r)
				pictureFlags(fs, r)
				gomaxprocsFlag(fs, r)
			}},
		{name: subConvert, sub: subConvert, synopsis: "the converter's caches under load, or -points N", about: aboutConvert, examples: examplesConvert,
			flags: func(fs *flag.FlagSet, r *rawFlags) {
				formatFlag(fs, r)
				rulesFlag(fs, r)
				fs.StringVar(&r.points, "points", "", "convert this one amount of A `points` and print the result")
				convertFlags(fs, r)
				demoProcsFlag(fs, r)
			}},
		{name: subSweep, sub: subSweep, synopsis: "time against worker count, threaded and multiproc", about: aboutSweep, examples: examplesSweep,
			flags: func(fs *flag.FlagSet, r *rawFlags) {
				measureFlags(fs, r, strings.Join(sweepModelNames(), ","))
				formatFlag(fs, r)
				if err := (&countsFlag{&r.counts}).Set(defaultSweep); err != nil {
					panic(err) // the default list is valid
				}
				fs.Var(&countsFlag{&r.counts}, "workers", "comma-separated worker `counts`")
				fs.StringVar(&r.workload, "workload", bench.WorkloadIO, "the `workload` swept, io or cpu")
				fs.StringVar(&r.svg, "svg", "", "draw the sweep as an SVG line chart in this `file`: time against workers on a log scale, a line per model")
				ioFlags(fs, r, defaultSweepLatency)
				cpuFlags(fs, r)
				timeoutFlag(fs, r)
				gomaxprocsFlag(fs, r)
			}},
		{name: subDemo + " " + demoStarve, sub: subDemo, synopsis: "an event-loop task that never yields", about: aboutStarve, examples: examplesStarve,
			flags: func(fs *flag.FlagSet, r *rawFlags) {
				intVar(fs, &r.starveN, "n", defaultStarveN, 1, maxStarveN, "the blocking task sums the squares below `N`")
				durationVar(fs, &r.delay, "delay", defaultStarveDelay, 0, maxDelay, "when the timer is due, after the task was scheduled")
				demoProcsFlag(fs, r)
			}},
		{name: subDemo + " " + demoRace, sub: subDemo, synopsis: "unsynchronised writes to a map and a counter", about: aboutRace, examples: examplesRace,
			flags: demoProcsFlag},
		{name: subDemo + " " + demoNoLock, sub: subDemo, synopsis: "event-loop tasks share state with no lock; goroutines cannot", about: aboutNoLock, examples: examplesNoLock,
			flags: demoProcsFlag},
		{name: subDemo + " " + demoLeak, sub: subDemo, synopsis: "a pipeline that leaks goroutines, and one that cancels", about: aboutLeak, examples: examplesLeak,
			flags: func(*flag.FlagSet, *rawFlags) {}},
		{name: subDemo + " " + demoDeadlock, sub: subDemo, synopsis: "a lock-order inversion, and Go's \"all goroutines are asleep\"", about: aboutDeadlock, examples: examplesDeadlock,
			flags: func(*flag.FlagSet, *rawFlags) {}},
		{name: subDemo + " " + demoParallel, sub: subDemo, synopsis: "concurrency is not parallelism: io and cpu at GOMAXPROCS 1 and N", about: aboutParallel, examples: examplesParallel,
			flags: parallelFlags},
	}
}

// flagSet returns the command's flag set and the values it binds.
func (c *command) flagSet() (*flag.FlagSet, *rawFlags) {
	r := &rawFlags{}
	name := "compare"
	if c.name != "" {
		name += " " + c.name
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.flags(fs, r)
	r.fs = fs
	return fs, r
}

// lookupCommand finds a command by name ("io", "demo starve").
func lookupCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func subcommandNames() []string {
	return []string{subIO, subCPU, subConvert, subSweep, subDemo}
}

// anyFlag stands for every flag of every command while compare looks for the
// subcommand among the arguments: it accepts any value, and knows only
// whether the flag takes one.
type anyFlag struct{ isBool bool }

func (a anyFlag) String() string   { return "" }
func (a anyFlag) Set(string) error { return nil }
func (a anyFlag) IsBoolFlag() bool { return a.isBool }

// everyFlag is a flag set with every command's flags, each accepting any
// value: it tells the flags before the subcommand (and their values) from
// the subcommand.
func everyFlag() *flag.FlagSet {
	all := flag.NewFlagSet("compare", flag.ContinueOnError)
	all.SetOutput(io.Discard)
	for _, c := range commands() {
		fs, _ := c.flagSet()
		fs.VisitAll(func(f *flag.Flag) {
			if all.Lookup(f.Name) == nil {
				b, ok := f.Value.(interface{ IsBoolFlag() bool })
				all.Var(anyFlag{isBool: ok && b.IsBoolFlag()}, f.Name, f.Usage)
			}
		})
	}
	return all
}

// parseArgs reads the subcommand and the flags, which may come before or
// after it. flag.ErrHelp is returned for -h and for `compare help`, with the
// command whose help is asked for in o.cmd (nil: every demonstration).
func parseArgs(args []string) (options, error) {
	full := lookupCommand("")
	o := options{cmd: full}
	all := everyFlag()
	if err := parseFlags(all, args, nil); err != nil {
		return o, err
	}
	rest := all.Args()
	before := args[:len(args)-len(rest)]
	name := ""
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
		if hint := viewHint(name); hint != "" {
			return o, usagef("unexpected argument %q%s", name, hint)
		}
	}
	switch {
	case name == subHelp:
		return helpOf(rest)
	case name == subDemo:
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			if slices.ContainsFunc(rest, isHelp) {
				return options{}, flag.ErrHelp // both demonstrations' help
			}
			return o, usagef("demo: name a demonstration (valid: %s)", strings.Join(demoNames(), ", "))
		}
		if !slices.Contains(demoNames(), rest[0]) {
			return o, usagef("demo: unknown demonstration %q (valid: %s)", rest[0], strings.Join(demoNames(), ", "))
		}
		name, rest = subDemo+" "+rest[0], rest[1:]
	case name != "" && lookupCommand(name) == nil:
		return o, usagef("unknown subcommand %q (valid: %s)%s", name, strings.Join(subcommandNames(), ", "), viewHint(name))
	}

	o.cmd = lookupCommand(name)
	fs, r := o.cmd.flagSet()
	if err := parseFlags(fs, append(slices.Clone(before), rest...), o.cmd); err != nil {
		return o, err
	}
	if len(fs.Args()) > 0 {
		if name == "" {
			return o, usagef("unexpected argument %q", fs.Args()[0])
		}
		return o, usagef("unexpected argument %q after the subcommand %s%s", fs.Args()[0], name, viewHint(fs.Args()[0]))
	}
	r.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { r.set[f.Name] = true })
	switch o.cmd.sub {
	case "":
		o.parts = []string{subIO, subCPU, subConvert}
	case subDemo:
		o.parts = []string{subDemo}
		o.demo = strings.TrimPrefix(name, subDemo+" ")
	default:
		o.parts = []string{o.cmd.sub}
	}
	return o, r.validate(&o)
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" || arg == "--h" }

// helpOf answers `compare help [subcommand]`.
func helpOf(args []string) (options, error) {
	switch {
	case len(args) == 0:
		return options{cmd: lookupCommand("")}, flag.ErrHelp
	case len(args) == 1 && args[0] == subDemo:
		return options{}, flag.ErrHelp
	case len(args) <= 2:
		name := strings.Join(args, " ")
		if c := lookupCommand(name); c != nil && name != "" {
			return options{cmd: c}, flag.ErrHelp
		}
	}
	return options{}, usagef("help: no subcommand %q (valid: %s)", strings.Join(args, " "), strings.Join(subcommandNames(), ", "))
}

// viewHint helps with "-timeline tasks", which the flag package reads as
// -timeline followed by an argument.
func viewHint(arg string) string {
	if arg == viewLanes || arg == viewTasks {
		return fmt.Sprintf("; for the %s view write -timeline=%s", arg, arg)
	}
	return ""
}

// parseFlags parses and turns the flag package's errors into usage errors.
// A flag the command does not have is named with the command, so that the
// user learns it exists elsewhere but is not used here.
func parseFlags(fs *flag.FlagSet, args []string, c *command) error {
	err := fs.Parse(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return err
	}
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok && c != nil {
		if everyFlag().Lookup(name) != nil {
			return usagef("-%s: not a flag of %s", name, fs.Name())
		}
	}
	return usageError{err.Error()}
}

// validate checks the flags against each other, loads the files they name
// (-urls @FILE, -rules), and fills o. Each flag's own range was checked as
// it was parsed. Errors name the flag.
func (r *rawFlags) validate(o *options) error {
	var err error
	if r.has("format") {
		if o.format, err = bench.ParseFormat(r.format); err != nil {
			return usagef("-format: %v", err)
		}
	}
	o.runs, o.warmup, o.latency, o.repeat, o.timeout = r.runs, r.warmup, r.latency, r.repeat, r.timeout
	o.count, o.base, o.workers, o.procs, o.conns = r.count, r.base, r.workers, r.procs, r.conns
	o.gomaxprocs, o.ignoreFailure, o.keepPool, o.tls = r.gomaxprocs, r.ignoreFailure, r.keepPool, r.tls
	if r.has("count") && int64(r.base) > cpubound.MaxN-int64(r.count-1) {
		return usagef("-base: %d + %d numbers passes %d, the largest n whose sum of squares fits in 128 bits", r.base, r.count, cpubound.MaxN)
	}
	if r.has("models") {
		if o.models, err = parseModels(r.models); err != nil {
			return err
		}
	}
	if err := r.validateIO(o); err != nil {
		return err
	}
	if err := r.validateModels(o); err != nil {
		return err
	}
	if err := r.validateTeaching(o); err != nil {
		return err
	}
	if err := r.validateOutput(o); err != nil {
		return err
	}
	return r.validateConvert(o)
}

// validateIO checks the I/O workload's flags: the URL list and the number of
// requests.
func (r *rawFlags) validateIO(o *options) error {
	if !r.has("urls") {
		return nil
	}
	var err error
	if r.urls != "" {
		if o.urls, err = parseURLs(r.urls); err != nil {
			return err
		}
		if r.set["latency"] {
			return usagef("-latency: sets the embedded server's latency, which -urls replaces with real sites")
		}
		if r.tls {
			return usagef("-tls: makes the embedded server serve https, which -urls replaces with real sites (give https URLs)")
		}
	}
	pages := embeddedPages
	if o.urls != nil {
		pages = len(o.urls)
	}
	if requests := int64(pages) * int64(r.repeat); requests > maxTasks {
		return usagef("-repeat: %d × %d URLs is %s requests; at most %s", r.repeat, pages, units.Thousands(requests), units.Thousands(maxTasks))
	}
	return nil
}

// validateModels checks that each model's own flags (modelSpec.flags) are
// given only with the model: -workers only with threaded, say.
func (r *rawFlags) validateModels(o *options) error {
	if o.sub() == subSweep {
		for _, s := range o.models {
			if s.sweep == nil {
				return usagef("-models: %s has no worker count to sweep (sweep: %s)", s.name, strings.Join(sweepModelNames(), ", "))
			}
		}
		return nil
	}
	if !r.has("models") {
		return nil // a command without models has none of their flags
	}
	for _, s := range modelSpecs() {
		for _, f := range s.flags {
			if r.set[f.name] && !slices.ContainsFunc(o.models, func(m modelSpec) bool { return m.name == s.name }) {
				return usagef("-%s: %s, and -models leaves %s out", f.name, f.what, s.name)
			}
		}
	}
	return nil
}

// validateTeaching checks the flags of the teaching layer (the sweep,
// -timeline, -svg, the demos) and fills o.
func (r *rawFlags) validateTeaching(o *options) error {
	if o.sub() == subSweep {
		o.sweep = r.counts
		if r.workload != bench.WorkloadIO && r.workload != bench.WorkloadCPU {
			return usagef("-workload: %q is neither %s nor %s", r.workload, bench.WorkloadIO, bench.WorkloadCPU)
		}
		o.workload = r.workload
		// The other workload's flags would be ignored: refuse them.
		unused := []string{"count", "base"}
		if o.workload == bench.WorkloadCPU {
			unused = []string{"latency", "repeat", "urls", "tls"}
		}
		for _, f := range unused {
			if r.set[f] {
				return usagef("-%s: not used by sweep -workload %s", f, o.workload)
			}
		}
		if o.format == bench.FormatCSV || o.format == bench.FormatBench {
			return usagef("-format: the sweep prints table, markdown or json")
		}
	}
	if r.timeline.view != "" && o.format != bench.FormatTable && o.format != bench.FormatMarkdown {
		return usagef("-timeline: draws in the terminal, with -format table or markdown (-svg writes the picture with any format)")
	}
	o.timeline, o.svg = r.timeline.view, r.svg
	if o.svg != "" {
		if err := checkOutput(o.svg); err != nil {
			return usagef("-svg: %v", err)
		}
	}
	o.starveN, o.starveDelay = r.starveN, r.delay
	return nil
}

// checkOutput tells whether a file can be written at path: its directory
// exists and it is not a directory itself.
func checkOutput(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	return nil
}

// validateConvert checks the converter's flags and loads the rules, so that
// a bad rules file is reported before any run, not after the io and cpu
// workloads.
func (r *rawFlags) validateConvert(o *options) error {
	o.rules, o.rulesFile = converter.DefaultRules(), r.rules
	if r.rules != "" {
		rules, err := converter.LoadRulesFile(r.rules)
		if err != nil {
			return usagef("-rules %s: %v", r.rules, oneLine(err))
		}
		o.rules = rules
	}
	if r.points != "" {
		if _, err := converter.ParsePoints(r.points); err != nil {
			return usagef("-points: %v", err)
		}
		o.points = r.points
	}
	if o.sub() == subConvert && o.points == "" && o.format == bench.FormatCSV {
		return usagef("-format: csv carries the two workloads' times only; use table, markdown, json or bench for convert")
	}
	return r.validateConvertFlags(o)
}

func modelNames() []string {
	specs := modelSpecs()
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return names
}

// sweepModelNames lists the models that have a worker count to sweep.
func sweepModelNames() []string {
	var names []string
	for _, s := range modelSpecs() {
		if s.sweep != nil {
			names = append(names, s.name)
		}
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
		i := slices.IndexFunc(modelSpecs(), func(s modelSpec) bool { return s.name == name })
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

// maxConnsOf is the event loop's MaxConns for -conns: 0 means no cap.
func maxConnsOf(conns int) int {
	if conns == 0 {
		return math.MaxInt
	}
	return conns
}
