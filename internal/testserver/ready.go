package testserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

const (
	// probeTimeout bounds one readiness request.
	probeTimeout = 2 * time.Second
	// probeInterval is the pause between readiness requests.
	probeInterval = 20 * time.Millisecond
)

// freePort returns a port on 127.0.0.1 that nothing listened on a moment
// ago: the kernel picks it for a listener on port 0, which is closed again
// so that the server can bind it. Another process may take it in between;
// start retries then.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady calls probe until it succeeds, the process exits, or
// startTimeout passes.
func waitReady(p *process, probe func() error) error {
	deadline := time.Now().Add(startTimeout)
	for {
		if how := p.dead(); how != "" {
			return fmt.Errorf("exited before it was ready: %s", how)
		}
		err := probe()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %v: %w", startTimeout, err)
		}
		select {
		case <-p.exited:
		case <-time.After(probeInterval):
		}
	}
}

// newToken returns a random string for a server to serve, so that the probe
// knows it reached this test's server and not some other process that took
// the port.
func newToken() string { return "conclab testserver " + rand.Text() + "\n" }

// httpProbe returns a probe that GETs url and wants token as the body. Its
// client keeps no connection, so the probe leaves no goroutine behind.
func httpProbe(url, token string) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		defer client.CloseIdleConnections()
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		switch {
		case err != nil:
			return err
		case resp.StatusCode != http.StatusOK:
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		case string(body) != token:
			return fmt.Errorf("GET %s: another server answers on this port", url)
		}
		return nil
	}
}
