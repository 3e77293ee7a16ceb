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
// [WriteSVG] draws the same picture as an SVG document: translucent
// rectangles (they darken where tasks overlap) with a tooltip naming each
// task, its lane and its times.
//
// What a timeline cannot show is why a lane waited: a lane of blocks may be
// a worker computing (CPU-bound) or a worker blocked on the network (I/O-bound).
// Put the picture beside the run's CPU time to tell them apart.
package timeline
