package child_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"conclab/internal/child"
)

// Start this binary again in a role that its init registered (see
// main_test.go: the role announces its configuration, then echoes its
// stdin), read its handshake, talk to it and wait for it.
func ExampleStart() {
	ctx := context.Background()
	cmd, err := child.Command(ctx, "child-test-echo", "hello, child")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := child.Start(ctx, cmd, child.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var hello struct{ Config string }
	if err := p.Handshake(ctx, 10*time.Second, &hello); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("announced:", hello.Config)
	_, _ = io.WriteString(p.Stdin, "ping\n")
	_ = p.Stdin.Close()
	echo, _ := io.ReadAll(p.Stdout)
	fmt.Print("echoed: ", string(echo))
	fmt.Println("exit:", p.Wait())
	// Output:
	// announced: hello, child
	// echoed: ping
	// exit: <nil>
}
