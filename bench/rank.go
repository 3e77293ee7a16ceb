package bench

import (
	"errors"
	"fmt"
)

// ErrNotCompared is wrapped by the reason Comparable and Rankable give for
// a model that may not be ranked.
var ErrNotCompared = errors.New("not compared")

// Work is what ranking looks at in a model's runs: the tasks it was given
// in each run and the most of them that failed in one measured run.
type Work struct {
	Model  string // the name the reason uses ("threaded", "threaded at 50 workers")
	Tasks  int
	Failed int
}

// Work returns what the result's runs did, for Rankable and Comparable.
func (r Result) Work() Work { return Work{Model: r.Model, Tasks: r.Tasks, Failed: r.Failed} }

// Rankable reports whether w may be ranked at all: it completed every task
// with no failure. A model that fails a request answers sooner than one
// that waits for it, so a run that skipped work would otherwise be called
// faster for it. The error says why not, in words a note under a table can
// print ("eventloop failed 3 of 6 tasks: not compared"), and wraps
// ErrNotCompared.
func Rankable(w Work) error {
	switch {
	case w.Tasks <= 0:
		return fmt.Errorf("%s ran no task: %w", w.Model, ErrNotCompared)
	case w.Failed > 0:
		return fmt.Errorf("%s failed %d of %d tasks: %w", w.Model, w.Failed, w.Tasks, ErrNotCompared)
	}
	return nil
}

// Comparable reports whether two models may be ranked against each other:
// one called faster than the other, a speedup, a fastest. Both must be
// Rankable, and must have been given the same tasks. Every ranking that
// bench, compare and the decision summary print goes through it.
func Comparable(a, b Work) error {
	if err := Rankable(a); err != nil {
		return err
	}
	if err := Rankable(b); err != nil {
		return err
	}
	if a.Tasks != b.Tasks {
		return fmt.Errorf("%s ran %d tasks and %s %d: %w", a.Model, a.Tasks, b.Model, b.Tasks, ErrNotCompared)
	}
	return nil
}
