package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"conclab/bench"
	"conclab/converter"
	"conclab/iobound"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// run is the whole command: it parses args, runs the parts and writes the
// output to stdout and notes to stderr, and returns the exit status. When
// ctx is cancelled (SIGINT, SIGTERM) it stops, prints what had completed and
// returns 130.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "compare: %v (see compare -h)\n", err)
		return exitUsage
	}
	switch {
	case o.points != "":
		return convertOne(o, stdout, stderr)
	case o.sub() == subDemo:
		return runDemo(ctx, o, stdout, stderr)
	case o.sub() == subSweep:
		return runSweep(ctx, o, stdout, stderr)
	}

	// The picture's file is created first, so that a path that cannot be
	// written is bad input, found before minutes of measuring.
	var svg *os.File
	if o.svg != "" {
		if svg, err = os.Create(o.svg); err != nil {
			fmt.Fprintf(stderr, "compare: -svg: %v (see compare -h)\n", oneLine(err))
			return exitUsage
		}
	}
	rep := bench.NewReport()
	if o.gomaxprocs > 0 {
		rep.Env.GOMAXPROCS = o.gomaxprocs
	}
	err = measure(ctx, o, &rep, stderr)
	// Whatever completed is printed, also after an error or an interrupt.
	if rep.IO != nil || rep.CPU != nil || rep.Converter != nil {
		if rerr := render(stdout, rep, o); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	if svg != nil {
		err = errors.Join(err, writeSVG(svg, rep, o, stderr))
	}
	return exitStatus(ctx, err, stderr)
}

// exitStatus reports an interrupt or an error on stderr and returns the exit
// status for it.
func exitStatus(ctx context.Context, err error, stderr io.Writer) int {
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "compare: interrupted; the output above holds what had completed")
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "compare: %v\n", oneLine(err))
		return exitFailed
	}
	return exitOK
}

// measure runs the parts in order, filling rep as each completes.
func measure(ctx context.Context, o options, rep *bench.Report, stderr io.Writer) (err error) {
	runner := bench.Runner{
		Runs:        o.runs,
		Warmup:      o.warmup,
		ShortWarmup: true,
		Progress:    progressFor(stderr),
	}
	models := make([]bench.Model, len(o.models))
	for i, s := range o.models {
		models[i] = s.build(o)
	}
	for _, part := range o.parts {
		switch part {
		case subIO:
			w := bench.IOWorkload{URLs: repeatList(o.urls, o.repeat)}
			if o.urls == nil {
				// The server's cost must not be charged to a model: it runs
				// in a child process, excluded from the figures, and exits
				// only after every measurement (the deferred Close), so its
				// CPU time never reaches a getrusage delta.
				child, serr := iobound.StartChild(ctx, iobound.Config{Latency: o.latency})
				if serr != nil {
					return fmt.Errorf("starting the embedded server: %w", serr)
				}
				defer func() {
					if cerr := child.Close(); cerr != nil {
						err = errors.Join(err, cerr)
					}
				}()
				runner.Exclude = append(runner.Exclude, child.PID())
				w = bench.IOWorkload{URLs: child.URLs(o.repeat), Embedded: true, Latency: o.latency}
			}
			source := "the embedded server"
			if o.urls != nil {
				source = "real sites"
			}
			fmt.Fprintf(stderr, "io: %d requests to %s, %s\n", len(w.URLs), source, plan(o))
			// GOMAXPROCS is limited after the embedded server has started:
			// the server stands in for remote sites, which the limit
			// does not slow down either.
			restore := limitProcs(o.gomaxprocs)
			rep.IO, err = runner.IO(ctx, models, w)
			restore()
			if len(rep.IO.Results) == 0 {
				rep.IO = nil // nothing completed: the part is left out
			}
		case subCPU:
			numbers := make([]int, o.count)
			for i := range numbers {
				numbers[i] = o.base + i
			}
			fmt.Fprintf(stderr, "cpu: %d numbers from %d, %s\n", o.count, o.base, plan(o))
			restore := limitProcs(o.gomaxprocs)
			rep.CPU, err = runner.CPU(ctx, models, numbers)
			restore()
			if len(rep.CPU.Results) == 0 {
				rep.CPU = nil
			}
		case subConvert:
			restore := limitProcs(o.gomaxprocs)
			rep.Converter, err = convertLoads(ctx, o, stderr)
			restore()
			if rep.Converter != nil && len(rep.Converter.Results) == 0 {
				rep.Converter = nil
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func plan(o options) string {
	names := make([]string, len(o.models))
	for i, s := range o.models {
		names[i] = s.name
	}
	p := fmt.Sprintf("models %s, %d measured run(s) after %d warm-up(s) each", strings.Join(names, ", "), o.runs, o.warmup)
	if o.gomaxprocs > 0 {
		p += fmt.Sprintf(", GOMAXPROCS=%d", o.gomaxprocs)
	}
	return p
}

// repeatList returns list repeated n times, as the original's [a, b] * 80.
func repeatList(list []string, n int) []string {
	if list == nil {
		return nil
	}
	out := make([]string, 0, len(list)*n)
	for range n {
		out = append(out, list...)
	}
	return out
}

// progressFor draws progress on stderr when it is a terminal, and nothing
// otherwise.
func progressFor(stderr io.Writer) bench.Progress {
	if f, ok := stderr.(*os.File); ok {
		return bench.TerminalProgress(f)
	}
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

// convertLoads runs every cache variant under load, once per cost.
func convertLoads(ctx context.Context, o options, stderr io.Writer) (*bench.ConverterSection, error) {
	rules, err := loadRules(o.rules)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "convert: %d cache variants × costs %s, %d calls each on Zipf-distributed amounts\n",
		len(converter.Kinds()), strings.Join(convertCosts(), ", "), convertOps)
	sec := &bench.ConverterSection{}
	for _, name := range convertCosts() {
		cost, err := converter.CostPreset(name)
		if err != nil {
			return sec, err
		}
		res, err := converter.RunAll(ctx, converter.LoadConfig{Cost: cost, Rules: &rules, Ops: convertOps})
		sec.Results = append(sec.Results, res...)
		if err != nil {
			return sec, err
		}
	}
	return sec, nil
}

func loadRules(path string) (converter.Rules, error) {
	if path == "" {
		return converter.DefaultRules(), nil
	}
	rules, err := converter.LoadRulesFile(path)
	if err != nil {
		return rules, fmt.Errorf("-rules %s: %w", path, err)
	}
	return rules, nil
}

// convertOne converts the -points amount and prints the result, or the
// reason it cannot be converted, in one line.
func convertOne(o options, stdout, stderr io.Writer) int {
	rules, err := loadRules(o.rules)
	if err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", oneLine(err))
		return exitUsage
	}
	points, _ := converter.ParsePoints(o.points) // validated with the flags
	res, err := rules.Convert(points)
	if err != nil {
		fmt.Fprintf(stderr, "compare: %s A points: %v\n", converter.FormatPoints(points), oneLine(err))
		return exitFailed
	}
	if o.format == bench.FormatJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "compare: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	fmt.Fprintln(stdout, res)
	return exitOK
}

// oneLine keeps an error message on one line (errors.Join puts each error on
// its own).
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
