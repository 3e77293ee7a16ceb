package sequential

// Concurrency reports how many tasks the model runs at once: one.
func (Model) Concurrency(workload string, tasks int) int { return 1 }

// Processes reports that the model runs its tasks in this process.
func (Model) Processes() bool { return false }

// OneGoroutine reports that the model runs every task on one goroutine.
func (Model) OneGoroutine() bool { return true }
