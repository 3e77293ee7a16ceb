package cpubound

import (
	"errors"
	"fmt"
	"math/bits"
)

// Errors returned for an n outside the kernel's domain.
var (
	ErrNegative = errors.New("cpubound: n is negative")
	ErrOverflow = errors.New("cpubound: sum of squares does not fit in 128 bits")
)

// MaxN is the largest n whose sum of squares, sum(i*i for i < n), fits in
// 128 bits.
const MaxN int64 = 10_069_012_961_345

// DefaultNumbers returns the CPU workload of the original comparison:
// 5,000,000 ... 5,000,019.
func DefaultNumbers() []int {
	numbers := make([]int, 20)
	for i := range numbers {
		numbers[i] = 5_000_000 + i
	}
	return numbers
}

// Check returns an error, wrapping ErrNegative or ErrOverflow, when n is
// outside the kernel's domain.
func Check(n int) error {
	switch {
	case n < 0:
		return fmt.Errorf("sum of squares of %d: %w", n, ErrNegative)
	case int64(n) > MaxN:
		return fmt.Errorf("sum of squares of %d (largest is %d): %w", n, MaxN, ErrOverflow)
	}
	return nil
}

// SumOfSquares returns sum(i*i for i in range(n)), computed by the loop, as
// the original does, and exactly.
func SumOfSquares(n int) (Uint128, error) {
	if err := Check(n); err != nil {
		return Uint128{}, err
	}
	return SumRange(0, n), nil
}

// SumRange returns sum(i*i for from <= i < to), the kernel's loop over part
// of a range. Tasks that give up control between chunks (the event loop's)
// add the parts up with Uint128.Add. The caller keeps 0 <= from and
// to <= MaxN, where no partial sum can overflow.
func SumRange(from, to int) Uint128 {
	var hi, lo, c uint64
	i, end := uint64(from), uint64(to)
	// Below 2^32 a square fits one word: the loop is one multiply and one
	// 128-bit add, as a C loop on unsigned __int128 compiles to.
	fast := min(end, 1<<32)
	for ; i < fast; i++ {
		lo, c = bits.Add64(lo, i*i, 0)
		hi += c
	}
	for ; i < end; i++ {
		sqHi, sqLo := bits.Mul64(i, i)
		lo, c = bits.Add64(lo, sqLo, 0)
		hi += sqHi + c
	}
	return Uint128{Hi: hi, Lo: lo}
}

// Expected returns the closed form (n-1)n(2n-1)/6, the value SumOfSquares
// must return, for checking it.
func Expected(n int) (Uint128, error) {
	if err := Check(n); err != nil {
		return Uint128{}, err
	}
	if n == 0 {
		return Uint128{}, nil
	}
	a, b, c := uint64(n-1), uint64(n), 2*uint64(n)-1
	// Divide before multiplying: one of n-1 and n is even, and one of the
	// three factors is a multiple of 3, so the product stays in 128 bits.
	if a%2 == 0 {
		a /= 2
	} else {
		b /= 2
	}
	switch {
	case a%3 == 0:
		a /= 3
	case b%3 == 0:
		b /= 3
	default:
		c /= 3
	}
	hi, lo := bits.Mul64(a, b)
	sum, overflow := Uint128{Hi: hi, Lo: lo}.mul64(c)
	if overflow {
		return Uint128{}, fmt.Errorf("closed form of %d: %w", n, ErrOverflow)
	}
	return sum, nil
}
