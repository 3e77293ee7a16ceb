//go:build linux

package faults

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// children lists the processes whose parent is pid, zombies included, from
// /proc. ok is false where there is no /proc to read.
func children(pid int) (kids []int, ok bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, false
	}
	for _, path := range stats {
		if child, ppid, ok := readStat(path); ok && ppid == pid {
			kids = append(kids, child)
		}
	}
	return kids, true
}

// readStat returns the pid and parent pid in a /proc/PID/stat file. The
// command name, in parentheses, may hold spaces and parentheses itself, so
// the fields after it are found from its last ')'.
func readStat(path string) (pid, ppid int, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open || end+2 >= len(b) {
		return 0, 0, false
	}
	rest := bytes.Fields(b[end+2:])
	if len(rest) < 2 {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	ppid, err2 := strconv.Atoi(string(rest[1]))
	return pid, ppid, err1 == nil && err2 == nil
}

// openFDs counts this process's open file descriptors; ok is false where
// there is no /proc/self/fd.
func openFDs() (n int, ok bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	return len(entries), true
}
