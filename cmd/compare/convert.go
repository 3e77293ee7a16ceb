package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"

	"conclab/bench"
	"conclab/converter"
	"conclab/internal/units"
)

// go-redis logs every failed dial to stderr, past compare's one-line
// errors; a conversion that the shared cache failed says why itself.
func init() { redis.SetLogger(&logging.VoidLogger{}) }

// Defaults of compare convert.
const (
	// defaultConvertRuns: five runs of each variant, so that the table
	// can print a spread and call ties; each run is milliseconds.
	defaultConvertRuns = 5
	// convertProcsCost is the computation of the load across processes:
	// a rate service's round trip, the work a shared cache saves.
	convertProcsCost = converter.CostRemote
	// convertProcsKeys is the number of amounts the load across
	// processes draws from: few enough that the processes ask for the
	// same ones, which is what sharing is about.
	convertProcsKeys = 2_000
)

// convertRaw holds compare convert's own flags.
type convertRaw struct {
	procs        int
	cacheURL     string
	backpressure bool
}

// convertOptions is what they decide.
type convertOptions struct {
	procs        int    // -procs: the load across this many processes; 0: not run
	cacheURL     string // -cache-url: a Redis server, "" for none
	backpressure bool   // -backpressure: the rate service's table
}

// convertFlags: the flags of compare convert that are not -points, -rules,
// -format or -gomaxprocs.
func convertFlags(fs *flag.FlagSet, r *rawFlags) {
	intVar(fs, &r.runs, "runs", defaultConvertRuns, 1, converter.MaxRuns,
		"runs of each cache variant; the table prints the median ± spread of their times per call, and calls two variants tied when those ranges overlap")
	intVar(fs, &r.conv.procs, "procs", 0, 1, converter.MaxProcs,
		"instead of the cache variants, run one load in `N` worker processes: with a cache each, with this process as the owner of the one cache, and with Redis when -cache-url is given")
	fs.StringVar(&r.conv.cacheURL, "cache-url", "",
		"a Redis server, redis://HOST:PORT/DB: adds its row to the tables (the same flag with a remote address shares the cache across machines)")
	fs.BoolVar(&r.conv.backpressure, "backpressure", false,
		"instead of the cache variants, run the rate service of capacity K against 16 goroutines, without and with a semaphore of K")
}

// validateConvertFlags checks convert's own flags before any work.
func (r *rawFlags) validateConvertFlags(o *options) error {
	if o.sub() != subConvert {
		return nil
	}
	if r.conv.cacheURL != "" {
		if err := converter.CheckCacheURL(r.conv.cacheURL); err != nil {
			return usagef("-cache-url: %v", oneLine(err))
		}
	}
	if o.points != "" {
		for _, f := range []string{"procs", "cache-url", "backpressure", "runs"} {
			if r.set[f] {
				return usagef("-%s: runs a load, and -points converts one amount", f)
			}
		}
	}
	o.conv = convertOptions{procs: r.conv.procs, cacheURL: r.conv.cacheURL, backpressure: r.conv.backpressure}
	return nil
}

// convertCosts are the computation costs the converter table compares: a
// bare multiplication, which no cache should be worth, and a computation
// expensive enough that every cache pays.
func convertCosts() []string { return []string{converter.CostCheap, converter.CostExpensive} }

// convertOps is the number of calls of each converter load: enough for the
// hit ratios to settle, few enough that the expensive uncached variant
// (every call computes) stays near a second.
const convertOps = 20_000

// convertLoads runs the converter's part: the cache variants, once per
// cost, each o.runs times; or, with -procs and -backpressure, those tables
// instead.
func convertLoads(ctx context.Context, o options, stderr io.Writer) (*bench.ConverterSection, error) {
	sec := &bench.ConverterSection{}
	if o.conv.procs > 0 {
		if err := convertProcs(ctx, o, sec, stderr); err != nil {
			return sec, err
		}
	}
	if o.conv.backpressure {
		fmt.Fprintln(stderr, "convert: the rate service at capacities 1, 2, 4 and 8, without and with a semaphore")
		rows, err := converter.RunBackpressure(ctx, converter.BackpressureConfig{Rules: &o.rules})
		sec.Backpressure = rows
		if err != nil {
			return sec, err
		}
	}
	if o.conv.procs > 0 || o.conv.backpressure {
		return sec, nil
	}
	rules := o.rules // loaded and checked with the flags
	runs := min(o.runs, converter.MaxRuns)
	fmt.Fprintf(stderr, "convert: %d caches × costs %s, %d Zipf-distributed calls, %s each\n",
		len(converter.Kinds()), strings.Join(convertCosts(), ", "), convertOps, units.Plural(runs, "run"))
	for _, name := range convertCosts() {
		cost, err := converter.CostPreset(name)
		if err != nil {
			return sec, err
		}
		res, err := converter.RunAll(ctx, converter.LoadConfig{Cost: cost, Rules: &rules, Ops: convertOps,
			Runs: runs, CacheURL: o.conv.cacheURL})
		sec.Results = append(sec.Results, res...)
		if err != nil {
			return sec, err
		}
	}
	return sec, nil
}

// convertProcs runs one load across o.conv.procs processes for each way of
// sharing, Redis only with -cache-url.
func convertProcs(ctx context.Context, o options, sec *bench.ConverterSection, stderr io.Writer) error {
	cost, err := converter.CostPreset(convertProcsCost)
	if err != nil {
		return err
	}
	shares := []string{converter.SharePerProcess, converter.ShareOwner}
	if o.conv.cacheURL != "" {
		shares = append(shares, converter.ShareRedis)
	} else {
		sec.Notes = append(sec.Notes, "redis: no row; add -cache-url redis://127.0.0.1:6379/0 (a running redis-server) for one.")
	}
	fmt.Fprintf(stderr, "convert: one load of %d calls on %d amounts across %d processes, sharing: %s\n",
		convertOps, convertProcsKeys, o.conv.procs, strings.Join(shares, ", "))
	rules := o.rules
	for _, share := range shares {
		res, err := converter.RunProcs(ctx, converter.ProcsConfig{Share: share, Procs: o.conv.procs,
			Load: converter.LoadConfig{Cost: cost, Rules: &rules, Ops: convertOps, Keys: convertProcsKeys, CacheURL: o.conv.cacheURL}})
		if err != nil {
			return err
		}
		sec.Processes = append(sec.Processes, res)
	}
	// The run completed: the table is printed, and says why calls failed.
	var failed []string
	for _, r := range sec.Processes {
		if r.Failed > 0 {
			failed = append(failed, fmt.Sprintf("%s %d of %d", r.Share, r.Failed, r.Ops))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("convert: calls failed (%s); the table says why", strings.Join(failed, ", "))
	}
	return nil
}
