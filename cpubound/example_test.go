package cpubound_test

import (
	"fmt"

	"conclab/cpubound"
)

func ExampleSumOfSquares() {
	sum, err := cpubound.SumOfSquares(5_000_000)
	if err != nil {
		fmt.Println(err)
		return
	}
	want, _ := cpubound.Expected(5_000_000)
	fmt.Println(sum, sum == want)
	// Output: 41666654166667500000 true
}

func ExampleCheck() {
	fmt.Println(cpubound.Check(-5))
	// Output: sum of squares of -5: cpubound: n is negative
}
