package iobound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"conclab/internal/child"
)

// childRole is the role of a re-executed binary that serves; its Config
// comes as JSON in the child's configuration.
const childRole = "iobound-server"

const (
	startTimeout = 10 * time.Second // for the child's address, unless ctx is sooner
	closeTimeout = 5 * time.Second  // for the child to exit after stdin closes
)

func init() { child.Register(childRole, runChildRole) }

// Child is the embedded server running in a child process: the current
// binary, re-executed. Measurements of this process then leave the server's
// goroutines, threads, CPU time and memory out, as they would with real
// sites. The child exits when Close is called, when this process dies (its
// stdin closes; on Linux it also gets SIGKILL), and on SIGTERM.
type Child struct {
	site
	proc      *child.Process
	log       *child.LineWriter
	closeOnce sync.Once
	closeErr  error
}

// hello is the child's handshake.
type hello struct {
	Addr string `json:"addr"`
	// CertPEM is the certificate the child generated with Config.TLS (not
	// its key, which stays in the child).
	CertPEM string `json:"cert_pem,omitempty"`
}

// StartChild starts the server with cfg in a child process and returns once
// it listens. ctx bounds the start only. The binary must call
// child.RunIfChild first thing in main (or in TestMain).
func StartChild(ctx context.Context, cfg Config) (*Child, error) {
	if _, err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	// The command's context is not ctx, which bounds the start only.
	cmd, err := child.Command(context.Background(), childRole, string(cfgJSON))
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	log := child.NewLineWriter(nil, os.Stderr, "iobound server")
	cmd.Stderr = log
	cmd.WaitDelay = time.Second // for its stderr, once it has exited
	p, err := child.Start(ctx, cmd, child.Options{})
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", WithDescriptorLimit(err))
	}
	log.SetName(fmt.Sprintf("iobound server (pid %d)", p.PID))
	var h hello
	if err := p.Handshake(ctx, startTimeout, &h); err != nil {
		log.Flush()
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	if host, _, err := net.SplitHostPort(h.Addr); err != nil || host != "127.0.0.1" {
		_ = p.Kill()
		log.Flush()
		return nil, fmt.Errorf("iobound: start child: %w: announced %q, want 127.0.0.1:port", child.ErrHandshake, h.Addr)
	}
	st := site{scheme: "http", addr: h.Addr}
	if cfg.TLS {
		st.scheme, st.certPEM = "https", []byte(h.CertPEM)
		if st.roots, err = CertPool(st.certPEM); err != nil || st.roots == nil {
			_ = p.Kill()
			log.Flush()
			return nil, fmt.Errorf("iobound: start child: %w: no certificate in its handshake", child.ErrHandshake)
		}
	}
	return &Child{site: st, proc: p, log: log}, nil
}

// PID is the child's process id.
func (c *Child) PID() int { return c.proc.PID }

// Close asks the child to exit by closing its stdin, and kills it if it has
// not exited within a few seconds.
func (c *Child) Close() error {
	c.closeOnce.Do(func() {
		_ = c.proc.Stdin.Close()
		t := time.AfterFunc(closeTimeout, func() { _ = c.proc.Cmd.Process.Kill() })
		err := c.proc.Wait()
		c.log.Flush()
		if !t.Stop() {
			c.closeErr = fmt.Errorf("iobound: child server did not exit within %v; killed", closeTimeout)
		} else if err != nil {
			c.closeErr = fmt.Errorf("iobound: child server: %w", err)
		}
	})
	return c.closeErr
}

// runChildRole is the child's body: it serves until its stdin closes or it
// gets SIGTERM, and returns its exit status.
func runChildRole() int {
	if err := runChild(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func runChild(stdin io.Reader, stdout io.Writer) error {
	var cfg Config
	if err := json.Unmarshal([]byte(child.Config()), &cfg); err != nil {
		return fmt.Errorf("reading the configuration: %w", err)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := child.Announce(stdout, hello{Addr: srv.Addr(), CertPEM: string(srv.CertPEM())}); err != nil {
		return errors.Join(err, srv.Close())
	}
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		close(stdinClosed)
	}()
	select {
	case <-stdinClosed:
	case <-ctx.Done():
	}
	return srv.Close()
}
