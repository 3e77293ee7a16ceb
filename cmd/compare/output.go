package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"

	"golang.org/x/term"

	"conclab/bench"
)

// rawOutput holds the output flags before validation.
type rawOutput struct {
	wide                            bool
	exportJSON, exportCSV, exportMD string
	svgAxis                         string
	version                         bool
}

// outputOptions is what the output flags decide.
type outputOptions struct {
	wide    bool     // -wide: the resource and load columns, whatever the screen
	exports []export // -export-json, -export-csv, -export-markdown
	version bool     // -version: print the version and exit
	svgAxis string   // -svg-axis: axisShared or axisOwn

}

// export is one file the report is written to besides the screen.
type export struct {
	flag   string // "export-json"
	format bench.Format
	path   string
}

// outputFlags: how much of each table the screen shows.
func outputFlags(fs *flag.FlagSet, r *rawFlags) {
	fs.BoolVar(&r.out.wide, "wide", false,
		"add the resource columns (cpu s/run, goroutines, threads, procs, peak RSS MiB) and, for io, requests/s and latency percentiles; "+
			"a terminal wide enough gets them without it")
	fs.StringVar(&r.out.exportJSON, "export-json", "", "also write the report as JSON (conclab.compare/v1) to this `file`, as hyperfine's --export-json")
	fs.StringVar(&r.out.exportCSV, "export-csv", "", "also write hyperfine's CSV columns to this `file`")
	fs.StringVar(&r.out.exportMD, "export-markdown", "", "also write the tables as Markdown to this `file`")
}

// versionFlag: compare -version.
func versionFlag(fs *flag.FlagSet, r *rawFlags) {
	fs.BoolVar(&r.out.version, "version", false, "print compare's module version and VCS revision, and exit")
}

// validateOutput checks the output flags and fills o.
func (r *rawFlags) validateOutput(o *options) error {
	o.out.wide, o.out.version = r.out.wide, r.out.version
	if r.has("svg-axis") {
		if r.out.svgAxis != axisShared && r.out.svgAxis != axisOwn {
			return usagef("-svg-axis: %q is neither %s nor %s", r.out.svgAxis, axisShared, axisOwn)
		}
		o.out.svgAxis = r.out.svgAxis
	}
	for _, e := range []export{
		{"export-json", bench.FormatJSON, r.out.exportJSON},
		{"export-csv", bench.FormatCSV, r.out.exportCSV},
		{"export-markdown", bench.FormatMarkdown, r.out.exportMD},
	} {
		if e.path == "" {
			continue
		}
		if err := checkOutput(e.path); err != nil {
			return usagef("-%s: %v", e.flag, err)
		}
		for _, other := range o.out.exports {
			if other.path == e.path {
				return usagef("-%s: %s is -%s's file too", e.flag, e.path, other.flag)
			}
		}
		if e.path == o.svg {
			return usagef("-%s: %s is -svg's file too", e.flag, e.path)
		}
		o.out.exports = append(o.out.exports, e)
	}
	return nil
}

// pendingExports creates each export's temporary file, so that a path that
// cannot be written is bad input, found before any measuring. discard
// removes those not committed.
func pendingExports(o options) (files []*pendingFile, discard func(), err error) {
	discard = func() {
		for _, f := range files {
			f.discard()
		}
	}
	for _, e := range o.out.exports {
		f, err := createPending(e.path)
		if err != nil {
			discard()
			return nil, func() {}, fmt.Errorf("-%s: %w", e.flag, err)
		}
		files = append(files, f)
	}
	return files, discard, nil
}

// writeExports writes the report to each export's file and renames it into
// place.
func writeExports(files []*pendingFile, rep bench.Report, o options, stderr io.Writer) error {
	var errs []error
	for i, e := range o.out.exports {
		err := bench.RenderView(files[i], rep, e.format, bench.View{Wide: true})
		if err == nil {
			err = files[i].commit()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("-%s %s: %w", e.flag, e.path, err))
			continue
		}
		fmt.Fprintf(stderr, "%s: written to %s\n", e.format, e.path)
	}
	return errors.Join(errs...)
}

// warnBenchstat says on stderr when -format bench has too few runs for
// benchstat to compute a confidence interval.
func warnBenchstat(o options, stderr io.Writer) {
	measures := slices.ContainsFunc(o.parts, func(p string) bool { return p == subIO || p == subCPU })
	if o.format == bench.FormatBench && measures && o.runs < bench.BenchstatRuns {
		fmt.Fprintf(stderr, "compare: warning: benchstat needs at least %d runs per model for a confidence interval; this is -runs %d (try -runs %d)\n",
			bench.BenchstatRuns, o.runs, bench.BenchstatRuns)
	}
}

// version is compare's module version and VCS revision, as the Go
// toolchain stamped them into the binary.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "compare: no build information in this binary"
	}
	v := info.Main.Version
	if v == "" {
		v = "(unknown)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := "revision unknown (built outside a VCS checkout, or with -buildvcs=false)"
	if r := settings["vcs.revision"]; r != "" {
		rev = "revision " + r
		if t := settings["vcs.time"]; t != "" {
			rev += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			rev += ", modified"
		}
	}
	return fmt.Sprintf("compare %s %s, %s, %s", info.Main.Path, v, rev, info.GoVersion)
}

// view is how wide the tables written to w may be: wide with -wide, or
// when w is a terminal wide enough for the wide tables (never wrapped).
func view(w io.Writer, o options) bench.View {
	v := bench.View{Wide: o.out.wide}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			v.Width = cols
		}
	}
	return v
}
