package converter

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePoints(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  int64
		err   error
		why   string // part of the message
	}{
		{name: "thousands separators are read", input: "1,500", want: 1_500},
		{name: "surrounding spaces are trimmed", input: " 2000 ", want: 2_000},
		{name: "tabs and newlines are trimmed", input: "\t42\n", want: 42},
		{name: "plain digits are read", input: "1500", want: 1_500},
		{name: "zero is read (Check refuses it later)", input: "0", want: 0},
		{name: "several groups are read", input: "12,345,678", want: 12_345_678},
		{name: "leading zeros without separators are read", input: "007", want: 7},
		{name: "the largest int64 is read with separators", input: "9,223,372,036,854,775,807", want: math.MaxInt64},
		{name: "the largest int64 is read without separators", input: "9223372036854775807", want: math.MaxInt64},
		{name: "letters are refused", input: "abc", err: ErrSyntax, why: `unexpected 'a'`},
		{name: "an exponent is refused", input: "1e3", err: ErrSyntax, why: "exponents are not accepted"},
		{name: "a capital exponent is refused", input: "1E3", err: ErrSyntax, why: "exponents are not accepted"},
		{name: "a decimal point is refused", input: "1.5", err: ErrSyntax, why: "whole numbers"},
		{name: "a negative amount is refused as negative", input: "-5", err: ErrNegative},
		{name: "a negative amount with separators is refused as negative", input: "-1,500", err: ErrNegative},
		{name: "a number beyond int64 is out of range", input: "99999999999999999999", err: ErrRange,
			why: "the largest is 9,223,372,036,854,775,807"},
		{name: "one more than the largest int64 is out of range", input: "9223372036854775808", err: ErrRange},
		{name: "an empty string is refused", input: "", err: ErrSyntax, why: "empty"},
		{name: "only spaces are refused", input: "   ", err: ErrSyntax, why: "empty"},
		{name: "a lone minus sign is refused", input: "-", err: ErrSyntax, why: "no digits"},
		{name: "a plus sign is refused", input: "+5", err: ErrSyntax, why: "misplaced sign"},
		{name: "a double minus is refused", input: "--5", err: ErrSyntax, why: "misplaced sign"},
		{name: "a group of two digits is refused", input: "1,50", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "a separator in the wrong place is refused", input: "15,00", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "a first group of four digits is refused", input: "1500,000", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "a leading separator is refused", input: ",100", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "a trailing separator is refused", input: "1,", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "a doubled separator is refused", input: "1,,000", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "a leading zero before a separator is refused", input: "0,100", err: ErrSyntax, why: "misplaced thousands separator"},
		{name: "inner spaces are refused", input: "1 000", err: ErrSyntax, why: `unexpected ' '`},
		{name: "full-width digits are refused", input: "１２", err: ErrSyntax},
		{name: "hexadecimal is refused", input: "0x10", err: ErrSyntax},
		{name: "underscores are refused", input: "1_000", err: ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePoints(tt.input)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), strconv.Quote(tt.input), "the message quotes the input")
				assert.Contains(t, err.Error(), tt.why)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFormatPoints(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1_000, "1,000"}, {12_345, "12,345"}, {123_456, "123,456"},
		{1_234_567, "1,234,567"}, {-1_500, "-1,500"}, {-999, "-999"},
		{math.MaxInt64, "9,223,372,036,854,775,807"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" is written with separators every three digits", func(t *testing.T) {
			assert.Equal(t, tt.want, FormatPoints(tt.n))
		})
	}
}

func TestParsePointsReadsWhatFormatPointsWrites(t *testing.T) {
	for _, n := range []int64{0, 1, 999, 1_000, 99_999, 100_000, 10_000_000, math.MaxInt64} {
		got, err := ParsePoints(FormatPoints(n))
		require.NoError(t, err)
		assert.Equal(t, n, got)
	}
}
