package demo_test

import (
	"context"
	"fmt"
	"os"

	"conclab/demo"
)

// Tasks on an event loop share a counter and a map with no lock and lose
// nothing; with an await inside the update, or on goroutines (in a child
// process), they lose updates. The binary must call
// child.RunIfChild first (this package's TestMain does).
func ExampleNoLocks() {
	rep, err := demo.NoLocks(context.Background(), demo.NoLocksConfig{Tasks: 4, Updates: 1000})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Results {
		fmt.Printf("%s: exact %t\n", r.Variant, r.LostCount() == 0 && r.LostMapped() == 0)
	}
	// Output:
	// event loop, update between awaits: exact true
	// event loop, await inside the update: exact false
	// goroutines: exact false
}

// Write explains a NoLocks report; here one with fixed figures.
func ExampleNoLocksReport_Write() {
	rep := demo.NoLocksReport{
		Config: demo.NoLocksConfig{Tasks: 8, Updates: 10000, GOMAXPROCS: 1},
		Results: []demo.TallyResult{
			{Variant: demo.LoopBetweenAwaits, Expected: 80000, Count: 80000, Mapped: 80000},
			{Variant: demo.LoopAwaitInside, Expected: 80000, Count: 16171, Mapped: 25682},
			{Variant: demo.Goroutines, Expected: 80000, Count: 10000, Mapped: 20000, InChild: true, GOMAXPROCS: 1},
		},
	}
	_ = rep.Write(os.Stdout)
	// Output:
	// 8 tasks share a counter and a map (updates per site) with no lock, and each
	// makes 10000 updates (80000 expected). An update reads both, then writes
	// both back one higher.
	//
	//   where the tasks ran                      counter      lost       map      lost
	//   event loop, update between awaits          80000         0     80000         0
	//   event loop, await inside the update        16171     63829     25682     54318
	//   goroutines, GOMAXPROCS=1 (child)           10000     70000     20000     60000
	//
	// On the event loop every callback runs to its end before the next one starts,
	// all on one goroutine: between two awaits a task has the state to itself, so no
	// update was lost. That is why asyncio code needs no lock for state it reads and
	// writes between two awaits.
	//
	// An await between the read and the write gives that up: the other tasks ran at
	// the await, and the write put back a count that was stale by then. Updates were
	// lost on one goroutine, with no data race at all. State held across an await
	// needs asyncio.Lock, or no await inside the update.
	//
	// The goroutines ran the same update with no lock, on one processor as the loop.
	// The scheduler may switch goroutines between any two instructions; here a
	// runtime.Gosched between the read and the write, every 1000th update, makes a
	// switch happen exactly there, so that the loss shows on every run: a goroutine
	// wrote back a stale count over the others' updates. Goroutines need a
	// sync.Mutex (or sync/atomic) for this, on one processor as on many.
	// Build with -race and the race detector reports the goroutines' version,
	// and has nothing to say about the loop's.
}
