package demo

import (
	"fmt"
	"time"
)

// ms formats a duration in milliseconds with a precision that suits it:
// "1234 ms", "61.2 ms", "0.052 ms". Every table and sentence of the
// demonstrations that gives a duration uses it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 1:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.3f ms", v)
}
