// Package timeline records where and when each task of a run happened, and
// draws it.
//
// Every model stamps each task it runs with a [Span]: the worker (goroutine
// lane or process) that ran it, and its start and end. Drawn one lane per
// worker, the spans show each model's shape at a glance: the sequential
// model's one lane, busy from start to end; a pool's parallel lanes; the event
// loop's single lane with its overlapping waits; and the process pool's lanes,
// named by process id.
//
// [Render] draws runs in the terminal, a section per [Run]: one row per lane,
// keyed by (PID, Worker), and a time axis in milliseconds. Each column is a
// slice of time, and shows how many of the lane's tasks were in progress at
// once during it: a block for one, a digit for two to nine, a plus for ten or
// more. A lane of blocks ran its tasks one after another, as a thread does. A
// lane of digits and pluses had many tasks started and waiting at once: that
// is an event loop, which starts the next request while the previous ones
// wait for their answer, all on one goroutine.
//
// With [Options].ByTask the rows are tasks instead, in order of start. The
// sequential model then draws a staircase, one step per task; a pool of five
// a staircase whose steps are five tasks high; the event loop a wall, every
// task started before the first one ends. [Options].SameScale puts every run
// on the time axis of the slowest, so bar lengths compare across models.
//
// [WriteSVG] draws the same picture as an SVG document, one colour per
// model ([Run].Group) with a legend naming each, and a tooltip on every
// task naming it, its lane and its times. With [Options].SameScale every
// run shares one time axis, so the sequential model's 3 s and the event
// loop's 30 ms look as different as they are. Tasks of one lane that
// overlap in time, an event loop's requests in flight, are stacked in
// levels (the lane grows taller), so each stays a bar of its own.
//
// [WriteChart] draws a line chart, one coloured line per series with a
// legend, optionally on a log-scale x axis: compare sweep draws each pool's
// median time against its worker count with it.
//
// What a timeline cannot show is why a lane waited: a lane of blocks may be
// a worker computing (CPU-bound) or a worker blocked on the network (I/O-bound).
// Put the picture beside the run's CPU time to tell them apart.
package timeline
