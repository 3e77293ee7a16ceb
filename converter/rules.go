package converter

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Errors returned by validation of an amount, testable with errors.Is. The
// error returned wraps one of them and names the amount and the limit.
var (
	ErrNegative     = errors.New("negative")
	ErrZero         = errors.New("zero")
	ErrBelowMinimum = errors.New("below the minimum")
	ErrNotStep      = errors.New("not a multiple of the step")
	ErrAboveMaximum = errors.New("above the maximum")
	ErrOverflow     = errors.New("overflow")
)

// ErrInvalidRules is wrapped by every error that rejects a set of rules.
var ErrInvalidRules = errors.New("invalid rules")

// Rate is a ratio of integers: A points of company A give B points of
// company B. It is never a floating-point number, so 10 points at 7/10 give
// exactly 7, not 6.999999.
type Rate struct {
	A int64 `json:"a"`
	B int64 `json:"b"`
}

// String returns the rate as "A:B", "10:7".
func (r Rate) String() string { return fmt.Sprintf("%d:%d", r.A, r.B) }

// Tier applies its rate to amounts from From points up to the next tier's
// From. The tier an amount falls into applies to the whole amount, not to
// the part above From (see Rules).
type Tier struct {
	From int64 `json:"from"`
	Rate Rate  `json:"rate"`
}

// Rules convert an amount of A points into B points.
//
// An amount is valid when it is at least Minimum, at most Maximum and a
// multiple of Step. Tiers are ordered by From; an amount takes the rate of
// the last tier whose From it reaches, and that rate applies to the WHOLE
// amount, as loyalty programs usually do ("from 100,000 points, 10 give 8"):
// it is the simplest rule to state and to check on a statement. The price is
// a jump at each tier edge (99,900 points give 69,930; 100,000 give 80,000),
// so Validate insists that a later tier never pays less than an earlier one,
// which keeps "more points never give less" true. A marginal scheme (the
// better rate only on the part above the edge, like income tax) would have
// no jump but is harder to explain on a statement; it is not offered.
//
// The result is rounded down: a member is never credited more than earned.
// The product amount×B is computed in 128 bits, so no rate and no amount in
// int64 can wrap; a result that does not fit in int64 is ErrOverflow.
type Rules struct {
	Minimum int64  `json:"minimum"`
	Step    int64  `json:"step"`
	Maximum int64  `json:"maximum"`
	Tiers   []Tier `json:"tiers"`
}

// Result is one conversion.
type Result struct {
	Points    int64 `json:"points"`    // A points given
	Converted int64 `json:"converted"` // B points credited, rounded down
	Tier      int   `json:"tier"`      // index of the tier applied
	Rate      Rate  `json:"rate"`      // the rate of that tier
}

// String returns the result in one line:
// "150,000 A points give 120,000 B points at 10:8 (tier 1)".
func (r Result) String() string {
	return fmt.Sprintf("%s A points give %s B points at %s (tier %d)",
		FormatPoints(r.Points), FormatPoints(r.Converted), r.Rate, r.Tier)
}

// DefaultRules returns the rules used by examples, benchmarks and the
// compare command: 10 A points give 7 B points, and from 100,000 points 10
// give 8; at least 1,000 points, in multiples of 100, at most 10,000,000.
func DefaultRules() Rules {
	return Rules{
		Minimum: 1_000,
		Step:    100,
		Maximum: 10_000_000,
		Tiers: []Tier{
			{From: 0, Rate: Rate{A: 10, B: 7}},
			{From: 100_000, Rate: Rate{A: 10, B: 8}},
		},
	}
}

// Validate reports whether the rules themselves make sense. The error wraps
// ErrInvalidRules and says what is wrong.
func (r Rules) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("converter: %w: %s", ErrInvalidRules, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Step <= 0:
		return bad("step is %d; it must be at least 1", r.Step)
	case r.Minimum < 0:
		return bad("minimum is %d; it cannot be negative", r.Minimum)
	case r.Maximum <= 0:
		return bad("maximum is %d; it must be at least 1", r.Maximum)
	case r.Minimum > r.Maximum:
		return bad("minimum %s is above the maximum %s", FormatPoints(r.Minimum), FormatPoints(r.Maximum))
	case r.Minimum%r.Step != 0:
		return bad("minimum %s is not a multiple of the step %s", FormatPoints(r.Minimum), FormatPoints(r.Step))
	case len(r.Tiers) == 0:
		return bad("no tiers: at least one rate is needed")
	}
	// The first convertible amount must have a rate.
	if first := max(r.Minimum, r.Step); r.Tiers[0].From > first {
		return bad("tier 0 starts at %s, so amounts from %s have no rate",
			FormatPoints(r.Tiers[0].From), FormatPoints(first))
	}
	for i, t := range r.Tiers {
		switch {
		case t.Rate.A == 0:
			return bad("tier %d: rate %s has a zero denominator", i, t.Rate)
		case t.Rate.A < 0 || t.Rate.B < 0:
			return bad("tier %d: rate %s is negative", i, t.Rate)
		case t.Rate.B == 0:
			return bad("tier %d: rate %s gives nothing", i, t.Rate)
		case t.From < 0:
			return bad("tier %d starts at %d; it cannot be negative", i, t.From)
		case t.From > r.Maximum:
			return bad("tier %d starts at %s, above the maximum %s: it can never apply",
				i, FormatPoints(t.From), FormatPoints(r.Maximum))
		}
		if i == 0 {
			continue
		}
		prev := r.Tiers[i-1]
		switch {
		case t.From == prev.From:
			return bad("tiers %d and %d overlap: both start at %s", i-1, i, FormatPoints(t.From))
		case t.From < prev.From:
			return bad("tiers are unordered: tier %d starts at %s, before tier %d at %s",
				i, FormatPoints(t.From), i-1, FormatPoints(prev.From))
		case lessRate(t.Rate, prev.Rate):
			return bad("tier %d pays %s, less than tier %d's %s: more points would give fewer",
				i, t.Rate, i-1, prev.Rate)
		}
	}
	return nil
}

// lessRate reports whether x.B/x.A < y.B/y.A, cross-multiplied in 128 bits
// so that no rate can wrap.
func lessRate(x, y Rate) bool {
	lh, ll := bits.Mul64(uint64(x.B), uint64(y.A))
	rh, rl := bits.Mul64(uint64(y.B), uint64(x.A))
	return lh < rh || lh == rh && ll < rl
}

// Check validates an amount against the rules, without converting it. The
// error wraps ErrNegative, ErrZero, ErrBelowMinimum, ErrAboveMaximum or
// ErrNotStep, in that order of precedence.
func (r Rules) Check(points int64) error {
	if r.Step <= 0 || len(r.Tiers) == 0 {
		// Rules that were never validated (the zero Rules) must not
		// divide by zero below.
		return fmt.Errorf("converter: %w: no step or no tiers (see Rules.Validate)", ErrInvalidRules)
	}
	switch {
	case points < 0:
		return fmt.Errorf("converter: %s points: %w", FormatPoints(points), ErrNegative)
	case points == 0:
		return fmt.Errorf("converter: 0 points: %w, nothing to convert", ErrZero)
	case points < r.Minimum:
		return fmt.Errorf("converter: %s points: %w of %s",
			FormatPoints(points), ErrBelowMinimum, FormatPoints(r.Minimum))
	case points > r.Maximum:
		return fmt.Errorf("converter: %s points: %w of %s",
			FormatPoints(points), ErrAboveMaximum, FormatPoints(r.Maximum))
	case points%r.Step != 0:
		return fmt.Errorf("converter: %s points: %w of %s",
			FormatPoints(points), ErrNotStep, FormatPoints(r.Step))
	}
	return nil
}

// Convert validates and converts an amount: the uncached computation that
// every cache must agree with. Rules that fail Validate may give wrong
// answers, never a panic: the zero Rules refuse every amount with
// ErrInvalidRules.
func (r Rules) Convert(points int64) (Result, error) {
	if err := r.Check(points); err != nil {
		return Result{}, err
	}
	return r.apply(points)
}

// tier returns the index of the tier that applies to points.
func (r Rules) tier(points int64) int {
	i := 0
	for j, t := range r.Tiers {
		if points >= t.From {
			i = j
		}
	}
	return i
}

// apply converts an amount already checked: floor(points × B / A), with the
// product in 128 bits.
func (r Rules) apply(points int64) (Result, error) {
	i := r.tier(points)
	rate := r.Tiers[i].Rate
	if rate.A <= 0 || rate.B < 0 {
		return Result{}, fmt.Errorf("converter: %w: tier %d: rate %s (see Rules.Validate)", ErrInvalidRules, i, rate)
	}
	hi, lo := bits.Mul64(uint64(points), uint64(rate.B))
	// bits.Div64 panics when the quotient does not fit in 64 bits, which is
	// exactly when hi >= A; int64 takes one bit more.
	if hi >= uint64(rate.A) {
		return Result{}, overflow(points, rate)
	}
	q, _ := bits.Div64(hi, lo, uint64(rate.A))
	if q > math.MaxInt64 {
		return Result{}, overflow(points, rate)
	}
	return Result{Points: points, Converted: int64(q), Tier: i, Rate: rate}, nil
}

func overflow(points int64, rate Rate) error {
	return fmt.Errorf("converter: %s points at %s: %w: the result exceeds %s",
		FormatPoints(points), rate, ErrOverflow, FormatPoints(math.MaxInt64))
}
