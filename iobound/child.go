package iobound

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The environment that turns a re-executed binary into a server child.
const (
	roleEnv   = "CONCLAB_ROLE"
	childRole = "iobound-server"
	configEnv = "CONCLAB_IOBOUND_CONFIG"

	startTimeout = 10 * time.Second // for the child's address, unless ctx is sooner
	closeTimeout = 5 * time.Second  // for the child to exit after stdin closes
)

// Child is the embedded server running in a child process: the current
// binary, re-executed. Measurements of this process then leave the server's
// goroutines, threads, CPU time and memory out, as they would with real
// sites. The child exits when Close is called, when this process dies (its
// stdin closes; on Linux it also gets SIGKILL), and on SIGTERM.
type Child struct {
	site
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	closeOnce sync.Once
	closeErr  error
}

// StartChild starts the server with cfg in a child process and returns once
// it listens. ctx bounds the start only. The binary must call
// RunServerIfChild first thing in main (or in TestMain).
func StartChild(ctx context.Context, cfg Config) (*Child, error) {
	if _, err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	if os.Getenv(roleEnv) != "" {
		// A child that starts a child would do so again, and again.
		return nil, fmt.Errorf("iobound: start child: this process is itself a %s child; does main call RunServerIfChild first?", os.Getenv(roleEnv))
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), roleEnv+"="+childRole, configEnv+"="+string(cfgJSON))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	if err := start(cmd); err != nil {
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	addr, err := readAddr(ctx, stdout)
	if err != nil {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("iobound: start child: %w", err)
	}
	return &Child{site: site{base: "http://" + addr}, cmd: cmd, stdin: stdin}, nil
}

// readAddr reads the line on which the child announces its address.
func readAddr(ctx context.Context, stdout io.Reader) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		addr := strings.TrimSpace(s)
		host, _, err := net.SplitHostPort(addr)
		if err != nil || host != "127.0.0.1" {
			return "", fmt.Errorf("child announced %q, want 127.0.0.1:port", s)
		}
		return addr, nil
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the child's address: %w", ctx.Err())
	}
}

// PID is the child's process id.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// Close asks the child to exit by closing its stdin, and kills it if it has
// not exited within a few seconds.
func (c *Child) Close() error {
	c.closeOnce.Do(func() {
		c.stdin.Close()
		exited := make(chan error, 1)
		go func() { exited <- c.cmd.Wait() }()
		t := time.NewTimer(closeTimeout)
		defer t.Stop()
		select {
		case err := <-exited:
			if err != nil {
				c.closeErr = fmt.Errorf("iobound: child server: %w", err)
			}
		case <-t.C:
			c.cmd.Process.Kill()
			<-exited
			c.closeErr = fmt.Errorf("iobound: child server did not exit within %v; killed", closeTimeout)
		}
	})
	return c.closeErr
}

// RunServerIfChild returns at once, unless this process was started by
// StartChild: then it serves until its stdin closes or it gets SIGTERM, and
// exits. Call it first thing in main, or in TestMain.
func RunServerIfChild() {
	if os.Getenv(roleEnv) != childRole {
		return
	}
	if err := runChild(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "iobound child server:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runChild(stdin io.Reader, stdout io.Writer) error {
	var cfg Config
	if err := json.Unmarshal([]byte(os.Getenv(configEnv)), &cfg); err != nil {
		return fmt.Errorf("reading %s: %w", configEnv, err)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if _, err := fmt.Fprintln(stdout, srv.Addr()); err != nil {
		return errors.Join(err, srv.Close())
	}
	stdinClosed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(stdinClosed)
	}()
	select {
	case <-stdinClosed:
	case <-ctx.Done():
	}
	return srv.Close()
}
