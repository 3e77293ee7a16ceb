package converter

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultRulesAreValid(t *testing.T) {
	require.NoError(t, DefaultRules().Validate())
}

func TestConvertAtEveryEdgeOfTheDefaultRules(t *testing.T) {
	tests := []struct {
		name      string
		points    int64
		converted int64
		tier      int
		err       error
		message   string
	}{
		{name: "the minimum converts at the base rate", points: 1_000, converted: 700},
		{name: "one step above the minimum converts", points: 1_100, converted: 770},
		{name: "one step below the minimum is refused", points: 900, err: ErrBelowMinimum,
			message: "converter: 900 points: below the minimum of 1,000"},
		{name: "one point below the minimum is refused", points: 999, err: ErrBelowMinimum},
		{name: "a single point is below the minimum", points: 1, err: ErrBelowMinimum},
		{name: "an amount off the step is refused", points: 1_050, err: ErrNotStep,
			message: "converter: 1,050 points: not a multiple of the step of 100"},
		{name: "one point past a step is refused", points: 100_001, err: ErrNotStep},
		{name: "the last step before the tier edge keeps the base rate", points: 99_900, converted: 69_930},
		{name: "the tier edge takes the better rate on the whole amount", points: 100_000, converted: 80_000, tier: 1},
		{name: "one step past the tier edge keeps the better rate", points: 100_100, converted: 80_080, tier: 1},
		{name: "the maximum converts", points: 10_000_000, converted: 8_000_000, tier: 1},
		{name: "one step above the maximum is refused", points: 10_000_100, err: ErrAboveMaximum,
			message: "converter: 10,000,100 points: above the maximum of 10,000,000"},
		{name: "above the maximum and off the step reports the maximum", points: 10_000_050, err: ErrAboveMaximum},
		{name: "the largest int64 is above the maximum", points: math.MaxInt64, err: ErrAboveMaximum},
		{name: "zero is refused", points: 0, err: ErrZero, message: "converter: 0 points: zero, nothing to convert"},
		{name: "a negative amount is refused", points: -5, err: ErrNegative, message: "converter: -5 points: negative"},
		{name: "the smallest int64 is refused as negative", points: math.MinInt64, err: ErrNegative},
		{name: "minus the minimum is refused as negative", points: -1_000, err: ErrNegative},
	}
	rules := DefaultRules()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.Convert(tt.points)
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				if tt.message != "" {
					assert.EqualError(t, err, tt.message)
				}
				assert.Equal(t, Result{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.points, got.Points)
			assert.Equal(t, tt.converted, got.Converted)
			assert.Equal(t, tt.tier, got.Tier)
			assert.Equal(t, rules.Tiers[tt.tier].Rate, got.Rate)
		})
	}
}

func TestCheckReportsOneErrorKindPerAmount(t *testing.T) {
	sentinels := []error{ErrNegative, ErrZero, ErrBelowMinimum, ErrNotStep, ErrAboveMaximum, ErrOverflow}
	rules := DefaultRules()
	for _, p := range []int64{-100, 0, 500, 1_050, 20_000_000} {
		err := rules.Check(p)
		require.Error(t, err)
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		assert.Equal(t, 1, n, "%d points: %v", p, err)
	}
}

func TestConvertRoundsDown(t *testing.T) {
	rules := Rules{Minimum: 1, Step: 1, Maximum: 100, Tiers: []Tier{{From: 0, Rate: Rate{A: 3, B: 2}}}}
	require.NoError(t, rules.Validate())
	for points, want := range map[int64]int64{1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 100: 66} {
		got, err := rules.Convert(points)
		require.NoError(t, err)
		assert.Equal(t, want, got.Converted, "%d points at 3:2", points)
	}
}

func TestConvertComputesIn128Bits(t *testing.T) {
	huge := func(rate Rate) Rules {
		return Rules{Minimum: 1, Step: 1, Maximum: math.MaxInt64, Tiers: []Tier{{From: 0, Rate: rate}}}
	}
	tests := []struct {
		name      string
		rules     Rules
		points    int64
		converted int64
		overflow  bool
	}{
		{name: "a product beyond 64 bits divides back exactly",
			rules: huge(Rate{A: math.MaxInt64, B: math.MaxInt64 - 1}), points: math.MaxInt64, converted: math.MaxInt64 - 1},
		{name: "the largest amount at 1:1 is itself",
			rules: huge(Rate{A: 1, B: 1}), points: math.MaxInt64, converted: math.MaxInt64},
		{name: "doubling half the largest amount fits",
			rules: huge(Rate{A: 1, B: 2}), points: math.MaxInt64 / 2, converted: math.MaxInt64 - 1},
		{name: "doubling one more overflows int64",
			rules: huge(Rate{A: 1, B: 2}), points: math.MaxInt64/2 + 1, overflow: true},
		{name: "a quotient beyond 64 bits overflows instead of panicking",
			rules: huge(Rate{A: 1, B: math.MaxInt64}), points: math.MaxInt64, overflow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.rules.Validate())
			got, err := tt.rules.Convert(tt.points)
			if tt.overflow {
				require.ErrorIs(t, err, ErrOverflow)
				assert.Contains(t, err.Error(), FormatPoints(tt.points))
				assert.Contains(t, err.Error(), "9,223,372,036,854,775,807")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.converted, got.Converted)
		})
	}
}

// TestConvertAgreesWithBigIntegers checks floor(points*B/A) against math/big
// for random rates and amounts, including ones whose products need 128 bits.
func TestConvertAgreesWithBigIntegers(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for range 20_000 {
		rate := Rate{A: rng.Int63n(math.MaxInt64) + 1, B: rng.Int63n(math.MaxInt64) + 1}
		if rng.Intn(2) == 0 {
			rate = Rate{A: rng.Int63n(1000) + 1, B: rng.Int63n(1000) + 1}
		}
		rules := Rules{Minimum: 1, Step: 1, Maximum: math.MaxInt64, Tiers: []Tier{{From: 0, Rate: rate}}}
		points := rng.Int63n(math.MaxInt64) + 1
		want := new(big.Int).Mul(big.NewInt(points), big.NewInt(rate.B))
		want.Quo(want, big.NewInt(rate.A))
		got, err := rules.Convert(points)
		if !want.IsInt64() {
			assert.ErrorIs(t, err, ErrOverflow, "%d at %s", points, rate)
			continue
		}
		require.NoError(t, err, "%d at %s", points, rate)
		require.Equal(t, want.Int64(), got.Converted, "%d at %s", points, rate)
	}
}

func TestMorePointsNeverGiveFewer(t *testing.T) {
	rules := DefaultRules()
	prev := int64(0)
	for p := rules.Minimum; p <= 300_000; p += rules.Step {
		got, err := rules.Convert(p)
		require.NoError(t, err)
		require.GreaterOrEqual(t, got.Converted, prev, "%d points", p)
		prev = got.Converted
	}
}

func TestValidateRejectsRulesThatMakeNoSense(t *testing.T) {
	base := DefaultRules
	with := func(change func(*Rules)) Rules {
		r := base()
		change(&r)
		return r
	}
	tests := []struct {
		name    string
		rules   Rules
		message string
	}{
		{"a zero step is refused", with(func(r *Rules) { r.Step = 0 }), "step is 0"},
		{"a negative step is refused", with(func(r *Rules) { r.Step = -100 }), "step is -100"},
		{"a negative minimum is refused", with(func(r *Rules) { r.Minimum = -1 }), "minimum is -1"},
		{"a zero maximum is refused", with(func(r *Rules) { r.Maximum = 0 }), "maximum is 0"},
		{"a minimum above the maximum is refused", with(func(r *Rules) { r.Minimum = 20_000_000 }),
			"minimum 20,000,000 is above the maximum 10,000,000"},
		{"a minimum off the step is refused", with(func(r *Rules) { r.Minimum = 1_050 }),
			"minimum 1,050 is not a multiple of the step 100"},
		{"rules without tiers are refused", with(func(r *Rules) { r.Tiers = nil }), "no tiers"},
		{"a first tier above the minimum leaves amounts without a rate",
			with(func(r *Rules) { r.Tiers[0].From = 5_000 }), "amounts from 1,000 have no rate"},
		{"a zero denominator is refused", with(func(r *Rules) { r.Tiers[1].Rate.A = 0 }), "tier 1: rate 0:8 has a zero denominator"},
		{"a negative rate is refused", with(func(r *Rules) { r.Tiers[0].Rate.B = -7 }), "tier 0: rate 10:-7 is negative"},
		{"a rate that gives nothing is refused", with(func(r *Rules) { r.Tiers[0].Rate.B = 0 }), "tier 0: rate 10:0 gives nothing"},
		{"a negative tier start is refused", with(func(r *Rules) { r.Tiers[0].From = -1 }), "tier 0 starts at -1"},
		{"a tier above the maximum is refused", with(func(r *Rules) { r.Tiers[1].From = 20_000_000 }), "it can never apply"},
		{"overlapping tiers are refused", with(func(r *Rules) { r.Tiers[1].From = 0 }), "tiers 0 and 1 overlap: both start at 0"},
		{"unordered tiers are refused", with(func(r *Rules) {
			r.Tiers = append(r.Tiers, Tier{From: 50_000, Rate: Rate{A: 10, B: 9}})
		}), "tiers are unordered: tier 2 starts at 50,000, before tier 1 at 100,000"},
		{"a later tier paying less is refused", with(func(r *Rules) { r.Tiers[1].Rate = Rate{A: 10, B: 6} }),
			"tier 1 pays 10:6, less than tier 0's 10:7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate()
			require.ErrorIs(t, err, ErrInvalidRules)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestValidateAcceptsEqualRatesWrittenDifferently(t *testing.T) {
	r := DefaultRules()
	r.Tiers[1].Rate = Rate{A: 20, B: 14} // the same rate as 10:7
	assert.NoError(t, r.Validate())
}

func TestResultReadsAsOneLine(t *testing.T) {
	got, err := DefaultRules().Convert(150_000)
	require.NoError(t, err)
	assert.Equal(t, "150,000 A points give 120,000 B points at 10:8 (tier 1)", fmt.Sprint(got))
}

func TestUnvalidatedRulesRefuseInsteadOfPanicking(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
	}{
		{"the zero rules refuse every amount", Rules{}},
		{"rules without tiers refuse every amount", Rules{Minimum: 1, Step: 1, Maximum: 10}},
		{"a zero denominator refuses instead of dividing", Rules{Minimum: 1, Step: 1, Maximum: 10,
			Tiers: []Tier{{From: 0, Rate: Rate{A: 0, B: 1}}}}},
		{"a negative rate refuses", Rules{Minimum: 1, Step: 1, Maximum: 10,
			Tiers: []Tier{{From: 0, Rate: Rate{A: -1, B: 1}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.rules.Convert(5)
			assert.ErrorIs(t, err, ErrInvalidRules)
		})
	}
}
