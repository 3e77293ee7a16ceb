package timeline

import "time"

// Span records which worker ran one task, and when.
//
// Worker is the lane the task ran in: 0 for the one goroutine of the
// sequential and event-loop models, the worker's index in a pool. PID is the
// operating-system process that ran it; it differs from the caller's own pid
// only in the process pool.
type Span struct {
	Worker int
	PID    int
	Start  time.Time
	End    time.Time
}
