// Package text lays out conclab's prose for a terminal: paragraphs broken
// between words to fit a width.
package text

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks s between words so that no line is wider than width runes,
// unless one word is, and starts every line it adds with indent (counted in
// the width). Runs of spaces and line breaks in s become single spaces.
func Wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case n+1+wl > width:
			b.WriteString("\n" + indent)
			n = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += wl
	}
	return b.String()
}
