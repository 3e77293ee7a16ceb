// Command compare runs conclab's four concurrency models on the I/O-bound
// and the CPU-bound workload, then the point converter's cache variants
// under load, and prints what it measured. Run it with -h for the
// overview, and `compare help SUBCOMMAND` for a subcommand's flags: each
// subcommand (io, cpu, convert, sweep, demo starve, demo race) has its own
// flag set, built from shared groups, and a flag it would not use is an
// error rather than silently ignored.
//
// Each table row is one model. Read the median first, then the bound: on the
// embedded server every response waits a fixed latency, so a model with c
// requests in flight cannot beat ceil(requests / c) × latency, and the
// efficiency column (bound / median) tells how much of the rest is the
// model's own overhead. The sequential model sits near 1.0 on I/O and is
// slow only because it waits for one response at a time; the event loop
// waits for up to -conns of them at once on one goroutine (100 by default,
// as the original's aiohttp connector: 160 requests go in 2 rounds, a bound
// of 2 × the latency; -conns 0 sends every request at once). On the CPU
// workload only models that use more cores go faster, and no model beats
// the one-core time of the work divided by the cores (the one-core time is
// the least any row shows, so no efficiency is above 1): in Go, unlike
// Python, goroutines do that without separate processes.
//
// The default tables fit 100 columns: model, workers, median ± standard
// deviation (no ± after one run), speedup, bound, efficiency, failed. With
// -wide, or on a terminal wide enough for them (never wrapped), the
// resource columns tell what each model pays: CPU seconds per run, the most
// goroutines and OS threads seen, the processes (1 + worker processes) and
// the peak resident memory in MiB, workers included; the I/O table adds the
// load figures hey and oha print, requests per second and the p50, p90, p99
// and max latency of the requests, also in the JSON (requests_per_second,
// request_seconds). Each model's runs happen in a fresh child process of
// compare (the process pool's in compare itself, which runs no other
// model), so those figures are its own whatever ran before it. The
// embedded server runs in a child process that is left out of every
// figure, as real sites would be.
//
// As hyperfine does, -export-json, -export-csv and -export-markdown FILE
// write the report in those formats (the Markdown with the wide tables)
// while the tables still go to the screen. -format bench writes go test's
// benchmark format with x/perf's benchfmt, cpu: line and -N GOMAXPROCS
// suffix included, and warns when there are fewer than the 6 runs per model
// benchstat needs for a confidence interval. -version prints the module
// version and the VCS revision the toolchain stamped into the binary.
//
// The summary under each table compares the fastest model with the others
// in hyperfine's manner, by their medians as the speedup column does, and the last line recalls the original article's
// Python timings — another language on another machine, for orientation
// only. A full run ends with a decision summary (package demo) derived from
// the figures: how busy the CPU was during the I/O runs against the CPU
// runs, who won each, and what Go changes in "async when you can, threads
// when you must, processes for CPU".
//
// Only equal work is ranked. A model that failed a task (a request refused,
// a worker that died) answers sooner than one that did the work, so it is
// never called faster, never the fastest and gets no speedup: its row is
// still printed, with "—" where a ranking figure would be and a line saying
// why ("eventloop failed 3 of 6 tasks: not compared"). bench.Comparable is
// the one predicate that decides, for the tables, the decision summary and
// the sweep alike. The bytes figure counts the bodies of successful
// responses only.
//
// Exit status: 0 when every model completed every task; 1 when a task
// failed (after the tables or the JSON; -ignore-failure gives 0) or a run
// could not complete; 2 for bad input, all of which is found before any
// work starts: every number has an upper bound (-h prints each), files named
// by -urls @FILE and -rules are read and checked first; 130 when
// interrupted, after printing what had completed. -svg FILE is written
// beside FILE and renamed into place only when the picture is complete, so
// an interrupted run leaves an existing FILE as it was.
//
// The teaching commands show why the numbers come out as they do.
// -timeline draws each model's last run under its table, one row per
// goroutine or process (-timeline=tasks: one per task), and -svg writes the
// same picture to a file, one colour per model with a legend, every run on
// one time axis (-svg-axis own: each on its own). -gomaxprocs 1 limits compare and its worker
// processes to one P, and the CPU table then shows what Python's GIL leaves
// to threads. The sweep subcommand times the two pools at growing worker
// counts and charts where more workers stop paying (sweep -svg FILE: as an
// SVG line chart on a log-scale worker axis); on the CPU workload it
// also turns each speedup into the serial fraction it implies (Karp-Flatt)
// and sets what Amdahl's law then predicts for the next count beside what
// that count measured. demo parallel fills the seed's table (who decides
// when tasks switch, on how many processors) with speedups measured at
// GOMAXPROCS 1 and N: concurrency gains on I/O with one P, only
// parallelism gains on CPU. demo starve shows an
// event-loop task that never yields holding up a timer; demo race shows
// Go's fatal "concurrent map writes", caught in a child process, and the
// updates a shared counter loses without a mutex or an atomic.
package main
