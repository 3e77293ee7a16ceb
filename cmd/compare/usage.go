package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"conclab/internal/text"
)

// The help's paragraphs. Each command's help is its own paragraphs, its
// flags, its examples and the exit status; `compare -h` adds the overview.

const intro = `compare runs conclab's concurrency models on two workloads and prints what
it measured: an I/O-bound one (GET 160 pages) and a CPU-bound one (exact sums
of squares), then a shared-cache benchmark of the point converter.
`

const howItMeasures = `How it measures: each model gets -warmup unmeasured runs, then -runs measured
ones. An I/O warm-up run is short: it fetches only 2 × the model's concurrency
URLs (at least 2), enough to open its connections and start its workers. The
CPU warm-up is the whole workload. With the defaults (3 runs, 1 warm-up, 160
requests at 20 ms) the whole command takes about 20 s on two cores; the
sequential I/O model alone needs 160 × 20 ms = 3.2 s a run. The embedded
server runs in a child process, so that its cost is not charged to a model;
-urls fetches real sites instead (their bounds and efficiency are n/a).
`

const verdicts = `Verdicts: a model is ranked against another (the "times faster" lines, the
speedup column, the summary) only when both completed the same tasks with no
failure: a request that fails returns sooner than one that succeeds. A model
that failed tasks keeps its row, with — for its speedup and efficiency, and
a line under the table says why ("eventloop failed 3 of 6 tasks: not
compared").
`

const eventloopConns = `The event loop keeps at most -conns connections in flight (default 100, as the
seed's aiohttp connector; 0 for no cap): 160 requests go in 2 rounds, so its
bound is 2 × the latency.
`

const teaching = `Teaching:
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

  compare sweep times threaded and multiproc at growing worker counts, and
  compare demo starve and compare demo race show an event loop starved and a
  data race; compare help sweep and compare help demo tell more. compare demo
  parallel fills the seed's table with io and cpu at GOMAXPROCS 1 and N.
`

const aboutFull = intro + `
` + howItMeasures + `
` + eventloopConns + `
` + verdicts + `
` + teaching

const aboutIO = `compare io runs every model (or those of -models) on the I/O-bound workload:
GET the embedded server's two pages -repeat times each (160 requests by
default), or the URLs of -urls, and prints one table.

` + howItMeasures + `
` + eventloopConns + `
` + verdicts

const aboutCPU = `compare cpu runs every model (or those of -models) on the CPU-bound workload:
the sum of squares below each of -count numbers from -base, every sum checked
against the closed form, and prints one table. Only models that use more
cores go faster; -gomaxprocs 1 shows what Python's GIL leaves to threads.

` + verdicts

const aboutConvert = `compare convert runs the point converter's cache variants under parallel
load, once with a cheap computation and once with an expensive one, -runs
times each, and prints their time per call (median ± spread) and hit
ratios; variants whose ranges overlap are called tied. -procs N
runs one load in N worker processes instead: a cache per process, one
owner process that the workers ask over pipes, and Redis with -cache-url;
the repeated column counts amounts computed more than once across them.
-backpressure runs a rate service of capacity K without and with a
semaphore of K. With -points N it converts one amount with the rules
(-rules FILE or the defaults) and prints the result.
`

const aboutSweep = `compare sweep runs threaded and multiproc (or those of -models) at each count
of -workers on one workload (-workload io or cpu) and prints the median and
the speedup against the first count, a line chart, and where adding workers
stopped paying; for cpu, from a list that starts at 1, also the serial
fraction each speedup implies (Karp-Flatt) and what Amdahl's law then
predicts for the next count. To stay quick its default latency is 5 ms
(160 requests, 0.8 s a run with one worker; about 15 s in all on two
cores). Counts above
the tasks start no more workers. Worker processes beyond the CPUs take turns
on the cores: for io they still overlap their waits, at the cost of a
start-up and tens of MiB each (100 processes: about 1 GiB); for cpu they only
add that cost. A count whose run failed tasks is shown but not ranked.
Formats: table, markdown, json. The io flags (-latency, -repeat, -urls, -tls) go
with -workload io, the cpu flags (-count, -base) with cpu; -timeout bounds
a request, and a worker process's sum.
`

const aboutStarve = `compare demo starve schedules on an event loop a sum of squares below -n and
a timer due -delay later, once as one callback and once yielding between
chunks, and shows how late the timer ran behind each; then the same task on
a goroutine, in child processes at GOMAXPROCS 1 and 2 and with asynchronous
preemption off, where Go's scheduler preempts it.
`

const aboutRace = `compare demo race writes a map from 8 goroutines in a child process, whose
fatal "concurrent map writes" is caught and shown, then counts a shared
counter's lost updates without synchronisation, with sync.Mutex and with
sync/atomic.
`

const aboutNoLock = `compare demo nolock lets tasks on one event loop update a shared counter and
map with no lock (nothing is lost: one goroutine runs every callback to its
end), then with an await inside the update (updates are lost even there:
asyncio.Lock's reason to exist), then runs the same code on goroutines in a
child process, which lose updates even with -gomaxprocs 1.
`

const aboutLeak = `compare demo leak runs the downloader as a pipeline (fetch, parse, sum) over
the embedded server with one failing URL: a consumer that quits at the first
error leaves every stage blocked on a send, and the goroutines left behind
are counted by function; then the same pipeline with context and
errgroup.WithContext plus SetLimit leaves none.
`

const aboutDeadlock = `compare demo deadlock runs, in child processes, two goroutines that lock two
mutexes in opposite orders, found by a watchdog that shows both stacks
(SIGQUIT), and Go's own "all goroutines are asleep - deadlock!", which the
runtime reports only when no goroutine, timer or cgo call could ever wake
one (so build with CGO_ENABLED=0 to see it). About 3 s.
`

const aboutParallel = `compare demo parallel runs every model on both workloads twice, with
GOMAXPROCS=1 and with -gomaxprocs N, and fills the seed's table (who decides
when tasks switch, on how many processors) with the speedups it measured: the
pool of goroutines still gains about 5x on io with one P, and nothing on cpu.
Waiting needs no processor; computing does. About 10 s on two cores.
`

const exitStatusText = `Exit status: 0 when every model completed every task; 1 when a task failed
(the tables are printed first; -ignore-failure gives 0) or a run could not
complete; 2 on bad input, checked before any work; 130 when interrupted
(what had completed is printed first).
`

var (
	examplesFull = []string{
		"go run ./cmd/compare",
		"go run ./cmd/compare -format bench > runs.txt && benchstat -col /model -ignore /workers runs.txt",
		"go run ./cmd/compare -gomaxprocs 1",
	}
	examplesIO = []string{
		"go run ./cmd/compare io -models sequential,threaded -workers 20",
		"go run ./cmd/compare io -latency 5ms -repeat 10 -runs 5 -format markdown",
		"go run ./cmd/compare io -urls https://www.jython.org,http://olympus.realpython.org/dice -repeat 2",
		"go run ./cmd/compare io -urls @urls.txt -repeat 1",
		"go run ./cmd/compare io -conns 0 -repeat 1000",
		"go run ./cmd/compare io -tls",
		"go run ./cmd/compare io -timeline -svg timelines.svg",
	}
	examplesCPU = []string{
		"go run ./cmd/compare cpu -format json",
		"go run ./cmd/compare cpu -timeline=tasks",
		"go run ./cmd/compare cpu -gomaxprocs 1",
	}
	examplesConvert = []string{
		"go run ./cmd/compare convert -points 150,000",
		"go run ./cmd/compare convert -rules rules.json -format json",
		"go run ./cmd/compare convert -runs 10",
		"go run ./cmd/compare convert -procs 4 -cache-url redis://127.0.0.1:6379/0",
		"go run ./cmd/compare convert -backpressure",
	}
	examplesSweep = []string{
		"go run ./cmd/compare sweep -workers 1,2,5,10,20,50,100",
		"go run ./cmd/compare sweep -workload cpu -workers 1,2,4,8",
	}
	examplesStarve   = []string{"go run ./cmd/compare demo starve -n 200000000"}
	examplesRace     = []string{"go run -race ./cmd/compare demo race"}
	examplesNoLock   = []string{"go run ./cmd/compare demo nolock", "go run -race ./cmd/compare demo nolock"}
	examplesLeak     = []string{"go run ./cmd/compare demo leak"}
	examplesParallel = []string{"go run ./cmd/compare demo parallel", "go run ./cmd/compare demo parallel -gomaxprocs 4 -runs 1"}
	examplesDeadlock = []string{"go run ./cmd/compare demo deadlock", "CGO_ENABLED=0 go run ./cmd/compare demo deadlock"}
)

// usage writes the help of c: the overview and every subcommand for the
// full run, the command's own text otherwise. A nil c is both
// demonstrations.
func usage(w io.Writer, c *command) {
	switch {
	case c == nil:
		for i, d := range demoNames() {
			if i > 0 {
				fmt.Fprintln(w)
			}
			usage(w, lookupCommand(subDemo+" "+d))
		}
		return
	case c.name == "":
		fullUsage(w, c)
		return
	}
	fmt.Fprintf(w, "Usage: compare %s [flags]\n\n%s\nFlags:\n", c.name, c.about)
	writeFlags(w, c)
	writeExamples(w, c.examples)
	if c.sub != subDemo && c.sub != subConvert {
		fmt.Fprint(w, "\n"+exitStatusText)
	}
}

func fullUsage(w io.Writer, c *command) {
	fmt.Fprint(w, intro+"\nUsage:\n")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, cmd := range commands() {
		line := "compare [flags]"
		if cmd.name != "" {
			line = "compare " + cmd.name + " [flags]"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", line, cmd.synopsis)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "compare help [subcommand]", "a subcommand's flags (or compare SUBCOMMAND -h)")
	tw.Flush()
	fmt.Fprint(w, `Flags may come before or after the subcommand; each subcommand takes only
the flags it uses, and any other is an error.

Models (-models):
`)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, s := range modelSpecs() {
		fmt.Fprintf(tw, "  %s\t%s\n", s.name, s.about)
	}
	tw.Flush()
	fmt.Fprint(w, "\n"+strings.TrimPrefix(c.about, intro+"\n"))
	fmt.Fprint(w, "\nFlags of the full run (compare help SUBCOMMAND lists another's):\n")
	writeFlags(w, c)
	var all []string
	for _, cmd := range commands() {
		all = append(all, cmd.examples...)
	}
	writeExamples(w, all)
	fmt.Fprint(w, "\n"+exitStatusText)
}

// writeFlags lists the command's flags with their ranges and defaults, as
// the flag package's PrintDefaults does: the flag on one line, what it does
// below, wrapped to fit 80 columns.
func writeFlags(w io.Writer, c *command) {
	fs, _ := c.flagSet()
	fs.VisitAll(func(f *flag.Flag) {
		name, use := flag.UnquoteUsage(f)
		if name == "value" { // a flag.Value with no name in its usage
			switch f.Value.(type) {
			case *intFlag:
				name = "N"
			case *durationFlag:
				name = "duration"
			default:
				name = ""
			}
		}
		if f.Name == "format" {
			use += ": " + formatsFor(c)
		}
		var notes []string
		if l, ok := f.Value.(limited); ok {
			notes = append(notes, l.limits())
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			notes = append(notes, "default "+f.DefValue)
		}
		if len(notes) > 0 {
			use += " (" + strings.Join(notes, ", ") + ")"
		}
		fmt.Fprintln(w, "  "+strings.TrimSpace("-"+f.Name+" "+name))
		for _, l := range strings.Split(text.Wrap(use, 80-6, ""), "\n") {
			fmt.Fprintf(w, "      %s\n", l)
		}
	})
}

// formatsFor says which formats the command prints.
func formatsFor(c *command) string {
	switch c.sub {
	case subSweep:
		return "table, markdown or json, whose schema is conclab.sweep/v1"
	case subConvert:
		return "table, markdown, json as conclab.compare/v1, or bench for benchstat"
	}
	return "table, markdown, csv with hyperfine's columns, json as conclab.compare/v1, or bench for benchstat"
}

func writeExamples(w io.Writer, examples []string) {
	if len(examples) == 0 {
		return
	}
	fmt.Fprint(w, "\nExamples:\n")
	for _, e := range examples {
		fmt.Fprintln(w, "  "+e)
	}
}
