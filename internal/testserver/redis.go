// A throwaway redis-server for tests that need a real one.

package testserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RedisServer is a redis-server started for one test: on 127.0.0.1, on a
// port of its own, in a temporary directory, with persistence off, so that
// nothing it does outlives the test or touches another's data.
type RedisServer struct {
	Addr string // host:port, 127.0.0.1 and the server's port
	URL  string // redis://Addr, for redis.ParseURL (database 0)

	cmd  *exec.Cmd
	out  *redisOutput
	done chan struct{} // closed once the process has exited and been reaped
	stop sync.Once
}

// redisStartTimeout bounds the wait for a started server to answer PING.
// A server that starts on a loaded machine answers in milliseconds; this
// only keeps a broken one from hanging the test.
const redisStartTimeout = 15 * time.Second

// Redis starts a redis-server and kills it when the test ends. Where no
// redis-server is installed the test is skipped, saying so, unless the
// environment variable CI is "true": CI installs one, and a test that
// skipped there would pass without having run.
func Redis(tb testing.TB) *RedisServer {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server is not installed (apt-get install redis-server, brew install redis): " + err.Error()
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	// The port is free when we look and taken when the server binds it;
	// another process may take it in between, so a server that cannot
	// bind is started again on another port, a few times.
	var errs []error
	for range 3 {
		r, err := startRedis(tb, bin)
		if err == nil {
			tb.Cleanup(func() { _ = r.Kill() })
			return r
		}
		errs = append(errs, err)
	}
	tb.Fatalf("testserver: redis-server did not start: %v", errors.Join(errs...))
	return nil
}

func startRedis(tb testing.TB, bin string) (*RedisServer, error) {
	port, err := redisFreePort()
	if err != nil {
		return nil, err
	}
	r := &RedisServer{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), out: &redisOutput{}, done: make(chan struct{})}
	r.URL = "redis://" + r.Addr
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", tb.TempDir(), "--loglevel", "warning")
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = r.cmd.Wait() // an exit is reported by redisReady, or expected by Kill
		close(r.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), redisStartTimeout)
	defer cancel()
	if err := r.redisReady(ctx); err != nil {
		_ = r.Kill()
		return nil, fmt.Errorf("%s on port %d: %w; its output: %q", bin, port, err, r.out.String())
	}
	return r, nil
}

// redisReady waits until the server answers PING, it exits, or ctx ends.
func (r *RedisServer) redisReady(ctx context.Context) error {
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		if err := redisPing(ctx, r.Addr); err == nil {
			return nil
		}
		select {
		case <-r.done:
			return errors.New("it exited")
		case <-ctx.Done():
			return fmt.Errorf("no answer to PING: %w", ctx.Err())
		case <-time.After(wait):
		}
	}
}

// redisPing sends one PING and expects +PONG, in the protocol's plainest
// (inline) form: enough to know the server is up, without a client.
func redisPing(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Kill kills the server and waits until it has been reaped: the test's way
// of making Redis go away in the middle of a run. Clients connected to it
// see their connections close; new connections are refused. It may be
// called more than once, and is called when the test ends.
func (r *RedisServer) Kill() error {
	var err error
	r.stop.Do(func() {
		// SIGKILL also ends a stopped (SIGSTOP) process.
		if err = r.cmd.Process.Kill(); errors.Is(err, os.ErrProcessDone) {
			err = nil
		}
		<-r.done
	})
	return err
}

// PID returns the server's process id, for tests that signal it (SIGSTOP
// makes a server that hangs: connections stay open, nothing answers).
func (r *RedisServer) PID() int { return r.cmd.Process.Pid }

// redisFreePort returns a port on 127.0.0.1 that nothing listens on now.
func redisFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// redisOutput collects what the server prints, for a failure message; the
// process writes it from its own goroutine while a test may read it.
type redisOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *redisOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *redisOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
