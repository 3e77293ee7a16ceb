package timeline

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// slowColumns is columns the obvious way: for each slice, clip every span to
// it and count the most at one instant.
func slowColumns(spans []Span, which []int, origin time.Time, scale float64, width int) []int {
	out := make([]int, width)
	for c := range width {
		from := float64(c) * scale / float64(width)
		to := float64(c+1) * scale / float64(width)
		if c == width-1 {
			to = math.Inf(1)
		}
		var clipped []int
		for _, i := range which {
			s, e := bounds(spans[i], origin)
			if max(s, from) < min(e, to) {
				clipped = append(clipped, i)
			}
		}
		// Within the slice, the most at once is the most at some start
		// (or at the slice's beginning).
		instants := []float64{from}
		for _, i := range clipped {
			s, _ := bounds(spans[i], origin)
			if s > from {
				instants = append(instants, s)
			}
		}
		for _, at := range instants {
			n := 0
			for _, i := range clipped {
				s, e := bounds(spans[i], origin)
				if s <= at && at < e {
					n++
				}
			}
			out[c] = max(out[c], n)
		}
	}
	return out
}

func TestColumnsMatchesTheObviousCount(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(40)
		spans := make([]Span, n)
		which := make([]int, n)
		for i := range spans {
			// Coarse times make ties (back-to-back and simultaneous tasks)
			// common, and some tasks have no length at all.
			start := time.Duration(rng.IntN(20)) * time.Millisecond
			length := time.Duration(rng.IntN(6)) * time.Millisecond
			spans[i] = Span{Start: origin.Add(start), End: origin.Add(start + length)}
			which[i] = i
		}
		scale := float64(25 * time.Millisecond)
		for _, width := range []int{1, 7, 25, 72} {
			assert.Equal(t, slowColumns(spans, which, origin, scale, width), columns(spans, which, origin, scale, width),
				"trial %d, width %d", trial, width)
		}
	}
}

// A row is as tall as the levels its spans are drawn on: peak and levels
// follow one rule, zero-length tasks included.
func TestPeakIsTheLevelsDrawn(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return origin.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name  string
		spans []Span
		want  int
	}{
		{"no span", nil, 0},
		{"one task", []Span{{Start: at(0), End: at(10)}}, 1},
		{"back to back", []Span{{Start: at(0), End: at(10)}, {Start: at(10), End: at(20)}}, 1},
		{"overlapping", []Span{{Start: at(0), End: at(10)}, {Start: at(5), End: at(20)}}, 2},
		{"a zero-length task during another", []Span{{Start: at(0), End: at(10)}, {Start: at(5), End: at(5)}}, 2},
		{"zero-length tasks at one instant", []Span{{Start: at(5), End: at(5)}, {Start: at(5), End: at(5)}}, 2},
		{"zero-length tasks one after another", []Span{{Start: at(5), End: at(5)}, {Start: at(6), End: at(6)}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			which := make([]int, len(tt.spans))
			for i := range which {
				which[i] = i
			}
			assert.Equal(t, tt.want, peak(tt.spans, which, origin))
			if len(which) > 0 {
				level, n := levels(tt.spans, which, origin)
				assert.Equal(t, tt.want, n)
				for _, l := range level {
					assert.Less(t, l, tt.want)
				}
			}
		})
	}
}
