package timeline

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Chart is a line chart of a measure against a count: compare sweep draws
// each pool's median time against its worker count.
type Chart struct {
	Title  string
	XLabel string // under the x axis: "workers (log scale)"
	YLabel string // beside the y axis: "median time, ms"
	// LogX puts the x axis on a logarithmic scale, so that 1, 10, 100 and
	// 1000 are equally far apart; every X must then be positive.
	LogX   bool
	Series []Series
}

// Series is one line of a Chart, drawn in one colour with a legend entry.
type Series struct {
	Name   string
	Points []Point
}

// Point is one measurement of a Series.
type Point struct{ X, Y float64 }

// ErrChart is returned for a chart that cannot be drawn.
var ErrChart = errors.New("timeline: chart")

// The chart's geometry, in pixels.
const (
	chartHeight = 480
	chartLeft   = 72
	chartRight  = 24
	chartTop    = 56 // title and legend
	chartBottom = 48 // x ticks and label
)

// WriteChart writes the chart as a standalone SVG document: a title, a
// legend with one entry per series, each series a line through its points
// (each point with a tooltip giving its values), and both axes with round
// ticks; on a log-scale x axis the ticks are the x values of the points.
func WriteChart(w io.Writer, c Chart) error {
	var xs []float64
	maxY := 0.0
	for _, s := range c.Series {
		for _, p := range s.Points {
			if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
				return fmt.Errorf("%w: %s has a point that is not a number", ErrChart, s.Name)
			}
			if c.LogX && p.X <= 0 {
				return fmt.Errorf("%w: %s has x = %g on a log scale", ErrChart, s.Name, p.X)
			}
			xs = append(xs, p.X)
			maxY = max(maxY, p.Y)
		}
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	scaleX := func(v float64) float64 { return v }
	if c.LogX {
		scaleX = math.Log10
	}
	lo, hi := 0.0, 1.0
	if len(xs) > 0 {
		lo, hi = scaleX(xs[0]), scaleX(xs[len(xs)-1])
	}
	if !c.LogX {
		lo = min(lo, 0)
	}
	if hi <= lo {
		lo, hi = lo-1, hi+1
	}
	if maxY <= 0 {
		maxY = 1
	}
	yStep, yTicks := niceTicks(maxY, 6)
	top := yTicks[len(yTicks)-1]
	if top < maxY {
		top += yStep
		yTicks = append(yTicks, top)
	}
	plotW := float64(svgWidth - chartLeft - chartRight)
	plotH := float64(chartHeight - chartTop - chartBottom)
	px0, py0 := float64(chartLeft), float64(chartTop)+plotH
	x := func(v float64) float64 { return px0 + (scaleX(v)-lo)/(hi-lo)*plotW }
	y := func(v float64) float64 { return py0 - v/top*plotH }

	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
	}
	colour, order := colours(names)

	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">`+"\n",
		svgWidth, chartHeight, svgWidth, chartHeight)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="18" font-weight="bold">`, svgMargin)
	escape(&b, c.Title)
	b.WriteString("</text>\n")
	writeLegend(&b, 28, order, colour)

	// Axes, grid and ticks.
	b.WriteString(`<g class="axes">` + "\n")
	for _, v := range yTicks {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#dddddd"/>`+"\n", px(px0), px(y(v)), px(px0+plotW), px(y(v)))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", px(px0-6), px(y(v)+4), formatMS(v, yStep))
	}
	xTicks := xs
	xStep := 1.0
	if !c.LogX && len(xs) > 0 && xs[len(xs)-1] > 0 {
		xStep, xTicks = niceTicks(xs[len(xs)-1], 8)
	}
	for _, v := range xTicks {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black"/>`+"\n", px(x(v)), px(py0), px(x(v)), px(py0+5))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", px(x(v)), px(py0+18), formatMS(v, xStep))
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black"/>`+"\n", px(px0), px(py0), px(px0+plotW), px(py0))
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black"/>`+"\n", px(px0), px(py0), px(px0), px(py0-plotH))
	fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">`, px(px0+plotW/2), px(py0+38))
	escape(&b, c.XLabel)
	b.WriteString("</text>\n")
	fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" transform="rotate(-90 %s %s)">`, px(18), px(py0-plotH/2), px(18), px(py0-plotH/2))
	escape(&b, c.YLabel)
	b.WriteString("</text>\n</g>\n")

	for _, s := range c.Series {
		pts := slices.Clone(s.Points)
		slices.SortStableFunc(pts, func(a, b Point) int { return cmp.Compare(a.X, b.X) })
		fmt.Fprintf(&b, `<g class="series">`+"\n"+`<polyline fill="none" stroke="%s" stroke-width="2" points="`, colour[s.Name])
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(px(x(p.X)) + "," + px(y(p.Y)))
		}
		b.WriteString(`"/>` + "\n")
		for _, p := range pts {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>`, px(x(p.X)), px(y(p.Y)), colour[s.Name])
			escape(&b, fmt.Sprintf("%s: %s, %s", s.Name, strconv.FormatFloat(p.X, 'f', -1, 64), strconv.FormatFloat(p.Y, 'f', 3, 64)))
			b.WriteString("</title></circle>\n")
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// niceTicks chooses round values (1, 2 or 5 times a power of ten) from 0
// to at least top, about want of them.
func niceTicks(top float64, want int) (step float64, values []float64) {
	raw := top / float64(max(want, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	for k := 0; ; k++ {
		v := float64(k) * step
		if v > top*(1+1e-9) {
			break
		}
		values = append(values, v)
	}
	return step, values
}
