package threaded

// Concurrency reports how many tasks the pool runs at once: one per worker,
// and no more workers than tasks, for either workload.
func (m Pool) Concurrency(workload string, tasks int) int { return max(min(m.workers(), tasks), 0) }

// Processes reports that the pool runs its tasks in this process.
func (Pool) Processes() bool { return false }

// OneGoroutine reports that the pool runs its tasks on several goroutines.
func (Pool) OneGoroutine() bool { return false }
