package multiproc

// Concurrency is how many tasks the pool runs at once: one per worker, and
// no more workers than tasks.
func (m Pool) Concurrency(workload string, tasks int) int { return max(0, min(m.procs(), tasks)) }

// Processes reports that the pool runs its tasks in worker processes.
func (Pool) Processes() bool { return true }

// OneGoroutine reports that the pool's tasks run on many goroutines, in as
// many processes.
func (Pool) OneGoroutine() bool { return false }
