// Package timeline records where and when each task of a run happened.
//
// Every model stamps each task it runs with a [Span]: the worker (goroutine
// lane or process) that ran it, and its start and end. Drawn one lane per
// worker, the spans show each model's shape at a glance: the sequential
// model's staircase, a pool's parallel lanes, the event loop's single lane
// with its overlapping waits, and the process pool's process ids.
package timeline
