package text_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"conclab/internal/text"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name, s, indent string
		width           int
		want            string
	}{
		{"a short line is left alone", "a b c", "", 10, "a b c"},
		{"a long one breaks at spaces", "aaa bbb ccc ddd", "", 8, "aaa bbb\nccc ddd"},
		{"indented", "aaa bbb ccc ddd", "  ", 8, "aaa bbb\n  ccc\n  ddd"},
		{"a word wider than the line stays whole", "aaaaaaaaaaaa b", "  ", 5, "aaaaaaaaaaaa\n  b"},
		{"runes, not bytes", "ééé ééé", "", 7, "ééé ééé"},
		{"spaces collapse", "a  \n b", "", 10, "a b"},
		{"empty", "", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, text.Wrap(tt.s, tt.width, tt.indent))
		})
	}
}

func ExampleWrap() {
	fmt.Println(text.Wrap("async for I/O when you can, threads when you must, processes for CPU", 30, "  "))
	// Output:
	// async for I/O when you can,
	//   threads when you must,
	//   processes for CPU
}
