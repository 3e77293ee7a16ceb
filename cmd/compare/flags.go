package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
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
}

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
		sub = rest[0]
		if err := parseFlags(fs, rest[1:]); err != nil {
			return o, err
		}
		if len(fs.Args()) > 0 {
			return o, usagef("unexpected argument %q after the subcommand %s", fs.Args()[0], sub)
		}
	}
	switch sub {
	case "":
		o.parts = []string{subIO, subCPU, subConvert}
	case subIO, subCPU, subConvert:
		o.parts = []string{sub}
	default:
		return o, usagef("unknown subcommand %q (valid: %s, %s, %s)", sub, subIO, subCPU, subConvert)
	}
	return o, raw.validate(&o)
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
	runs, warmup, repeat, count, base   int
	workers, procs                      int
	latency, timeout                    time.Duration
	set                                 map[string]bool
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
	fs.IntVar(&r.workers, "workers", defaultWorker, "threaded: goroutines in the pool")
	fs.IntVar(&r.procs, "procs", multiproc.DefaultProcs(), "multiproc: worker processes in the pool (one per CPU unless given)")
	fs.StringVar(&r.points, "points", "", "convert: convert this one amount of A `points` and print the result")
	fs.StringVar(&r.rules, "rules", "", "convert and the converter table: read the conversion rules from this JSON `file`")
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
	}{{"-runs", r.runs}, {"-repeat", r.repeat}, {"-count", r.count}, {"-workers", r.workers}, {"-procs", r.procs}} {
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
	o.count, o.base, o.workers, o.procs = r.count, r.base, r.workers, r.procs
	o.rules = r.rules

	if o.models, err = parseModels(r.models); err != nil {
		return err
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

Flags:
`)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, use := flag.UnquoteUsage(f)
		def := ""
		if f.DefValue != "" && f.DefValue != "0" {
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

Exit status: 0 on success, 1 when a run fails, 2 on bad input, 130 when
interrupted (what had completed is printed first).
`)
}
