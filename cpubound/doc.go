// Package cpubound is the CPU-bound workload: the sum of squares
// sum(i*i for i in range(n)) for n = 5,000,000 ... 5,000,019, computed by the
// loop, as the original Python comparison does.
//
// The numbers are chosen so that the work is pure arithmetic: no I/O, no
// allocation, nothing to wait for. A model can only make it faster by running
// the loops on more cores at once, which is why Python needs processes for it
// (the GIL lets one thread run Python code at a time) and why Go, whose
// goroutines run in parallel, does not.
//
// The sums exceed 2^64 (the first is 41,666,654,166,667,500,000), so the
// kernel accumulates in 128 bits, [Uint128], with math/bits: one multiply and
// one add with carry per iteration, what a C compiler makes of a loop over
// unsigned __int128. Every result can be checked against the closed form
// (n-1)n(2n-1)/6, [Expected], so a model that loses or corrupts a task is
// caught rather than timed.
package cpubound
