// Package bench is conclab's harness: it runs each concurrency model on the
// two workloads, measures it, and renders what it measured.
//
// A Runner runs every model in turn, first a few unmeasured warm-up runs
// (they open connections and start workers, as a first run would), then the
// measured runs, whose wall times are summarised with the mean, the sample
// standard deviation, the median, the minimum and the maximum. The median is
// the figure the tables lead with: one slow run on a busy machine moves the
// mean but hardly the median.
//
// Each result is judged against a lower bound that is known exactly. On the
// embedded server every response waits a fixed latency, so a model that has
// c requests in flight needs at least ceil(requests / c) × latency; for the
// CPU workload no model can beat the one-core time of the work divided by
// the cores it can use. That one-core time is measured, not known, so it is
// taken as the least that any row shows (a row of k cores whose fastest run
// took t shows it is at most k·t): the sequential row's fastest run, unless
// another row did better. Taken from the sequential median alone it would
// let a model beat its "bound" by the noise between two measurements.
// Efficiency = bound / median says how close a model comes: 0.95 is a model
// that wastes 5% on its own machinery, and it is never above 1. Speedup is
// the sequential median over the model's, and the "times faster" lines
// compare medians too. Against real sites (-urls) the latency is unknown and
// so are bound and efficiency.
//
// Every CPU sum of every run is checked against the closed form: a wrong sum
// stops the harness with an error and never becomes a row. A failed task, by
// contrast (a download that failed, a sum whose worker died), is a result:
// it is counted in its row, and the bytes column counts the bodies of the
// successful responses only.
//
// Only equal work is ranked. A model that fails a request answers sooner
// than one that waits for the response, so a run that failed tasks would
// otherwise be called faster for the work it skipped. Comparable is the one
// predicate that decides: two models are ranked against each other (one
// "times faster" than the other, a speedup, a fastest) only when both
// completed the same tasks with no failure. Otherwise the row is still shown,
// its speedup and efficiency are null in the JSON and "—" in the table, and
// the line under the table says why ("eventloop failed 3 of 6 tasks: not
// compared"). compare's decision summary and its sweep rank through the same
// predicate.
//
// While the measured runs go on, one sampler goroutine reads every 10 ms the
// goroutine count, the OS threads and (on Linux, from /proc) the child
// processes with their CPU time and memory. The counts are the whole
// process's: the goroutine figure includes the caller's goroutine and the
// sampler, so a model that runs on the calling goroutine, like the event
// loop, shows two. CPU time is the getrusage delta of the process and of its
// reaped children, plus what live workers used while they were watched.
// Child processes that are not the model's — the embedded server, which
// compare runs in a child process so that none of its cost is charged to a
// model — are listed in Runner.Exclude and ignored; that child is reaped
// only after all measurements, so its CPU time never reaches a getrusage
// delta either.
//
// A process's memory is not given back when a model ends: a heap grown by
// one model stays resident under the next, whatever its peak is reset to.
// So a row's figures are its model's own only when the model runs in a
// process of its own. Runner.Isolate lets the caller measure each model
// elsewhere, and compare does: every model's runs happen in a fresh child
// process of compare, whose Runner measures them there, and this Runner
// ranks the rows. (The process pool runs in compare itself, which has run
// no other model: a child may not start children of its own.) A Runner
// measuring several models in one process resets the peak resident set
// before each (Linux's clear_refs), which is the best it can do.
//
// Render writes a Report as text tables with hyperfine-style summaries ("A
// ran 5.00 ± 0.17 times faster than B", the ± by error propagation, left
// out when a model ran once: one run has no spread), outlier warnings
// (modified z-score beyond 3.5) and the original article's Python timings
// for orientation. The default tables fit 100 columns; View.Wide adds the
// resource columns, each with its unit in its header (cpu s/run, peak RSS
// MiB). Or Render writes the report as Markdown, as hyperfine's CSV columns
// (user and system per run), as Go benchmark lines for benchstat, or as the
// JSON document conclab.compare/v1.
package bench
