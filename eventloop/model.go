package eventloop

import "time"

// Model runs both workloads on one event loop, on the goroutine that calls
// it. The zero value is ready to use.
type Model struct {
	// Timeout bounds each request, from its start to the end of its body,
	// and the lookup of each host name before the loop starts.
	// 0 means iobound.DefaultTimeout.
	Timeout time.Duration
	// BodyCap bounds each response body. 0 means iobound.DefaultBodyCap.
	BodyCap int64
	// MaxConns caps the requests in flight at once. 0 means no cap: as in
	// the original, every request starts at once.
	MaxConns int
}

// Name is the model's row label.
func (Model) Name() string { return "eventloop" }

// Concurrency reports how many tasks run at once: every request (or
// MaxConns of them) for "io", one for "cpu", since one goroutine computes.
func (m Model) Concurrency(workload string, tasks int) int {
	if workload != "io" {
		return 1
	}
	if m.MaxConns > 0 && m.MaxConns < tasks {
		return m.MaxConns
	}
	return tasks
}
