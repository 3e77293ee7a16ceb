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
	"time"

	"conclab/bench"
	"conclab/converter"
	"conclab/internal/units"
	"conclab/iobound"
	"conclab/multiproc"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// run is the whole command: it parses args, runs the parts and writes the
// output to stdout and notes to stderr, and returns the exit status: 0 when
// every model completed every task, 1 when a task failed (after the output;
// 0 with -ignore-failure) or a run could not complete, 2 for bad input,
// found before any work, and 130 when ctx is cancelled (SIGINT, SIGTERM):
// it then stops and prints what had completed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout, o.cmd)
		return exitOK
	case err != nil:
		see := "compare -h"
		if o.cmd != nil && o.cmd.name != "" {
			see = "compare help " + o.cmd.name
		}
		fmt.Fprintf(stderr, "compare: %v (see %s)\n", err, see)
		return exitUsage
	}
	switch {
	case o.out.version:
		fmt.Fprintln(stdout, version())
		return exitOK
	case o.points != "":
		return convertOne(o, stdout, stderr)
	case o.sub() == subDemo:
		return runDemo(ctx, o, stdout, stderr)
	case o.sub() == subSweep:
		return runSweep(ctx, o, stdout, stderr)
	}

	// The picture's temporary file is created first, so that a path that
	// cannot be written is bad input, found before minutes of measuring.
	var svg *pendingFile
	if o.svg != "" {
		if svg, err = createPending(o.svg); err != nil {
			fmt.Fprintf(stderr, "compare: -svg: %v (see compare -h)\n", oneLine(err))
			return exitUsage
		}
		defer svg.discard()
	}
	exports, discardExports, err := pendingExports(o)
	if err != nil {
		fmt.Fprintf(stderr, "compare: %v (see compare -h)\n", oneLine(err))
		return exitUsage
	}
	defer discardExports()
	warnBenchstat(o, stderr)
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
		// Only a complete picture replaces the file: after an interrupt or
		// an error the file is left as it was.
		if err == nil && ctx.Err() == nil {
			err = writeSVG(svg, rep, o, stderr)
		} else {
			fmt.Fprintf(stderr, "svg: not written, the runs did not complete; %s is as it was\n", o.svg)
		}
	}
	if len(exports) > 0 {
		// As the picture: only a complete report replaces the files.
		if err == nil && ctx.Err() == nil {
			err = writeExports(exports, rep, o, stderr)
		} else {
			fmt.Fprintln(stderr, "exports: not written, the runs did not complete; their files are as they were")
		}
	}
	return exitStatus(ctx, err, failedTasks(rep), o.ignoreFailure, stderr)
}

// exitStatus reports an interrupt, an error or failed tasks on stderr and
// returns the exit status for it. failed lists the rows that failed tasks
// ("io eventloop"); with ignore they do not change the status.
func exitStatus(ctx context.Context, err error, failed []string, ignore bool, stderr io.Writer) int {
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "compare: interrupted; the output above holds what had completed")
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "compare: %v\n", oneLine(err))
		return exitFailed
	case len(failed) > 0 && !ignore:
		fmt.Fprintf(stderr, "compare: tasks failed (%s), so those models are not ranked; exit status 1 (-ignore-failure: 0)\n",
			strings.Join(failed, ", "))
		return exitFailed
	}
	return exitOK
}

// failedTasks names the rows of the report whose runs failed tasks.
func failedTasks(rep bench.Report) []string {
	var out []string
	add := func(workload string, results []bench.Result) {
		for _, r := range results {
			if r.Failed > 0 {
				out = append(out, fmt.Sprintf("%s %s: %d of %d", workload, r.Model, r.Failed, r.Tasks))
			}
		}
	}
	if rep.IO != nil {
		add(bench.WorkloadIO, rep.IO.Results)
	}
	if rep.CPU != nil {
		add(bench.WorkloadCPU, rep.CPU.Results)
	}
	return out
}

// measure runs the parts in order, filling rep as each completes.
func measure(ctx context.Context, o options, rep *bench.Report, stderr io.Writer) (err error) {
	runner := bench.Runner{
		Runs:        o.runs,
		Warmup:      o.warmup,
		ShortWarmup: true,
		Progress:    progressFor(stderr),
	}
	if o.keepPool {
		runner.Keep = keepPool(stderr)
	}
	models := make([]bench.Model, len(o.models))
	for i, s := range o.models {
		models[i] = s.build(o)
	}
	if models = runnable(models, unsupported, stderr); len(models) == 0 && len(o.models) > 0 {
		return errors.New("no model of -models runs on this system")
	}
	for _, part := range o.parts {
		switch part {
		case subIO:
			w := bench.IOWorkload{URLs: iobound.Repeat(o.urls, o.repeat)}
			if o.urls == nil {
				// The server's cost must not be charged to a model: it runs
				// in a child process, excluded from the figures, and exits
				// only after every measurement (the deferred Close), so its
				// CPU time never reaches a getrusage delta.
				child, serr := iobound.StartChild(ctx, iobound.Config{Latency: o.latency, TLS: o.tls})
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
				if o.tls { // every model trusts this run's certificate
					o.roots, o.rootsPEM = child.RootCAs(), child.CertPEM()
					rebuild(models, o)
				}
			}
			source := "the embedded server"
			if o.tls {
				source += " over https"
			}
			if o.urls != nil {
				source = "real sites"
			}
			fmt.Fprintf(stderr, "io: %d requests to %s, %s\n", len(w.URLs), source, plan(o))
			// GOMAXPROCS is limited after the embedded server has started:
			// the server stands in for remote sites, which the limit
			// does not slow down either.
			restore := limitProcs(o.gomaxprocs)
			runner.Isolate = isolator(o, w, nil)
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
			runner.Isolate = isolator(o, bench.IOWorkload{}, numbers)
			rep.CPU, err = runner.CPU(ctx, models, numbers)
			restore()
			if len(rep.CPU.Results) == 0 {
				rep.CPU = nil
			}
		case subConvert:
			restore := limitProcs(o.gomaxprocs)
			rep.Converter, err = convertLoads(ctx, o, stderr)
			restore()
			if rep.Converter != nil && rep.Converter.Empty() {
				rep.Converter = nil
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// keepPool is the runner's Keep for -keep-pool: multiproc's workers start
// once, before the model's warm-up and measured runs (under the part's
// GOMAXPROCS), serve every run, and stop after them. Other models run as
// they are.
func keepPool(stderr io.Writer) func(ctx context.Context, m bench.Model) (bench.Model, time.Duration, func() error, error) {
	return func(ctx context.Context, m bench.Model) (bench.Model, time.Duration, func() error, error) {
		pool, ok := m.(multiproc.Pool)
		if !ok {
			return m, 0, nil, nil
		}
		running, err := pool.Start(ctx)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("starting the kept pool: %w", err)
		}
		fmt.Fprintf(stderr, "%s: pool of %s kept; its start-up, %s, is left out of the times\n",
			pool.Name(), units.Plural(pool.Procs, "worker"), units.Duration(running.Startup()))
		return running, running.Startup(), running.Close, nil
	}
}

func plan(o options) string {
	// Short enough for one line of a narrow terminal: the tables name the
	// models.
	p := fmt.Sprintf("%s, %s after %s each", units.Plural(len(o.models), "model"),
		units.Plural(o.runs, "measured run"), units.Plural(o.warmup, "warm-up"))
	if o.gomaxprocs > 0 {
		p += fmt.Sprintf(", GOMAXPROCS=%d", o.gomaxprocs)
	}
	return p
}

// progressFor draws progress on stderr when it is a terminal, and nothing
// otherwise.
func progressFor(stderr io.Writer) bench.Progress {
	if f, ok := stderr.(*os.File); ok {
		return bench.TerminalProgress(f)
	}
	return nil
}

// convertOne converts the -points amount and prints the result, or the
// reason it cannot be converted, in one line.
func convertOne(o options, stdout, stderr io.Writer) int {
	points, _ := converter.ParsePoints(o.points) // validated with the flags
	res, err := o.rules.Convert(points)
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
