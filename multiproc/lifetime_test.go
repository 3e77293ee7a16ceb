package multiproc

import (
	"context"
	"fmt"
	"os"
)

// actAsParent is the test binary's role as a parent to be killed: it
// downloads, on a pool of two workers, the two URLs the test gave it in
// envTestParent (separated by a space). The test's server holds both
// requests, so the workers are in the middle of their tasks, and stay
// there, until the test kills this process.
func actAsParent() int {
	var a, b string
	if _, err := fmt.Sscan(os.Getenv(envTestParent), &a, &b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_, err := Pool{Procs: 2}.Download(context.Background(), []string{a, b})
	fmt.Fprintf(os.Stderr, "the pool returned, but the test should have killed this process first: %v\n", err)
	return 1
}
