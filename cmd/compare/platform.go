package main

import (
	"fmt"
	"io"
	"runtime"

	"conclab/bench"
	"conclab/eventloop"
)

// unsupported tells why m cannot run on this system, nil when it can. Only
// the event loop depends on the system: it needs a poller, epoll or kqueue
// (Linux, macOS, the BSDs), and eventloop.New says whether there is one.
func unsupported(m bench.Model) error {
	if _, ok := m.(eventloop.Model); !ok {
		return nil
	}
	loop, err := eventloop.New()
	if err != nil {
		return err
	}
	return loop.Close()
}

// runnable keeps the models this system can run. Each other is left out of
// the tables with one line on stderr saying why, rather than failing every
// task of the run.
func runnable(models []bench.Model, probe func(bench.Model) error, stderr io.Writer) []bench.Model {
	kept := models[:0:0]
	for _, m := range models {
		if err := probe(m); err != nil {
			fmt.Fprintf(stderr, "compare: %s skipped on %s: %v (it needs Linux, macOS or a BSD)\n", m.Name(), runtime.GOOS, err)
			continue
		}
		kept = append(kept, m)
	}
	return kept
}
