package timeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"conclab/internal/units"
)

// DefaultWidth is the number of columns the terminal picture gives the time
// axis when Options.Width is zero.
const DefaultWidth = 72

// DefaultMaxRows is how many rows the task view draws before it groups
// consecutive tasks into one row.
const DefaultMaxRows = 20

// Run is one run of one model: a label ("threaded, io") and the span of every
// task the run completed.
type Run struct {
	Label string
	Spans []Span
	// Tasks optionally names each span, index for index (the URL, the
	// number). The SVG picture shows the name in the span's tooltip; a
	// missing or empty name is shown as "task i".
	Tasks []string
	// Group is what the SVG picture colours a run by, one colour for each
	// and a legend entry naming it: the model, so that its io and cpu runs
	// share a colour. Empty means the Label.
	Group string
}

// group is the run's colour key.
func (r Run) group() string {
	if r.Group != "" {
		return r.Group
	}
	return r.Label
}

// Options shapes a picture. The zero value draws one row per lane, each run
// on its own time axis, 72 columns wide.
type Options struct {
	// Width is the number of terminal columns of the time axis; zero means
	// DefaultWidth. The SVG picture is always 960 pixels wide.
	Width int
	// SameScale draws every run on the time axis of the longest one, so a
	// bar's length compares across models. Without it each run fills the
	// width, which shows its shape best.
	SameScale bool
	// ByTask draws one row per task in order of start instead of one row
	// per lane: the sequential model becomes a staircase, a pool of five a
	// staircase five steps wide, the event loop a wall. More than MaxRows
	// tasks are grouped, consecutive ones sharing a row.
	ByTask bool
	// MaxRows caps the rows of the task view; zero means DefaultMaxRows.
	MaxRows int
}

func (o Options) width() int {
	if o.Width <= 0 {
		return DefaultWidth
	}
	return o.Width
}

func (o Options) maxRows() int {
	if o.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return o.MaxRows
}

// A lane is where tasks ran one after another, or together on the event
// loop: one goroutine of a pool, one worker process.
type lane struct{ PID, Worker int }

// row is one line of a picture: the spans drawn on it and how they are named.
type row struct {
	label string
	spans []int  // indexes into the run's spans
	peak  int    // most spans of this row at one instant
	lane  string // the lane all of the row's spans ran in, if they share one
}

// section is a run laid out: its rows and its time axis, in nanoseconds from
// the run's first start.
type section struct {
	run    Run
	origin time.Time
	length float64 // the run's own extent
	scale  float64 // the extent the axis shows (≥ length)
	rows   []row
	lanes  int
	names  map[lane]string // how each lane is labelled
	timed  []int           // indexes of the spans that have a start
}

func layout(runs []Run, opt Options) []section {
	secs := make([]section, len(runs))
	longest := 0.0
	for i, r := range runs {
		s := section{run: r}
		// A task that failed before it started may carry a zero span: it
		// has no place on the axis, and would stretch it back to year one.
		for k, sp := range r.Spans {
			if sp.Start.IsZero() {
				continue
			}
			if len(s.timed) == 0 || sp.Start.Before(s.origin) {
				s.origin = sp.Start
			}
			s.timed = append(s.timed, k)
		}
		for _, k := range s.timed {
			s.length = max(s.length, float64(r.Spans[k].End.Sub(s.origin)))
		}
		byLane, names := laneRows(r.Spans, s.timed)
		s.lanes, s.names = len(byLane), names
		if opt.ByTask {
			s.rows = taskRows(r.Spans, s.timed, opt.maxRows(), names)
		} else {
			s.rows = byLane
		}
		for j := range s.rows {
			s.rows[j].peak = peak(r.Spans, s.rows[j].spans, s.origin)
		}
		longest = max(longest, s.length)
		secs[i] = s
	}
	for i := range secs {
		secs[i].scale = secs[i].length
		if opt.SameScale {
			secs[i].scale = longest
		}
		if secs[i].scale <= 0 {
			// Every span has zero length: any positive extent puts them all
			// at the left edge, where they began.
			secs[i].scale = float64(time.Millisecond)
		}
	}
	return secs
}

// laneRows groups spans by (PID, Worker), lanes in that order. A lane is
// named by its worker ("w3") when the run used one process, by its process
// ("pid 4242") when each process had one lane, by both otherwise.
func laneRows(spans []Span, timed []int) ([]row, map[lane]string) {
	idx := map[lane][]int{}
	for _, i := range timed {
		k := lane{spans[i].PID, spans[i].Worker}
		idx[k] = append(idx[k], i)
	}
	keys := make([]lane, 0, len(idx))
	lanesPerPID := map[int]int{}
	for k := range idx {
		keys = append(keys, k)
		lanesPerPID[k.PID]++
	}
	slices.SortFunc(keys, func(a, b lane) int {
		return cmp.Or(cmp.Compare(a.PID, b.PID), cmp.Compare(a.Worker, b.Worker))
	})
	onePerPID := true
	for _, n := range lanesPerPID {
		onePerPID = onePerPID && n == 1
	}
	rows := make([]row, len(keys))
	names := make(map[lane]string, len(keys))
	for i, k := range keys {
		var label string
		switch {
		case len(lanesPerPID) == 1:
			label = "w" + strconv.Itoa(k.Worker)
		case onePerPID:
			label = "pid " + strconv.Itoa(k.PID)
		default:
			label = fmt.Sprintf("pid %d w%d", k.PID, k.Worker)
		}
		rows[i] = row{label: label, spans: idx[k], lane: label}
		names[k] = label
	}
	return rows, names
}

// taskRows puts the tasks in order of start, ties by end, and gives each
// row an equal share of them. A row whose tasks ran in one lane names it.
func taskRows(spans []Span, timed []int, maxRows int, names map[lane]string) []row {
	order := slices.Clone(timed)
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(spans[a].Start.Compare(spans[b].Start), spans[a].End.Compare(spans[b].End))
	})
	n := len(order)
	rowsN := min(n, maxRows)
	rows := make([]row, 0, rowsN)
	for r := range rowsN {
		lo, hi := r*n/rowsN, (r+1)*n/rowsN
		label := "#" + strconv.Itoa(lo)
		if hi-lo > 1 {
			label += "-" + strconv.Itoa(hi-1)
		}
		r := row{label: label, spans: order[lo:hi]}
		first := lane{spans[order[lo]].PID, spans[order[lo]].Worker}
		r.lane = names[first]
		for _, i := range r.spans {
			if (lane{spans[i].PID, spans[i].Worker}) != first {
				r.lane = ""
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// bounds returns a span's start and end in nanoseconds after origin. A
// zero-length span is given one nanosecond, so it is seen and counted where
// it happened; a span that ends before it starts is treated as zero-length.
func bounds(s Span, origin time.Time) (float64, float64) {
	start := float64(s.Start.Sub(origin))
	end := float64(s.End.Sub(origin))
	return start, max(end, start+1)
}

// edge is a task starting (+1) or ending (-1) at a time.
type edge struct {
	at    float64
	delta int
}

// edges returns the starts and ends of the given spans in time order, ends
// before starts at the same instant: a task that ends when the next one
// starts does not overlap it.
func edges(spans []Span, which []int, origin time.Time) []edge {
	es := make([]edge, 0, 2*len(which))
	for _, i := range which {
		s, e := bounds(spans[i], origin)
		es = append(es, edge{s, +1}, edge{e, -1})
	}
	slices.SortFunc(es, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta))
	})
	return es
}

// peak is the largest number of the given spans in progress at one instant.
func peak(spans []Span, which []int, origin time.Time) int {
	cur, top := 0, 0
	for _, e := range edges(spans, which, origin) {
		cur += e.delta
		top = max(top, cur)
	}
	return top
}

// columns divides [0, scale) into width equal slices and returns, for each,
// the largest number of the given spans in progress at one instant within
// it. The last slice runs on to the end of time, so a zero-length task at the
// very end is still counted.
func columns(spans []Span, which []int, origin time.Time, scale float64, width int) []int {
	es := edges(spans, which, origin)
	out := make([]int, width)
	cur, next := 0, 0
	for c := range width {
		from := float64(c) * scale / float64(width)
		to := float64(c+1) * scale / float64(width)
		if c == width-1 {
			to = math.Inf(1)
		}
		// The count just after the slice begins: everything up to and at
		// its start has happened.
		for next < len(es) && es[next].at <= from {
			cur += es[next].delta
			next++
		}
		top := cur
		for next < len(es) && es[next].at < to {
			cur += es[next].delta
			top = max(top, cur)
			next++
		}
		out[c] = top
	}
	return out
}

// ticks chooses round axis values (1, 2 or 5 times a power of ten
// milliseconds) for an axis of scale nanoseconds, about one per ten columns.
func ticks(scale float64, columns int) (step float64, values []float64) {
	return niceTicks(scale/float64(time.Millisecond), max(columns/12, 2))
}

// formatMS writes a value in milliseconds with as many decimals as the
// step between neighbouring values needs.
func formatMS(v, step float64) string {
	decimals := 0
	for s := step; s < 1-1e-9 && decimals < 6; s *= 10 {
		decimals++
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// header is the line above a run's rows.
func (s section) header() string {
	n, untimed := len(s.timed), len(s.run.Spans)-len(s.timed)
	switch {
	case n == 0 && untimed == 0:
		return s.run.Label + ": no tasks"
	case n == 0:
		return fmt.Sprintf("%s: %s, none with a time", s.run.Label, units.Plural(untimed, "task"))
	}
	h := fmt.Sprintf("%s: %s on %s, %s", s.run.Label, units.Plural(n, "task"), units.Plural(s.lanes, "lane"), units.Milliseconds(time.Duration(s.length)))
	if untimed > 0 {
		h += fmt.Sprintf(" (and %d without a time)", untimed)
	}
	return h
}
