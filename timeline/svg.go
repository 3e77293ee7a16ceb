package timeline

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// The SVG picture's geometry, in pixels.
const (
	svgWidth    = 960
	svgMargin   = 12
	svgRight    = 40  // room for half the last tick's label
	svgCharW    = 7.5 // a 12px monospace character, for sizing the label column
	svgHeader   = 26  // header line above a section's rows
	svgRowH     = 16
	svgRowGap   = 4
	svgAxisH    = 30 // ruler, ticks and their values
	svgSectionG = 14 // space between sections
)

// WriteSVG writes the same picture as Render as a standalone SVG document:
// a section per run with its header, one band per lane (or per task), one
// rectangle per task whose tooltip names the task, its lane and its times,
// and a time axis in milliseconds. Rectangles are translucent, so where an
// event loop has many tasks in flight the band darkens.
func WriteSVG(w io.Writer, runs []Run, opt Options) error {
	secs := layout(runs, opt)
	labelW := 0
	for _, s := range secs {
		for _, r := range s.rows {
			labelW = max(labelW, len(r.label))
		}
	}
	left := float64(svgMargin) + svgCharW*float64(labelW) + 8
	plotW := float64(svgWidth) - left - svgRight

	height := svgMargin
	for _, s := range secs {
		height += s.svgHeight()
	}
	height = max(height, 2*svgMargin)

	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	y := float64(svgMargin)
	for _, s := range secs {
		s.writeSVG(&b, y, left, plotW)
		y += float64(s.svgHeight())
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func (s section) svgHeight() int {
	h := svgHeader + svgSectionG
	if len(s.rows) > 0 {
		h += len(s.rows)*(svgRowH+svgRowGap) + svgAxisH
	}
	return h
}

func (s section) writeSVG(b *bytes.Buffer, y, left, plotW float64) {
	fmt.Fprintf(b, `<g class="run"><text x="%d" y="%s" font-weight="bold">`, svgMargin, px(y+16))
	escape(b, s.header())
	b.WriteString("</text>\n")
	y += svgHeader
	x := func(ns float64) float64 { return left + ns/s.scale*plotW }
	for _, r := range s.rows {
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end">`, px(left-6), px(y+svgRowH-4))
		escape(b, r.label)
		b.WriteString("</text>\n")
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%d" fill="#eeeeee"/>`+"\n", px(left), px(y), px(plotW), svgRowH)
		opacity := "0.85"
		if r.peak > 1 {
			// Overlapping rectangles add up: ten in flight are nearly opaque.
			opacity = "0.25"
		}
		for _, i := range r.spans {
			sp := s.run.Spans[i]
			start, end := bounds(sp, s.origin)
			w := max(x(end)-x(start), 1)
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%d" fill="#3b6fb6" fill-opacity="%s" stroke="#1d3d6b" stroke-width="0.5"><title>`,
				px(x(start)), px(y), px(w), svgRowH, opacity)
			escape(b, s.tooltip(i, start))
			b.WriteString("</title></rect>\n")
		}
		y += svgRowH + svgRowGap
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
