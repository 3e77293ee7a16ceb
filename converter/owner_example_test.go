package converter_test

import (
	"context"
	"fmt"
	"os"

	"conclab/converter"
)

// An owner answers a client over two pipes, as it would answer a worker
// process over the pipes to that process.
func ExampleOwner() {
	ctx := context.Background()
	rules := converter.DefaultRules()
	owner, err := converter.NewOwner(rules, converter.Options{}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	toOwner, fromClient, _ := os.Pipe()
	toClient, fromOwner, _ := os.Pipe()
	served := make(chan error, 1)
	go func() {
		err := owner.Serve(ctx, toOwner, fromOwner)
		fromOwner.Close() // tells the client that everything was answered
		served <- err
	}()

	client, err := converter.NewOwnerClient(toClient, fromClient, rules, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 3 {
		r, err := client.Convert(ctx, 150_000)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r)
	}
	client.Close()
	fmt.Println("served:", <-served)
	toOwner.Close()
	st := owner.Stats()
	fmt.Printf("owner: %d hits, %d misses, %d computation\n", st.Hits, st.Misses, st.Computations)
	// Output:
	// 150,000 A points give 120,000 B points at 10:8 (tier 1)
	// 150,000 A points give 120,000 B points at 10:8 (tier 1)
	// 150,000 A points give 120,000 B points at 10:8 (tier 1)
	// served: <nil>
	// owner: 2 hits, 1 misses, 1 computation
}
