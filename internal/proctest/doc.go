// Package proctest is what the tests of conclab's packages share for
// checking that nothing outlives them: child processes (running or
// unreaped) and open file descriptors, read from /proc on Linux.
//
// Elsewhere there is no /proc: the functions report ok == false, and a test
// skips the check rather than pass it falsely.
package proctest
