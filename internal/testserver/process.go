package testserver

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	// startTimeout bounds one start, from the fork until the server answers.
	// It is generous because the machine may be busy with other builds; a
	// server that is ready sooner ends the wait sooner.
	startTimeout = 30 * time.Second
	// stopTimeout bounds the wait for a killed server to be reaped.
	stopTimeout = 10 * time.Second
	// startAttempts is how many free ports a start tries before it gives
	// up; only a port taken between its choice and the server's bind costs
	// an attempt.
	startAttempts = 3
	// logTail is how much of each log a failed test prints.
	logTail = 16 << 10
)

// errAddrInUse is wrapped by the error of a start whose server found its
// port taken: the start is retried on another port.
var errAddrInUse = errors.New("address already in use")

// A Server is one server process this package started for a test. It is
// killed when the test ends.
type Server struct {
	// Name says what runs, as a message would name it: "nginx",
	// "python3 -m http.server".
	Name string
	// URL is the server's base URL, "http://127.0.0.1:PORT", with no
	// trailing slash; a Path constant is appended to it. (A server of
	// another protocol has its own scheme.)
	URL string
	// Dir holds the server's files: its site, configuration and logs. It is
	// removed when the test ends.
	Dir string

	proc *process
	logs []string // printed when the test fails
}

// Addr is the server's host:port.
func (s *Server) Addr() string {
	_, hostPort, _ := strings.Cut(s.URL, "://")
	return hostPort
}

// PID is the server process's id.
func (s *Server) PID() int { return s.proc.cmd.Process.Pid }

// process is a started server process and the log its output goes to.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been reaped
	err    error         // what Wait returned; read after exited is closed
}

// launch starts argv with its stdout and stderr appended to logPath. The
// process is reaped as soon as it exits, whoever kills it.
func launch(dir, logPath string, argv []string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	// The child has its own copy of the descriptor once started.
	defer logFile.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p := &process{cmd: cmd, exited: make(chan struct{})}
	if err := spawn(cmd, func(err error) { p.err = err; close(p.exited) }); err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	return p, nil
}

// kill kills the process and waits until it has been reaped.
func (p *process) kill() error {
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill pid %d: %w", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("pid %d still not reaped %v after SIGKILL", p.cmd.Process.Pid, stopTimeout)
	}
}

// dead describes how the process ended, or is "" while it runs.
func (p *process) dead() string {
	select {
	case <-p.exited:
		if p.err == nil {
			return "exited with status 0"
		}
		return p.err.Error()
	default:
		return ""
	}
}

// attempt is one start of a server on port. It returns the started server
// or an error, wrapping errAddrInUse when the port was taken.
type attempt func(t testing.TB, port int) (*Server, error)

// start runs try on free ports until one start succeeds, registers the
// server's cleanup, and fails the test if no start succeeds.
func start(t testing.TB, name string, try attempt) *Server {
	t.Helper()
	var err error
	for range startAttempts {
		var port int
		if port, err = freePort(); err != nil {
			break
		}
		var s *Server
		if s, err = try(t, port); err == nil {
			t.Cleanup(func() { s.stop(t) })
			t.Logf("%s listens on %s (pid %d), files in %s", s.Name, s.URL, s.PID(), s.Dir)
			return s
		}
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	t.Fatalf("testserver: start %s: %v", name, err)
	return nil
}

// run launches argv as the server s (whose URL and Dir are set) and waits
// until probe succeeds. On failure the process is killed and the error
// carries the end of its logs.
func (s *Server) run(argv []string, probe func() error) (*Server, error) {
	out := filepath.Join(s.Dir, "output.log")
	s.logs = append([]string{out}, s.logs...)
	p, err := launch(s.Dir, out, argv)
	if err != nil {
		return nil, err
	}
	s.proc = p
	if err := waitReady(p, probe); err != nil {
		_ = p.kill()
		logs := s.tails()
		if bytes.Contains(logs, []byte("Address already in use")) {
			err = fmt.Errorf("%w (%v)", errAddrInUse, err)
		}
		return nil, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, logs)
	}
	return s, nil
}

// stop kills the server, and prints its logs if the test failed.
func (s *Server) stop(t testing.TB) {
	t.Helper()
	if err := s.proc.kill(); err != nil {
		t.Errorf("testserver: stop %s: %v", s.Name, err)
	}
	if t.Failed() {
		t.Logf("testserver: %s's logs:\n%s", s.Name, s.tails())
	}
}

// tails returns the end of each of the server's logs, each under its name.
func (s *Server) tails() []byte {
	var b bytes.Buffer
	for _, path := range s.logs {
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue
		case err != nil:
			fmt.Fprintf(&b, "--- %s: %v\n", filepath.Base(path), err)
			continue
		}
		if len(data) > logTail {
			data = append([]byte("[...]"), data[len(data)-logTail:]...)
		}
		fmt.Fprintf(&b, "--- %s (%d bytes shown)\n%s", filepath.Base(path), len(data), data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
