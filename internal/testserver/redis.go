package testserver

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redis starts redis-server for the test, on a free port of 127.0.0.1,
// with persistence off and its working directory in the test's temporary
// one. Its URL is redis://127.0.0.1:PORT (database 0). It is killed when
// the test ends; Kill ends it sooner, for tests of a server that goes away.
func Redis(t testing.TB) *Server {
	t.Helper()
	bin := binary(t, "redis-server", "apt-get install redis-server")
	return start(t, "redis-server", redisAttempt(bin))
}

func redisAttempt(bin string) attempt {
	return func(t testing.TB, port int) (*Server, error) {
		s := &Server{Name: "redis-server", URL: fmt.Sprintf("redis://127.0.0.1:%d", port), Dir: t.TempDir()}
		argv := []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", s.Dir, "--loglevel", "warning"}
		return s.run(argv, redisProbe(s.Addr(), s.Dir))
	}
}

// redisProbe asks CONFIG GET dir (inline form) and wants this test's
// directory: only the server this test started answers that.
func redisProbe(addr, dir string) func() error {
	return func() error {
		conn, err := net.DialTimeout("tcp", addr, probeTimeout)
		if err != nil {
			return err
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(probeTimeout))
		if _, err := conn.Write([]byte("CONFIG GET dir\r\n")); err != nil {
			return err
		}
		r := bufio.NewReader(conn) // *2 $3 dir $N <dir>: the value is the fifth line
		var line string
		for range 5 {
			if line, err = r.ReadString('\n'); err != nil {
				return err
			}
		}
		if got := strings.TrimSpace(line); got != dir {
			return fmt.Errorf("another server on %s: its directory is %q", addr, got)
		}
		return nil
	}
}

// Kill kills the server now and waits until it has been reaped (clients see
// their connections close, new ones refused). The cleanup's kill then does
// nothing.
func (s *Server) Kill() error { return s.proc.kill() }
