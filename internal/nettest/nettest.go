// Package nettest is the test servers that conclab's tests write by hand:
// a loopback listener whose connections a test serves as it likes, to stall
// a handshake, answer with the wrong certificate or speak raw HTTP.
package nettest

import (
	"net"
	"sync"
	"testing"
)

// Serve listens on 127.0.0.1, on a free port, and calls serve on a
// goroutine of its own for each connection it accepts, n counting them
// from 0, until the test ends. Then it closes the listener and every
// connection it accepted, so that a serve blocked on its connection
// returns, and waits for every serve. It returns the listener's address.
func Serve(t testing.TB, serve func(n int, c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("nettest: %v", err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Go(func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				serve(n, c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}
