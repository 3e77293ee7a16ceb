package eventloop

// Concurrency reports how many tasks run at once: MaxConns requests (or
// all of them, when fewer) for "io", one for "cpu", since one goroutine
// computes.
func (m Model) Concurrency(workload string, tasks int) int {
	if workload != "io" {
		return 1
	}
	return max(min(m.maxConns(), tasks), 0)
}

// Processes reports that the model runs its tasks in this process.
func (Model) Processes() bool { return false }

// OneGoroutine reports that the model runs every task on one goroutine,
// the loop's.
func (Model) OneGoroutine() bool { return true }
