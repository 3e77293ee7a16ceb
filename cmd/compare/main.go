package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"conclab/internal/child"
)

func main() {
	// The embedded server, the process pool's workers and the demos'
	// children are this binary re-executed: such a child does its job here
	// and exits.
	child.RunIfChild()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills at once, as usual.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
