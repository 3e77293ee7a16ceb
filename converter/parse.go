package converter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Errors returned by ParsePoints for input that is not an amount.
var (
	ErrSyntax = errors.New("not a whole number of points")
	ErrRange  = errors.New("too large")
)

// ParsePoints reads an amount of points typed by a person: decimal digits,
// optionally grouped by thousands with commas ("1,500", "12,345,678"), with
// surrounding spaces ignored. Anything else is refused with a clear error
// rather than guessed at: "abc", "1.5", "1e3" and misplaced commas
// ("1,50", "15,00") wrap ErrSyntax, an amount beyond int64 wraps ErrRange,
// and a minus sign in front of a valid number wraps ErrNegative.
//
// ParsePoints only reads the number; Rules.Check decides whether the
// amount may be converted.
func ParsePoints(s string) (int64, error) {
	t := strings.TrimSpace(s)
	fail := func(err error, why string) (int64, error) {
		return 0, fmt.Errorf("converter: points %q: %w%s", s, err, why)
	}
	if t == "" {
		return fail(ErrSyntax, " (empty)")
	}
	neg := false
	if t[0] == '-' {
		neg, t = true, t[1:]
	}
	digits, why := ungroup(t)
	if why != "" {
		return fail(ErrSyntax, " ("+why+")")
	}
	if neg {
		return fail(ErrNegative, "")
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return fail(ErrRange, fmt.Sprintf(" (the largest is %s)", FormatPoints(math.MaxInt64)))
	}
	if err != nil { // unreachable: ungroup let only digits through
		return fail(ErrSyntax, "")
	}
	return n, nil
}

// ungroup returns the digits of t without its thousands separators, or why
// t is not a number. Without commas, any run of digits is accepted; with
// commas, the first group has one to three digits and no leading zero, and
// every other group exactly three.
func ungroup(t string) (digits, why string) {
	if t == "" {
		return "", "no digits"
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9', c == ',':
		case c == 'e' || c == 'E':
			return "", "exponents are not accepted; write the digits"
		case c == '.':
			return "", "points are whole numbers"
		case c == '+' || c == '-':
			return "", "misplaced sign"
		default:
			return "", fmt.Sprintf("unexpected %q", rune(c))
		}
	}
	if !strings.Contains(t, ",") {
		return t, ""
	}
	groups := strings.Split(t, ",")
	if first := groups[0]; len(first) == 0 || len(first) > 3 || first[0] == '0' {
		return "", "misplaced thousands separator"
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", "misplaced thousands separator"
		}
	}
	return strings.Join(groups, ""), ""
}

// FormatPoints writes an amount with thousands separators, as people read
// it: 1500 is "1,500". ParsePoints reads back what it writes.
func FormatPoints(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.Grow(len(sign) + len(s) + len(s)/3)
	b.WriteString(sign)
	head := len(s) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(s[:head])
	for i := head; i < len(s); i += 3 {
		b.WriteByte(',')
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
