package timeline

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"conclab/internal/units"
)

// Legend explains the characters of a terminal picture. Render prints it
// under the picture when some row had tasks overlapping.
const Legend = "█ one task, 2-9 that many tasks at once, + ten or more"

// Render draws the runs in the terminal, one section per run: a header, one
// row per lane (or per task, with Options.ByTask), and a time axis in
// milliseconds. A cell of a row shows how many of its tasks were in progress
// at once during that slice of time: one as a block, 2 to 9 as the digit, ten
// or more as a plus. A pool's lanes are mostly blocks; the event loop's single
// lane fills with digits and pluses, its waits in flight together.
func Render(w io.Writer, runs []Run, opt Options) error {
	_, err := io.WriteString(w, String(runs, opt))
	return err
}

// String is Render into a string.
func String(runs []Run, opt Options) string {
	secs := layout(runs, opt)
	width := opt.width()
	labelW := 0
	for _, s := range secs {
		for _, r := range s.rows {
			labelW = max(labelW, len(r.label))
		}
	}
	var b strings.Builder
	overlap := false
	for i, s := range secs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.header())
		b.WriteByte('\n')
		if len(s.rows) == 0 {
			continue
		}
		for _, r := range s.rows {
			overlap = overlap || r.peak > 1
			fmt.Fprintf(&b, "  %*s |%s| %s", labelW, r.label, cells(s, r, width), r.note(opt.ByTask))
			b.WriteByte('\n')
		}
		indent := strings.Repeat(" ", 2+labelW+1)
		line, labels := axis(s.scale, width)
		b.WriteString(indent + line + "\n")
		b.WriteString(indent + labels + "\n")
	}
	if overlap {
		b.WriteString("\n" + Legend + "\n")
	}
	return b.String()
}

// cells draws one row: for each column the most tasks of the row in progress
// at once during the column's slice of the axis.
func cells(s section, r row, width int) string {
	var b strings.Builder
	for _, n := range columns(s.run.Spans, r.spans, s.origin, s.scale, width) {
		b.WriteString(glyph(n))
	}
	return b.String()
}

func glyph(n int) string {
	switch {
	case n <= 0:
		return " "
	case n == 1:
		return "█"
	case n < 10:
		return strconv.Itoa(n)
	default:
		return "+"
	}
}

// axis draws the time axis under a section's rows: a ruler with a + at each
// tick, and the tick values in milliseconds under it.
func axis(scale float64, width int) (line, labels string) {
	step, values := ticks(scale, width)
	ruler := bytes.Repeat([]byte{'-'}, width+2)
	ruler[0], ruler[width+1] = '+', '+'
	text := bytes.Repeat([]byte{' '}, width+2+16)
	free := 0 // first column a new label may use
	ms := scale / float64(time.Millisecond)
	for _, v := range values {
		col := int(math.Round(v / ms * float64(width)))
		if col >= width {
			col = width + 1
		}
		ruler[col] = '+'
		label := formatMS(v, step)
		if col < free || col+len(label) > len(text) {
			continue
		}
		copy(text[col:], label)
		free = col + len(label) + 1
	}
	return string(ruler), strings.TrimRight(string(text), " ") + " ms"
}

// note is the text after a row: how many tasks, how many at once, and in the
// task view the lane they ran in.
func (r row) note(byTask bool) string {
	n := units.Plural(len(r.spans), "task")
	if byTask && r.lane != "" {
		n += " on " + r.lane
	}
	if r.peak > 1 {
		n += fmt.Sprintf(", up to %d at once", r.peak)
	}
	return n
}
