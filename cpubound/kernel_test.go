package cpubound_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/cpubound"
)

func TestSumOfSquares(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"nothing is summed for n = 0", 0, "0"},
		{"only 0*0 is summed for n = 1", 1, "0"},
		{"0 and 1 are summed for n = 2", 2, "1"},
		{"0..9 sum to 285", 10, "285"},
		{"5,000,000 overflows 64 bits", 5_000_000, "41666654166667500000"},
		{"the last default number", 5_000_019, "41667129168377502109"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cpubound.SumOfSquares(tt.n)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
			assert.Equal(t, tt.want, got.Big().String())

			want, err := cpubound.Expected(tt.n)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestLoopEqualsClosedForm(t *testing.T) {
	var sum cpubound.Uint128
	for n := 0; n <= 20_000; n++ {
		want, err := cpubound.Expected(n)
		require.NoError(t, err)
		require.Equal(t, want, sum, "n = %d", n)
		sum, _ = sum.Add(cpubound.Uint128{Lo: uint64(n) * uint64(n)})
	}
}

func TestExpectedMatchesBig(t *testing.T) {
	for _, n := range []int64{3, 1 << 20, 1 << 32, 1<<32 + 1, 123_456_789_012, cpubound.MaxN} {
		if int64(int(n)) != n {
			continue // beyond int on a 32-bit platform
		}
		got, err := cpubound.Expected(int(n))
		require.NoError(t, err)
		assert.Equal(t, closedForm(int(n)).String(), got.String(), "n = %d", n)
	}
}

func TestSumRangeAcrossTheWordBoundary(t *testing.T) {
	// Squares of i >= 2^32 no longer fit one word: the second loop takes over.
	const from, to = 1<<32 - 3, 1<<32 + 3
	want := new(big.Int).Sub(closedForm(to), closedForm(from))
	assert.Equal(t, want.String(), cpubound.SumRange(from, to).String())
}

func TestOutsideTheDomain(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want error
	}{
		{"a negative n is refused", -1, cpubound.ErrNegative},
		{"an n whose sum needs 129 bits is refused", int(cpubound.MaxN + 1), cpubound.ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cpubound.SumOfSquares(tt.n)
			assert.True(t, errors.Is(err, tt.want), "got %v", err)
			_, err = cpubound.Expected(tt.n)
			assert.True(t, errors.Is(err, tt.want), "got %v", err)
		})
	}
}

func TestUint128(t *testing.T) {
	max := cpubound.Uint128{Hi: ^uint64(0), Lo: ^uint64(0)}
	t.Run("the largest value prints all 39 digits", func(t *testing.T) {
		assert.Equal(t, "340282366920938463463374607431768211455", max.String())
	})
	t.Run("adding past the largest value reports overflow", func(t *testing.T) {
		_, overflow := max.Add(cpubound.Uint128{Lo: 1})
		assert.True(t, overflow)
	})
	t.Run("a carry moves into the high word", func(t *testing.T) {
		sum, overflow := cpubound.Uint128{Lo: ^uint64(0)}.Add(cpubound.Uint128{Lo: 1})
		assert.False(t, overflow)
		assert.Equal(t, cpubound.Uint128{Hi: 1}, sum)
	})
	t.Run("zero digits inside a chunk are kept", func(t *testing.T) {
		u := cpubound.Uint128{Hi: 1, Lo: 0} // 2^64
		assert.Equal(t, "18446744073709551616", u.String())
	})
	t.Run("JSON carries the exact decimal", func(t *testing.T) {
		text, err := cpubound.Uint128{Hi: 2, Lo: 5}.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, "36893488147419103237", string(text))
	})
}

func TestDefaultNumbers(t *testing.T) {
	numbers := cpubound.DefaultNumbers()
	require.Len(t, numbers, 20)
	assert.Equal(t, 5_000_000, numbers[0])
	assert.Equal(t, 5_000_019, numbers[19])
}

func FuzzLoopEqualsClosedForm(f *testing.F) {
	for _, n := range []uint16{0, 1, 2, 10, 1000, 65535} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n uint16) {
		got, err := cpubound.SumOfSquares(int(n))
		require.NoError(t, err)
		want, err := cpubound.Expected(int(n))
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, closedForm(int(n)).String(), got.String())
	})
}

// closedForm is (n-1)n(2n-1)/6 in arbitrary precision.
func closedForm(n int) *big.Int {
	b := big.NewInt(int64(n))
	r := new(big.Int).Mul(new(big.Int).Sub(b, big.NewInt(1)), b)
	r.Mul(r, new(big.Int).Sub(new(big.Int).Lsh(b, 1), big.NewInt(1)))
	return r.Div(r, big.NewInt(6))
}

func BenchmarkSumOfSquares(b *testing.B) {
	const n = 5_000_000
	for b.Loop() {
		if _, err := cpubound.SumOfSquares(n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iter")
}
