package cpubound

import (
	"math/big"
	"math/bits"
	"strconv"
)

// Uint128 is an unsigned 128-bit integer, the exact type of a sum of
// squares. The zero value is 0.
type Uint128 struct {
	Hi, Lo uint64
}

// Add returns u+v and whether the addition overflowed 128 bits.
func (u Uint128) Add(v Uint128) (sum Uint128, overflow bool) {
	lo, c := bits.Add64(u.Lo, v.Lo, 0)
	hi, c := bits.Add64(u.Hi, v.Hi, c)
	return Uint128{Hi: hi, Lo: lo}, c != 0
}

// mul64 returns u*v and whether the product overflowed 128 bits.
func (u Uint128) mul64(v uint64) (Uint128, bool) {
	hiHi, hiLo := bits.Mul64(u.Hi, v)
	loHi, loLo := bits.Mul64(u.Lo, v)
	hi, c := bits.Add64(hiLo, loHi, 0)
	return Uint128{Hi: hi, Lo: loLo}, hiHi != 0 || c != 0
}

// Big returns u as a math/big integer.
func (u Uint128) Big() *big.Int {
	b := new(big.Int).SetUint64(u.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(u.Lo))
}

// String returns u in decimal.
func (u Uint128) String() string {
	if u.Hi == 0 {
		return strconv.FormatUint(u.Lo, 10)
	}
	// Peel off 19 decimal digits at a time: 10^19 is the largest power of
	// ten below 2^64, so each remainder fits one word.
	const chunk = 10_000_000_000_000_000_000
	var parts []uint64
	for u.Hi != 0 {
		var r uint64
		u.Hi, r = bits.Div64(0, u.Hi, chunk)
		u.Lo, r = bits.Div64(r, u.Lo, chunk)
		parts = append(parts, r)
	}
	s := strconv.FormatUint(u.Lo, 10)
	for i := len(parts) - 1; i >= 0; i-- {
		d := strconv.FormatUint(parts[i], 10)
		s += "0000000000000000000"[len(d):] + d
	}
	return s
}

// MarshalText encodes u in decimal, so that JSON carries it exactly as a
// string rather than as a lossy floating-point number.
func (u Uint128) MarshalText() ([]byte, error) { return []byte(u.String()), nil }
