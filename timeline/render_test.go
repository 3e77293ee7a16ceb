package timeline_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/timeline"
)

// bars returns, for each row of a picture, its label and the cells between
// its two bars.
func bars(t *testing.T, picture string) (labels, cells []string) {
	t.Helper()
	for _, line := range strings.Split(picture, "\n") {
		open := strings.Index(line, " |")
		end := strings.LastIndex(line, "|")
		if open < 0 || end <= open+1 {
			continue
		}
		labels = append(labels, strings.TrimSpace(line[:open]))
		cells = append(cells, line[open+2:end])
	}
	return labels, cells
}

func TestRender(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		run    timeline.Run
		opt    timeline.Options
		labels []string
		// each row's cells may only hold these characters
		allowed string
		// and must hold this one somewhere
		must     string
		contains []string
	}{
		{
			name:     "the sequential model is one lane busy from start to end",
			run:      timeline.Run{Label: "sequential", Spans: staircase(20, 160*ms)},
			labels:   []string{"w0"},
			allowed:  "█",
			must:     "█",
			contains: []string{"sequential: 20 tasks on 1 lane, 3200 ms", "20 tasks\n"},
		},
		{
			name:     "a pool of five draws five lanes, none overlapping",
			run:      timeline.Run{Label: "threaded", Spans: pool(5, 20, 160*ms)},
			labels:   []string{"w0", "w1", "w2", "w3", "w4"},
			allowed:  "█",
			must:     "█",
			contains: []string{"20 tasks on 5 lanes, 640 ms", "4 tasks\n"},
		},
		{
			name:     "the event loop draws one lane that counts its tasks in flight",
			run:      timeline.Run{Label: "eventloop", Spans: loop(160, ms/10, 20*ms)},
			labels:   []string{"w0"},
			allowed:  "█23456789+",
			must:     "+",
			contains: []string{"160 tasks, up to 160 at once", timeline.Legend},
		},
		{
			name:     "a few overlapping tasks are counted with digits",
			run:      timeline.Run{Label: "eventloop", Spans: loop(3, ms, 10*ms)},
			labels:   []string{"w0"},
			allowed:  "█23",
			must:     "3",
			contains: []string{"up to 3 at once"},
		},
		{
			name:     "a process pool names its lanes by process id",
			run:      timeline.Run{Label: "multiproc", Spans: processes([]int{4243, 4242}, 8, 40*ms)},
			labels:   []string{"pid 4242", "pid 4243"},
			allowed:  "█",
			must:     "█",
			contains: []string{"8 tasks on 2 lanes"},
		},
		{
			name: "processes with several lanes each name both",
			run: timeline.Run{Label: "mixed", Spans: []timeline.Span{
				{PID: 7, Worker: 1, Start: at(0), End: at(ms)},
				{PID: 7, Worker: 0, Start: at(0), End: at(ms)},
				{PID: 9, Worker: 0, Start: at(0), End: at(ms)},
			}},
			labels:  []string{"pid 7 w0", "pid 7 w1", "pid 9 w0"},
			allowed: "█",
			must:    "█",
		},
		{
			name: "zero-length tasks are still drawn where they happened",
			run: timeline.Run{Label: "instant", Spans: []timeline.Span{
				{Start: at(0), End: at(0)},
				{Start: at(10 * ms), End: at(10 * ms)},
			}},
			opt:      timeline.Options{Width: 10},
			labels:   []string{"w0"},
			allowed:  "█ ",
			must:     "█",
			contains: []string{"|█        █| 2 tasks"},
		},
		{
			name: "a run of only zero-length tasks is drawn at its start",
			run: timeline.Run{Label: "instant", Spans: []timeline.Span{
				{Start: at(0), End: at(0)},
				{Start: at(0), End: at(0)},
			}},
			opt:      timeline.Options{Width: 4},
			labels:   []string{"w0"},
			allowed:  "2 ",
			must:     "2",
			contains: []string{"|2   | 2 tasks, up to 2 at once"},
		},
		{
			name:     "tasks without a time are left off the axis and counted",
			run:      timeline.Run{Label: "sequential", Spans: append(staircase(2, 10*ms), timeline.Span{})},
			opt:      timeline.Options{Width: 10},
			labels:   []string{"w0"},
			allowed:  "█",
			must:     "█",
			contains: []string{"sequential: 2 tasks on 1 lane, 20.0 ms (and 1 without a time)", "|██████████| 2 tasks"},
		},
		{
			name:     "the task view draws the sequential model as a staircase",
			run:      timeline.Run{Label: "sequential", Spans: staircase(4, 10*ms)},
			opt:      timeline.Options{Width: 8, ByTask: true},
			labels:   []string{"#0", "#1", "#2", "#3"},
			allowed:  "█ ",
			must:     "█",
			contains: []string{"|██      | 1 task on w0", "|  ██    |", "|    ██  |", "|      ██| 1 task on w0"},
		},
		{
			name:     "the task view groups tasks beyond its row limit",
			run:      timeline.Run{Label: "threaded", Spans: pool(2, 8, 10*ms)},
			opt:      timeline.Options{Width: 8, ByTask: true, MaxRows: 4},
			labels:   []string{"#0-1", "#2-3", "#4-5", "#6-7"},
			allowed:  "2 ",
			must:     "2",
			contains: []string{"|22      | 2 tasks, up to 2 at once"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := timeline.String([]timeline.Run{tt.run}, tt.opt)
			labels, cells := bars(t, got)
			assert.Equal(t, tt.labels, labels, got)
			width := tt.opt.Width
			if width == 0 {
				width = timeline.DefaultWidth
			}
			for i, c := range cells {
				assert.Equal(t, width, utf8.RuneCountInString(c), "row %d is as wide as asked", i)
				assert.Empty(t, strings.Trim(c, tt.allowed), "row %d holds only %q:\n%s", i, tt.allowed, got)
				assert.Contains(t, c, tt.must, "row %d", i)
			}
			for _, want := range tt.contains {
				assert.Contains(t, got, want)
			}
			assert.True(t, strings.HasSuffix(strings.TrimSuffix(got, "\n"+timeline.Legend+"\n"), " ms\n"), "the axis ends in ms:\n%s", got)

			var b bytes.Buffer
			require.NoError(t, timeline.Render(&b, []timeline.Run{tt.run}, tt.opt))
			assert.Equal(t, got, b.String(), "Render writes what String returns")
		})
	}
}

func TestRenderGolden(t *testing.T) {
	ms := time.Millisecond
	runs := []timeline.Run{
		{Label: "threaded", Spans: pool(2, 4, 10*ms)},
		{Label: "eventloop", Spans: loop(4, 5*ms, 10*ms)},
	}
	want := `threaded: 4 tasks on 2 lanes, 20.0 ms
  w0 |████████████████████| 2 tasks
  w1 |████████████████████| 2 tasks
     +---------+----------+
     0         10         20 ms

eventloop: 4 tasks on 1 lane, 25.0 ms
  w0 |████222222222222████| 4 tasks, up to 2 at once
     +---------------+----+
     0               20 ms

` + timeline.Legend + "\n"
	assert.Equal(t, want, timeline.String(runs, timeline.Options{Width: 20}))
}

func TestRenderSameScale(t *testing.T) {
	ms := time.Millisecond
	runs := []timeline.Run{
		{Label: "sequential", Spans: staircase(4, 10*ms)},
		{Label: "threaded", Spans: pool(4, 4, 10*ms)},
	}
	t.Run("each run fills the width on its own axis", func(t *testing.T) {
		_, cells := bars(t, timeline.String(runs, timeline.Options{Width: 8}))
		require.Len(t, cells, 5)
		for _, c := range cells {
			assert.Equal(t, "████████", c)
		}
	})
	t.Run("on one axis the faster run takes a quarter of the width", func(t *testing.T) {
		_, cells := bars(t, timeline.String(runs, timeline.Options{Width: 8, SameScale: true}))
		require.Len(t, cells, 5)
		assert.Equal(t, "████████", cells[0])
		for _, c := range cells[1:] {
			assert.Equal(t, "██      ", c)
		}
	})
}

func TestRenderEmpty(t *testing.T) {
	t.Run("no runs draw nothing", func(t *testing.T) {
		assert.Empty(t, timeline.String(nil, timeline.Options{}))
	})
	t.Run("a run without tasks says so", func(t *testing.T) {
		assert.Equal(t, "multiproc: no tasks\n", timeline.String([]timeline.Run{{Label: "multiproc"}}, timeline.Options{}))
	})
	t.Run("a run whose tasks have no time says so", func(t *testing.T) {
		run := timeline.Run{Label: "threaded", Spans: make([]timeline.Span, 3)}
		assert.Equal(t, "threaded: 3 tasks, none with a time\n", timeline.String([]timeline.Run{run}, timeline.Options{ByTask: true}))
	})
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	runs := []timeline.Run{{Label: "sequential", Spans: staircase(2, time.Millisecond)}}
	t.Run("Render reports the writer's error", func(t *testing.T) {
		assert.ErrorIs(t, timeline.Render(failingWriter{}, runs, timeline.Options{}), errWrite)
	})
	t.Run("WriteSVG reports the writer's error", func(t *testing.T) {
		assert.ErrorIs(t, timeline.WriteSVG(failingWriter{}, runs, timeline.Options{}), errWrite)
	})
}

// svgDoc is what the tests read back from an SVG picture.
type svgDoc struct {
	rects  int      // every rect
	titles []string // the tooltips, in order
	texts  []string // every text element's content
	legend []string // the legend entries' names, in order
	fills  map[string]string
	// taskFills maps each tooltip to its rectangle's fill; taskYs and
	// taskXs to its top and its right edge.
	taskYs, taskXs map[string]float64
	// axes are the right ends of the time axes, one per section.
	axes []string
}

func decodeSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	doc := svgDoc{fills: map[string]string{}, taskYs: map[string]float64{}, taskXs: map[string]float64{}}
	var last map[string]string // the attributes of the last rect
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				assert.Equal(t, "http://www.w3.org/2000/svg", tok.Name.Space)
			}
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
			}
			name := tok.Name.Local
			if name == "g" && attr["class"] == "legend-entry" {
				name = "legend-entry"
			}
			if tok.Name.Local == "rect" {
				doc.rects++
				last = attr
			}
			if tok.Name.Local == "line" && attr["y1"] == attr["y2"] {
				doc.axes = append(doc.axes, attr["x2"])
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch stack[len(stack)-1] {
			case "title":
				doc.titles = append(doc.titles, string(tok))
				doc.fills[string(tok)] = last["fill"]
				y, _ := strconv.ParseFloat(last["y"], 64)
				x, _ := strconv.ParseFloat(last["x"], 64)
				w, _ := strconv.ParseFloat(last["width"], 64)
				doc.taskYs[string(tok)], doc.taskXs[string(tok)] = y, x+w
			case "text":
				doc.texts = append(doc.texts, string(tok))
				if len(stack) > 1 && stack[len(stack)-2] == "legend-entry" {
					doc.legend = append(doc.legend, string(tok))
				}
			}
		}
	}
	assert.Equal(t, "svg", root)
	assert.Empty(t, stack, "every element is closed")
	return doc
}

func TestWriteSVG(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		runs   []timeline.Run
		opt    timeline.Options
		titles []string // tooltips that must appear
		texts  []string // texts that must appear
		spans  int
	}{
		{
			name:  "no runs still make a valid picture",
			spans: 0,
		},
		{
			name:  "a run without tasks shows its header",
			runs:  []timeline.Run{{Label: "multiproc"}},
			texts: []string{"multiproc: no tasks"},
		},
		{
			name: "every task is a rectangle whose tooltip names it",
			runs: []timeline.Run{{
				Label: "threaded",
				Spans: pool(2, 3, 10*ms),
				Tasks: []string{"http://127.0.0.1/a?x=1&y=<2>", "", "n=5000000"},
			}},
			titles: []string{
				"http://127.0.0.1/a?x=1&y=<2>, w0, 0.000 to 10.000 ms (10.000 ms)",
				"task 1, w1, 0.000 to 10.000 ms (10.000 ms)",
				"n=5000000, w0, 10.000 to 20.000 ms (10.000 ms)",
			},
			texts: []string{"threaded: 3 tasks on 2 lanes, 20.0 ms", "w0", "w1", "0", "20 ms"},
			spans: 3,
		},
		{
			name: "labels that look like markup are escaped",
			runs: []timeline.Run{
				{Label: `a <b> & "c"`, Spans: staircase(2, ms)},
				{Label: "eventloop", Spans: loop(50, ms/10, 20*ms)},
			},
			texts: []string{`a <b> & "c": 2 tasks on 1 lane, 2.0 ms`, "eventloop: 50 tasks on 1 lane, 24.9 ms"},
			spans: 52,
		},
		{
			name: "processes and zero-length tasks are drawn",
			runs: []timeline.Run{{Label: "multiproc", Spans: append(processes([]int{31, 32}, 4, ms),
				timeline.Span{PID: 31, Start: at(ms), End: at(ms)})}},
			titles: []string{"task 4, pid 31, 1.000 to 1.000 ms (0.000 ms)"},
			texts:  []string{"pid 31", "pid 32"},
			spans:  5,
		},
		{
			name:  "tasks without a time get no rectangle",
			runs:  []timeline.Run{{Label: "sequential", Spans: append(staircase(2, ms), timeline.Span{})}},
			texts: []string{"sequential: 2 tasks on 1 lane, 2.0 ms (and 1 without a time)"},
			spans: 2,
		},
		{
			name:   "the task view draws one band per task",
			runs:   []timeline.Run{{Label: "sequential", Spans: staircase(3, ms)}},
			opt:    timeline.Options{ByTask: true},
			texts:  []string{"#0", "#1", "#2"},
			titles: []string{"task 2, w0, 2.000 to 3.000 ms (1.000 ms)"},
			spans:  3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, timeline.WriteSVG(&b, tt.runs, tt.opt))
			doc := decodeSVG(t, b.Bytes())
			assert.Len(t, doc.titles, tt.spans, "one tooltip per task")
			bands := 0
			for _, r := range tt.runs {
				labels, _ := bars(t, timeline.String([]timeline.Run{r}, tt.opt))
				bands += len(labels)
			}
			groups := map[string]bool{}
			for _, r := range tt.runs {
				groups[r.Label] = true
			}
			assert.Len(t, doc.legend, len(groups), "one legend entry per group")
			assert.Equal(t, 1+len(groups)+bands+tt.spans, doc.rects, "a background, a swatch per group, a band per row, a rectangle per task")
			for _, want := range tt.titles {
				assert.Contains(t, doc.titles, want)
			}
			for _, want := range tt.texts {
				assert.Contains(t, doc.texts, want)
			}
		})
	}
}

func TestWriteSVGColoursAndAxes(t *testing.T) {
	ms := time.Millisecond
	runs := []timeline.Run{
		{Label: "sequential, io", Group: "sequential", Spans: staircase(4, 100*ms), Tasks: []string{"s0", "s1", "s2", "s3"}},
		{Label: "eventloop, io", Group: "eventloop", Spans: loop(4, ms/10, 10*ms), Tasks: []string{"e0", "e1", "e2", "e3"}},
		{Label: "sequential, cpu", Group: "sequential", Spans: staircase(1, 50*ms), Tasks: []string{"c0"}},
	}
	draw := func(opt timeline.Options) svgDoc {
		var b bytes.Buffer
		require.NoError(t, timeline.WriteSVG(&b, runs, opt))
		return decodeSVG(t, b.Bytes())
	}
	doc := draw(timeline.Options{SameScale: true})

	t.Run("one colour per group, one legend entry each", func(t *testing.T) {
		assert.Equal(t, []string{"sequential", "eventloop"}, doc.legend)
		seq, loop := doc.fills["s0, w0, 0.000 to 100.000 ms (100.000 ms)"], doc.fills["e0, w0, 0.000 to 10.000 ms (10.000 ms)"]
		assert.NotEmpty(t, seq)
		assert.NotEqual(t, seq, loop)
		assert.Equal(t, seq, doc.fills["c0, w0, 0.000 to 50.000 ms (50.000 ms)"], "a model's runs share its colour")
	})
	t.Run("overlapping tasks are stacked, each a bar of its own", func(t *testing.T) {
		ys := map[float64]bool{}
		for title, y := range doc.taskYs {
			if strings.HasPrefix(title, "e") {
				ys[y] = true
			}
		}
		assert.Len(t, ys, 4, "four tasks in flight at once, four levels")
	})
	t.Run("one time axis for every section", func(t *testing.T) {
		require.Len(t, doc.axes, 3)
		assert.Equal(t, doc.axes[0], doc.axes[1])
		loopEnd := doc.taskXs["e3, w0, 0.300 to 10.300 ms (10.000 ms)"]
		seqEnd := doc.taskXs["s3, w0, 300.000 to 400.000 ms (100.000 ms)"]
		assert.Less(t, loopEnd, seqEnd/10, "10 ms is drawn a fortieth of 400 ms")
	})
	t.Run("or an axis per section", func(t *testing.T) {
		own := draw(timeline.Options{})
		loopEnd := own.taskXs["e3, w0, 0.300 to 10.300 ms (10.000 ms)"]
		seqEnd := own.taskXs["s3, w0, 300.000 to 400.000 ms (100.000 ms)"]
		assert.InDelta(t, seqEnd, loopEnd, 1, "each run fills the width")
	})
}
