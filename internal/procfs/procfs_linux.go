//go:build linux

package procfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/PID/stat. It
// is 100 on every Linux architecture Go supports.
const clockTick = time.Second / 100

// ReadStat parses the stat file at path: /proc/PID/stat, or a thread's
// /proc/PID/task/TID/stat.
func ReadStat(path string) (Stat, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Stat{}, fmt.Errorf("procfs: %w", err)
	}
	return parseStat(b)
}

// StatOf reads /proc/PID/stat.
func StatOf(pid int) (Stat, error) {
	return ReadStat("/proc/" + strconv.Itoa(pid) + "/stat")
}

// SelfStat reads this process's stat.
func SelfStat() (Stat, error) { return ReadStat("/proc/self/stat") }

var errMalformed = errors.New("procfs: malformed stat")

// parseStat parses a stat line. The command name, field 2, is in
// parentheses and may hold spaces and parentheses itself, so the fields
// after it are found from its last ')'.
func parseStat(b []byte) (Stat, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open {
		return Stat{}, errMalformed
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return Stat{}, errMalformed
	}
	f := strings.Fields(string(b[end+1:]))
	// f[0] is field 3 (state), f[1] field 4 (ppid), f[11] and f[12] fields
	// 14 and 15 (utime, stime), f[17] field 20 (num_threads).
	if len(f) < 18 || len(f[0]) == 0 {
		return Stat{}, errMalformed
	}
	ppid, err1 := strconv.Atoi(f[1])
	utime, err2 := strconv.ParseInt(f[11], 10, 64)
	stime, err3 := strconv.ParseInt(f[12], 10, 64)
	threads, err4 := strconv.Atoi(f[17])
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return Stat{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return Stat{PID: pid, PPID: ppid, State: f[0][0], CPU: time.Duration(utime+stime) * clockTick, Threads: threads}, nil
}

// StatusOf reads /proc/PID/status; pid may be "self".
func StatusOf(pid string) (Status, error) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return Status{}, fmt.Errorf("procfs: %w", err)
	}
	return parseStatus(b), nil
}

// parseStatus parses the fields of a status file the suite uses.
func parseStatus(b []byte) Status {
	var st Status
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch key {
		case "VmRSS":
			st.RSS = kib(val)
		case "VmHWM":
			st.HWM = kib(val)
		}
	}
	return st
}

// kib parses "   1234 kB" into bytes.
func kib(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(s), " kB"), 10, 64)
	return n * 1024
}

// Children lists the processes whose parent is pid, zombies included, by
// reading every process's stat.
func Children(pid int) ([]int, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, ErrUnsupported
	}
	var kids []int
	for _, path := range stats {
		if st, err := ReadStat(path); err == nil && st.PPID == pid {
			kids = append(kids, st.PID)
		}
	}
	return kids, nil
}

// SelfChildren lists this process's children, the cheap way where the
// kernel offers it: the children of each of its threads, since a child
// belongs to the thread that forked it.
func SelfChildren() ([]int, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, ErrUnsupported
	}
	var pids []int
	for i, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			if i == 0 && errors.Is(err, fs.ErrNotExist) {
				// A kernel built without the children files.
				return Children(os.Getpid())
			}
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids, nil
}

// Threads lists the stat files of pid's threads.
func Threads(pid int) ([]string, error) {
	stats, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, fmt.Errorf("procfs: no threads for pid %d", pid)
	}
	return stats, nil
}

// OpenFDs counts this process's open file descriptors.
func OpenFDs() (int, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, ErrUnsupported
	}
	return len(entries), nil
}

// ResetPeakRSS resets this process's VmHWM to its current resident set
// (Linux 4.0 and later).
func ResetPeakRSS() error {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return fmt.Errorf("procfs: reset peak: %w", err)
	}
	return nil
}

// Executables lists the processes whose executable is the file bin.
func Executables(bin string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink("/proc/" + e.Name() + "/exe"); err == nil && exe == bin {
			pids = append(pids, pid)
		}
	}
	return pids
}
