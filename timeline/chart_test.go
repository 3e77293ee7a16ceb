package timeline_test

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/timeline"
)

func sweepChart() timeline.Chart {
	return timeline.Chart{
		Title:  "io: median time against workers",
		XLabel: "workers (log scale)",
		YLabel: "median time, ms",
		LogX:   true,
		Series: []timeline.Series{
			{Name: "threaded", Points: []timeline.Point{{1, 3200}, {10, 330}, {100, 45}, {1000, 40}}},
			{Name: "multiproc", Points: []timeline.Point{{1, 3300}, {10, 420}, {100, 600}}},
		},
	}
}

func TestWriteChart(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, timeline.WriteChart(&b, sweepChart()))
	doc := decodeSVG(t, b.Bytes())
	assert.Equal(t, []string{"threaded", "multiproc"}, doc.legend, "one legend entry per series")
	assert.Contains(t, doc.titles, "threaded: 100, 45.000")
	assert.Len(t, doc.titles, 7, "one tooltip per point")
	for _, x := range []string{"1", "10", "100", "1000"} {
		assert.Contains(t, doc.texts, x, "the log axis is ticked at the counts")
	}
	assert.Contains(t, doc.texts, "workers (log scale)")

	t.Run("a log axis spaces 1, 10, 100 and 1000 evenly", func(t *testing.T) {
		xs := circleXs(t, b.String(), "threaded")
		require.Len(t, xs, 4)
		assert.InDelta(t, xs[1]-xs[0], xs[2]-xs[1], 0.02)
		assert.InDelta(t, xs[2]-xs[1], xs[3]-xs[2], 0.02)
	})
}

func TestWriteChartRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    timeline.Point
	}{
		{"zero on a log axis", timeline.Point{X: 0, Y: 1}},
		{"not a number", timeline.Point{X: 1, Y: math.NaN()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := sweepChart()
			c.Series[0].Points = append(c.Series[0].Points, tt.p)
			require.ErrorIs(t, timeline.WriteChart(&bytes.Buffer{}, c), timeline.ErrChart)
		})
	}
	t.Run("an empty chart is still a picture", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, timeline.WriteChart(&b, timeline.Chart{Title: "nothing", LogX: true}))
		assert.Empty(t, decodeSVG(t, b.Bytes()).legend)
	})
}

// circleXs returns the x of every point of a series, from the tooltips'
// circles, in order.
func circleXs(t *testing.T, svg, series string) []float64 {
	t.Helper()
	var xs []float64
	rest := svg
	for {
		i := bytes.Index([]byte(rest), []byte(`<circle cx="`))
		if i < 0 {
			return xs
		}
		rest = rest[i+len(`<circle cx="`):]
		end := bytes.IndexByte([]byte(rest), '"')
		x, err := strconv.ParseFloat(rest[:end], 64)
		require.NoError(t, err)
		title := rest[bytes.Index([]byte(rest), []byte("<title>"))+len("<title>"):]
		if len(title) >= len(series) && title[:len(series)] == series {
			xs = append(xs, x)
		}
	}
}
