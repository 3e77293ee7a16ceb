package sequential

import "net/http"

// newClient returns the client of one run. Its own transport keeps the run's
// connections apart from every other client's, so that closing its idle
// connections at the end leaves nothing behind.
func newClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}
