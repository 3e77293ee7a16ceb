package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The embedded server and the process pool's workers are this binary
	// re-executed: such a child does its job here and exits.
	runChildIfAny()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills at once, as usual.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
