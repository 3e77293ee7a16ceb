package timeline

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// The SVG picture's geometry, in pixels.
const (
	svgWidth    = 960
	svgMargin   = 12
	svgRight    = 40  // room for half the last tick's label
	svgCharW    = 7.5 // a 12px monospace character, for sizing the label column
	svgLegendH  = 24  // the legend's line at the top
	svgHeader   = 26  // header line above a section's rows
	svgRowH     = 16  // a row whose tasks never overlap
	svgMaxRowH  = 120 // the tallest a row of overlapping tasks grows
	svgLevelH   = 3   // the height each overlapping task asks for
	svgRowGap   = 4
	svgAxisH    = 30 // ruler, ticks and their values
	svgSectionG = 14 // space between sections
)

// Palette is the colours the SVG pictures give their groups, in order of
// first appearance: Okabe and Ito's eight, which stay distinct for the
// common colour-vision deficiencies (black is left for the text).
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"}

// colours gives each group a colour of Palette, in order of first
// appearance, and returns the groups in that order.
func colours(groups []string) (map[string]string, []string) {
	out := map[string]string{}
	var order []string
	for _, g := range groups {
		if _, ok := out[g]; !ok {
			out[g] = Palette[len(order)%len(Palette)]
			order = append(order, g)
		}
	}
	return out, order
}

// writeLegend draws one swatch and name per group on one line at y, each
// entry a <g class="legend-entry">.
func writeLegend(b *bytes.Buffer, y float64, order []string, colour map[string]string) {
	b.WriteString(`<g class="legend">` + "\n")
	x := float64(svgMargin)
	for _, g := range order {
		fmt.Fprintf(b, `<g class="legend-entry"><rect x="%s" y="%s" width="12" height="12" fill="%s"/><text x="%s" y="%s">`,
			px(x), px(y), colour[g], px(x+16), px(y+11))
		escape(b, g)
		b.WriteString("</text></g>\n")
		x += 16 + svgCharW*float64(len([]rune(g))) + 20
	}
	b.WriteString("</g>\n")
}

// WriteSVG writes the same picture as Render as a standalone SVG document:
// a legend with one colour per group (model), a section per run with its
// header, one band per lane (or per task), one rectangle per task in its
// group's colour whose tooltip names the task, its lane and its times, and
// a time axis in milliseconds. With Options.SameScale every section shares
// the longest run's axis, so a run of 3 s and one of 30 ms look as
// different as they are. Tasks of a band that overlap in time (an event
// loop's requests in flight) are stacked in levels, the band growing up to
// 120 pixels, so that each stays a bar of its own.
func WriteSVG(w io.Writer, runs []Run, opt Options) error {
	secs := layout(runs, opt)
	labelW := 0
	groups := make([]string, len(runs))
	for i, s := range secs {
		for _, r := range s.rows {
			labelW = max(labelW, len(r.label))
		}
		groups[i] = runs[i].group()
	}
	colour, order := colours(groups)
	left := float64(svgMargin) + svgCharW*float64(labelW) + 8
	plotW := float64(svgWidth) - left - svgRight

	height := svgMargin + svgLegendH
	for _, s := range secs {
		height += s.svgHeight()
	}
	height = max(height, 2*svgMargin)

	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	writeLegend(&b, svgMargin, order, colour)
	y := float64(svgMargin + svgLegendH)
	for i, s := range secs {
		s.writeSVG(&b, y, left, plotW, colour[groups[i]])
		y += float64(s.svgHeight())
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// rowHeight is a row's band: svgRowH, or for tasks that overlap enough
// levels of svgLevelH pixels, up to svgMaxRowH.
func (r row) rowHeight() float64 {
	if r.peak <= 1 {
		return svgRowH
	}
	return min(max(float64(r.peak*svgLevelH), svgRowH), svgMaxRowH)
}

func (s section) svgHeight() int {
	h := svgHeader + svgSectionG
	if len(s.rows) > 0 {
		for _, r := range s.rows {
			h += int(math.Ceil(r.rowHeight())) + svgRowGap
		}
		h += svgAxisH
	}
	return h
}

// levels assigns each of the row's spans the lowest level free when it
// starts (the greedy colouring of an interval graph, which needs no more
// levels than the most spans in progress at once), and returns the levels
// used.
func levels(spans []Span, which []int, origin time.Time) (map[int]int, int) {
	order := slices.Clone(which)
	slices.SortStableFunc(order, func(a, b int) int {
		sa, _ := bounds(spans[a], origin)
		sb, _ := bounds(spans[b], origin)
		return cmp.Compare(sa, sb)
	})
	level := make(map[int]int, len(which))
	var ends []float64 // the end of the last span of each level
	for _, i := range order {
		start, end := bounds(spans[i], origin)
		l := slices.IndexFunc(ends, func(e float64) bool { return e <= start })
		if l < 0 {
			l = len(ends)
			ends = append(ends, 0)
		}
		ends[l] = end
		level[i] = l
	}
	return level, max(len(ends), 1)
}

func (s section) writeSVG(b *bytes.Buffer, y, left, plotW float64, colour string) {
	fmt.Fprintf(b, `<g class="run"><text x="%d" y="%s" font-weight="bold">`, svgMargin, px(y+16))
	escape(b, s.header())
	b.WriteString("</text>\n")
	y += svgHeader
	x := func(ns float64) float64 { return left + ns/s.scale*plotW }
	for _, r := range s.rows {
		h := r.rowHeight()
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end">`, px(left-6), px(y+svgRowH-4))
		escape(b, r.label)
		b.WriteString("</text>\n")
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#eeeeee"/>`+"\n", px(left), px(y), px(plotW), px(h))
		level, n := levels(s.run.Spans, r.spans, s.origin)
		barH := h / float64(n)
		stroke := ""
		if barH >= 3 {
			stroke = ` stroke="white" stroke-width="0.5"`
		}
		for _, i := range r.spans {
			sp := s.run.Spans[i]
			start, end := bounds(sp, s.origin)
			w := max(x(end)-x(start), 1)
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>`,
				px(x(start)), px(y+float64(level[i])*barH), px(w), px(barH), colour, stroke)
			escape(b, s.tooltip(i, start))
			b.WriteString("</title></rect>\n")
		}
		y += math.Ceil(h) + svgRowGap
	}
	if len(s.rows) == 0 {
		b.WriteString("</g>\n")
		return
	}
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black"/>`+"\n", px(left), px(y), px(left+plotW), px(y))
	step, values := ticks(s.scale, int(plotW/8))
	ms := s.scale / float64(time.Millisecond)
	for i, v := range values {
		tx := left + v/ms*plotW
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black"/>`+"\n", px(tx), px(y), px(tx), px(y+5))
		label := formatMS(v, step)
		if i == len(values)-1 {
			label += " ms"
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">`, px(tx), px(y+18))
		escape(b, label)
		b.WriteString("</text>\n")
	}
	b.WriteString("</g>\n")
}

// tooltip names a task, its lane and its times.
func (s section) tooltip(i int, start float64) string {
	name := ""
	if i < len(s.run.Tasks) {
		name = s.run.Tasks[i]
	}
	if name == "" {
		name = "task " + strconv.Itoa(i)
	}
	sp := s.run.Spans[i]
	dur := max(float64(sp.End.Sub(sp.Start)), 0)
	msf := func(ns float64) string {
		return strconv.FormatFloat(ns/float64(time.Millisecond), 'f', 3, 64)
	}
	return fmt.Sprintf("%s, %s, %s to %s ms (%s ms)", name, s.names[lane{sp.PID, sp.Worker}], msf(start), msf(start+dur), msf(dur))
}

// px formats a coordinate with at most two decimals.
func px(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func escape(b *bytes.Buffer, s string) {
	// xml.EscapeText only fails when the writer does; a bytes.Buffer does not.
	_ = xml.EscapeText(b, []byte(s))
}
