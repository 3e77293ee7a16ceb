package threaded

// DefaultWorkers is the pool size of the original's ThreadPoolExecutor.
const DefaultWorkers = 5

// workers is the pool's size, its default for zero.
//
// Download's client keeps one idle connection per worker (iobound.NewClient's
// idlePerHost): net/http keeps only 2 per host by default, so with more
// workers the others' connections would be closed after each response and a
// new one opened for the next request. Keeping one per worker lets every
// worker reuse its connection, as each of the original's threads reuses its
// Session's.
func (m Pool) workers() int {
	if m.Workers == 0 {
		return DefaultWorkers
	}
	return m.Workers
}
