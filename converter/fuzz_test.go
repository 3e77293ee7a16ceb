package converter

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"testing"
)

// FuzzParsePoints checks that ParsePoints never panics, refuses with one of
// its errors, and that whatever it accepts survives a round trip through
// FormatPoints and through plain digits.
func FuzzParsePoints(f *testing.F) {
	for _, s := range []string{"1,500", " 2000 ", "abc", "1e3", "-5", "99999999999999999999", "0", "1,50",
		"9,223,372,036,854,775,807", ",", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParsePoints(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrRange) && !errors.Is(err, ErrNegative) {
				t.Fatalf("ParsePoints(%q): unexpected error %v", s, err)
			}
			if n != 0 {
				t.Fatalf("ParsePoints(%q) = %d with an error", s, n)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParsePoints(%q) = %d, negative without an error", s, n)
		}
		for _, text := range []string{FormatPoints(n), strconv.FormatInt(n, 10)} {
			back, err := ParsePoints(text)
			if err != nil || back != n {
				t.Fatalf("ParsePoints(%q) = %d; ParsePoints(%q) = %d, %v", s, n, text, back, err)
			}
		}
	})
}

// FuzzLoadRules checks that LoadRules never panics, that rules it accepts
// are valid and survive a JSON round trip, and that converting under them
// agrees with math/big or reports an overflow.
func FuzzLoadRules(f *testing.F) {
	def, err := json.Marshal(DefaultRules())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def, int64(150_000))
	f.Add([]byte(`{"minimum": 1, "step": 1, "maximum": 9223372036854775807, "tiers": [{"from": 0, "rate": {"a": 1, "b": 2}}]}`),
		int64(9223372036854775807))
	f.Add([]byte(`{"minimum": 1000, "step": 0}`), int64(1000))
	f.Add([]byte(`{"tiers": [{"from": 0, "rate": {"a": 0, "b": 1}}]}`), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, points int64) {
		rules, err := LoadRules(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalidRules) {
				t.Fatalf("LoadRules: error without ErrInvalidRules: %v", err)
			}
			return
		}
		if err := rules.Validate(); err != nil {
			t.Fatalf("LoadRules accepted invalid rules: %v", err)
		}
		again, err := json.Marshal(rules)
		if err != nil {
			t.Fatal(err)
		}
		back, err := LoadRules(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("rules do not survive a round trip: %v", err)
		}
		if !bytes.Equal(mustJSON(t, back), again) {
			t.Fatalf("round trip changed the rules: %s, then %s", again, mustJSON(t, back))
		}
		for _, p := range []int64{points, rules.Minimum, rules.Maximum, rules.Tiers[len(rules.Tiers)-1].From} {
			got, err := rules.Convert(p)
			if rules.Check(p) != nil {
				if err == nil {
					t.Fatalf("%d points: Convert accepted what Check refuses", p)
				}
				continue
			}
			rate := rules.Tiers[rules.tier(p)].Rate
			want := new(big.Int).Mul(big.NewInt(p), big.NewInt(rate.B))
			want.Quo(want, big.NewInt(rate.A))
			switch {
			case !want.IsInt64():
				if !errors.Is(err, ErrOverflow) {
					t.Fatalf("%d points at %s: want an overflow, got %v, %v", p, rate, got, err)
				}
			case err != nil || got.Converted != want.Int64():
				t.Fatalf("%d points at %s: got %v, %v, want %v", p, rate, got, err, want)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
