package converter_test

import (
	"context"
	"fmt"
	"time"

	"conclab/converter"
)

// Four worker processes (this program started again; its main calls
// child.RunIfChild) ask one owner for 2,000 conversions of 50 amounts, each
// taking a millisecond: every amount is computed once, for all of them.
func ExampleRunProcs() {
	res, err := converter.RunProcs(context.Background(), converter.ProcsConfig{
		Share: converter.ShareOwner,
		Procs: 4,
		Load:  converter.LoadConfig{Ops: 2_000, Keys: 50, Goroutines: 2, Cost: converter.Cost{Sleep: time.Millisecond}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d calls, %d amounts computed %d times, %d repeated, %d failed\n",
		res.Ops, res.Distinct, res.Computations, res.Repeated, res.Failed)
	// Output: 2000 calls, 50 amounts computed 50 times, 0 repeated, 0 failed
}

// Two variants are tied when their ranges, median ± spread, overlap.
func ExampleTied() {
	none := converter.LoadResult{Cache: "none", Cost: "cheap", NsPerOp: 60, NsPerOpSpread: 8, Runs: 5}
	syncmap := converter.LoadResult{Cache: "syncmap", Cost: "cheap", NsPerOp: 70, NsPerOpSpread: 5, Runs: 5}
	lru := converter.LoadResult{Cache: "lru", Cost: "cheap", NsPerOp: 240, NsPerOpSpread: 30, Runs: 5}
	fmt.Println(converter.Tied(none, syncmap), converter.Tied(none, lru))
	for _, line := range converter.Summary([]converter.LoadResult{none, syncmap, lru}) {
		fmt.Println(line)
	}
	// Output:
	// true false
	// cheap: none was fastest, tied with syncmap (their ranges overlap); slower beyond the spread: lru 4.0x.
}
