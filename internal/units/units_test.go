package units_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"conclab/internal/units"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{80, "80 ns"},
		{4500 * time.Nanosecond, "4.5 µs"},
		{12300 * time.Microsecond, "12.3 ms"},
		{1234 * time.Millisecond, "1.234 s"},
		{-2 * time.Millisecond, "-2.0 ms"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, units.Duration(tt.d))
			assert.Equal(t, tt.want, units.Seconds(tt.d.Seconds()))
		})
	}
}

func TestMilliseconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1234 * time.Millisecond, "1234 ms"},
		{61200 * time.Microsecond, "61.2 ms"},
		{52 * time.Microsecond, "0.052 ms"},
		{0, "0.000 ms"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, units.Milliseconds(tt.d))
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0 tasks"}, {1, "1 task"}, {2, "2 tasks"}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, units.Plural(tt.n, "task"))
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {-1000, "-1,000"}, {-999, "-999"},
		{123456, "123,456"}, {-1234567, "-1,234,567"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, units.Thousands(tt.n))
	}
}

func ExampleDuration() {
	fmt.Println(units.Duration(14550 * time.Microsecond))
	fmt.Println(units.Plural(2, "worker"))
	// Output:
	// 14.6 ms
	// 2 workers
}
