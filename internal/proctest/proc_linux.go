//go:build linux

package proctest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Children lists the processes whose parent is pid, zombies included. ok is
// false where there is no /proc to read.
func Children(pid int) (kids []int, ok bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, false
	}
	for _, path := range stats {
		if st, err := readStat(path); err == nil && st.ppid == pid {
			kids = append(kids, st.pid)
		}
	}
	return kids, true
}

// Parent returns pid's parent, or -1 when pid is gone.
func Parent(pid int) int {
	st, err := readStat("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	return st.ppid
}

// Gone reports whether pid has exited: no such process, or a zombie that
// only its parent has yet to reap.
func Gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	st, err := readStat("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	return st.state == 'Z' || st.state == 'X'
}

// Stopped reports whether every thread of pid is stopped by a signal
// (SIGSTOP and the like). A process stops thread by thread, each when it
// next enters the kernel, and a thread still running can still answer, so a
// test that needs the process frozen waits for this.
func Stopped(pid int) bool {
	stats, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return false
	}
	for _, path := range stats {
		if st, err := readStat(path); err != nil || st.state != 'T' {
			return false
		}
	}
	return true
}

// Running lists the processes whose executable is the file bin.
func Running(bin string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if exe, err := os.Readlink("/proc/" + e.Name() + "/exe"); err == nil && exe == bin {
			pid, _ := strconv.Atoi(e.Name())
			pids = append(pids, pid)
		}
	}
	return pids
}

// OpenFDs counts this process's open file descriptors.
func OpenFDs() (n int, ok bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	return len(entries), true
}

type stat struct {
	pid, ppid int
	state     byte
}

// readStat parses the fields of /proc/PID/stat that the checks need. The
// command name, in parentheses, may hold spaces and parentheses itself, so
// the fields after it are found from its last ')'.
func readStat(path string) (stat, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return stat{}, err
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open || end+2 >= len(b) {
		return stat{}, errors.New("proctest: malformed " + path)
	}
	rest := bytes.Fields(b[end+2:])
	if len(rest) < 2 {
		return stat{}, errors.New("proctest: malformed " + path)
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return stat{}, err
	}
	ppid, err := strconv.Atoi(string(rest[1]))
	if err != nil {
		return stat{}, err
	}
	return stat{pid: pid, ppid: ppid, state: rest[0][0]}, nil
}
