package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// legendOf parses an SVG picture (it must be well-formed XML) and returns
// the names of its legend entries.
func legendOf(t *testing.T, data []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var names []string
	inEntry, inText := false, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return names
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				if tok.Name.Local == "g" && a.Name.Local == "class" && a.Value == "legend-entry" {
					inEntry = true
				}
			}
			inText = inEntry && tok.Name.Local == "text"
		case xml.EndElement:
			if tok.Name.Local == "g" {
				inEntry = false
			}
			inText = false
		case xml.CharData:
			if inText {
				names = append(names, string(tok))
			}
		}
	}
}

func TestRunSVGHasALegendEntryPerModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.svg")
	code, _, stderr := runCompare(t, context.Background(), tiny("io", "-svg", path, "-models", "sequential,threaded,eventloop")...)
	require.Equal(t, exitOK, code, stderr)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"sequential", "threaded", "eventloop"}, legendOf(t, data))

	t.Run("-svg-axis takes shared or own", func(t *testing.T) {
		assertUsageError(t, `-svg-axis: "log" is neither shared nor own`, tiny("io", "-svg", path, "-svg-axis", "log")...)
	})
}

func TestRunSweepSVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sweep.svg")
	code, out, stderr := runCompare(t, context.Background(), tiny("sweep", "-workload", "cpu", "-workers", "1,2,4", "-svg", path)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "│ workers │", "the table still goes to the screen")
	assert.Contains(t, stderr, "svg: the sweep's chart written to "+path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, sweepModelNames(), legendOf(t, data), "one legend entry per model")
	assert.Contains(t, string(data), "workers (log scale)")
	assert.Equal(t, 3*len(sweepModelNames()), bytes.Count(data, []byte("<circle")), "a point per model and count")
}
