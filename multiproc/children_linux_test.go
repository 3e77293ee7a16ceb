//go:build linux

package multiproc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// children lists the processes whose parent is pid, zombies included, from
// /proc. ok is false where there is no /proc to read.
func children(pid int) (kids []int, ok bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, false
	}
	for _, path := range stats {
		st, err := readStat(path)
		if err == nil && st.ppid == pid {
			kids = append(kids, st.pid)
		}
	}
	return kids, true
}

type procStat struct {
	pid, ppid int
	state     byte
}

// readStat parses the fields of /proc/PID/stat that the tests need. The
// command name, in parentheses, may hold spaces and parentheses itself, so
// the fields after it are found from its last ')'.
func readStat(path string) (procStat, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, err
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open || end+2 >= len(b) {
		return procStat{}, errors.New("malformed stat")
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return procStat{}, err
	}
	rest := bytes.Fields(b[end+2:])
	if len(rest) < 2 {
		return procStat{}, errors.New("malformed stat")
	}
	ppid, err := strconv.Atoi(string(rest[1]))
	if err != nil {
		return procStat{}, err
	}
	return procStat{pid: pid, ppid: ppid, state: rest[0][0]}, nil
}

// gone reports whether pid has exited: no such process, or a zombie that
// only its new parent has yet to reap.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	st, err := readStat("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	return st.state == 'Z' || st.state == 'X'
}
