package iobound

import "time"

// Defaults of the I/O workload, shared by every model and by the harness.
const (
	// DefaultLatency is the wait before every response of the embedded
	// server, so that each model's lower bound is known exactly.
	DefaultLatency = 20 * time.Millisecond
	// DefaultRepeat is how many times the list of sites is repeated, as the
	// original's [jython, dice] * 80.
	DefaultRepeat = 80
	// DefaultBodyCap is the largest response body a model accepts.
	DefaultBodyCap int64 = 16 << 20
	// DefaultTimeout is how long one request may take, body included.
	DefaultTimeout = 10 * time.Second
)

// The two sites of the original comparison.
const (
	JythonURL = "https://www.jython.org"
	DiceURL   = "http://olympus.realpython.org/dice"
)

// DefaultURLs returns the original's list for users with a network: the two
// sites, interleaved, DefaultRepeat times each.
func DefaultURLs() []string {
	return Repeat([]string{JythonURL, DiceURL}, DefaultRepeat)
}

// Repeat returns urls repeated n times, as Python's list * n does; n <= 0
// gives an empty list.
func Repeat(urls []string, n int) []string {
	out := make([]string, 0, len(urls)*max(n, 0))
	for range n {
		out = append(out, urls...)
	}
	return out
}
