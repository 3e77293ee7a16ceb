// Package units formats quantities for people: durations with a unit that
// keeps three or four significant digits or in milliseconds, large counts
// with commas, and counted nouns. Every table and sentence of the suite formats them here.
package units

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Duration formats d with a unit that keeps three or four digits:
// "1.234 s", "12.3 ms", "4.5 µs", "80 ns", and "0" for zero.
func Duration(d time.Duration) string { return Seconds(d.Seconds()) }

// Seconds is Duration for a time in seconds.
func Seconds(s float64) string {
	a := math.Abs(s)
	switch {
	case a == 0:
		return "0"
	case a >= 1:
		return fmt.Sprintf("%.3f s", s)
	case a >= 1e-3:
		return fmt.Sprintf("%.1f ms", s*1e3)
	case a >= 1e-6:
		return fmt.Sprintf("%.1f µs", s*1e6)
	}
	return fmt.Sprintf("%.0f ns", s*1e9)
}

// Milliseconds formats d in milliseconds with a precision that suits it:
// "1234 ms", "61.2 ms", "0.052 ms". Tables whose durations share a column
// use it, so that they read in one unit.
func Milliseconds(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
}

// Thousands writes n with a comma between each group of three digits:
// "20,000", "-1,234,567".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Plural writes n and word, with an s unless n is 1: "1 task", "3 tasks".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
