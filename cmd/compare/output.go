package main

import (
	"flag"
	"io"
	"os"

	"golang.org/x/term"

	"conclab/bench"
)

// rawOutput holds the output flags before validation.
type rawOutput struct {
	wide bool
}

// outputOptions is what the output flags decide.
type outputOptions struct {
	wide bool // -wide: the resource and load columns, whatever the screen
}

// outputFlags: how much of each table the screen shows.
func outputFlags(fs *flag.FlagSet, r *rawFlags) {
	fs.BoolVar(&r.out.wide, "wide", false,
		"add the resource columns (cpu s/run, goroutines, threads, procs, peak RSS MiB) and, for io, requests/s and latency percentiles; "+
			"a terminal wide enough gets them without it")
}

// validateOutput checks the output flags and fills o.
func (r *rawFlags) validateOutput(o *options) error {
	o.out.wide = r.out.wide
	return nil
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
