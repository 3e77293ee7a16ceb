package threaded

import "net/http"

// DefaultWorkers is the pool size of the original's ThreadPoolExecutor.
const DefaultWorkers = 5

// workers is the pool's size, its default for zero.
func (m Pool) workers() int {
	if m.Workers == 0 {
		return DefaultWorkers
	}
	return m.Workers
}

// newClient returns the client of one run, shared by the workers. net/http
// keeps only 2 idle connections per host by default: with more workers, the
// others' connections would be closed after each response and a new one
// opened for the next request. Keeping one per worker lets every worker reuse
// its connection, as each of the original's threads reuses its Session's.
func newClient(workers int) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = workers
	transport.MaxIdleConns = max(transport.MaxIdleConns, workers)
	return &http.Client{Transport: transport}
}
