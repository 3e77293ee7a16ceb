package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"conclab/bench"
)

// TestSweepNotesSayWhereThePlateauEnds holds each sentence about a model's
// best count to the figures it is made from: it never says a range stays
// within 10% of the best when a count in that range does not.
func TestSweepNotesSayWhereThePlateauEnds(t *testing.T) {
	counts := []int{1, 5, 20, 50, 100}
	for _, tc := range []struct {
		name    string
		medians []float64 // one per count, in seconds
		want    string
	}{
		{
			name:    "still getting faster",
			medians: []float64{1, 0.5, 0.3, 0.2, 0.1},
			want:    "m was still getting faster at 100 workers (100.0 ms).",
		},
		{
			name:    "a plateau",
			medians: []float64{1, 0.5, 0.105, 0.1, 0.102},
			want:    "m: within 10% of its best (100.0 ms at 50 workers) from 20 workers on: more workers stopped paying there.",
		},
		{
			name:    "slower again at the last count",
			medians: []float64{1, 0.5, 0.1, 0.105, 0.3},
			want:    "m: fastest at 20 workers (100.0 ms), within 10% of that first at 20 workers; more workers made it slower again: 300.0 ms at 100 workers.",
		},
		{
			name:    "slower again before the last count",
			medians: []float64{1, 0.105, 0.1, 0.2, 0.3},
			want:    "m: fastest at 20 workers (100.0 ms), within 10% of that first at 5 workers; more workers made it slower again: more than 10% slower at 50 workers, 300.0 ms at 100.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := sweepDoc{Counts: counts, Tasks: 1000}
			for i, n := range counts {
				r := bench.Result{Model: "m", Tasks: 1000}
				r.Seconds.Median = tc.medians[i]
				doc.Results = append(doc.Results, sweepPoint{Requested: n, Result: r})
			}
			assert.Contains(t, sweepNotes(doc, []string{"m"}), tc.want)
		})
	}
}
