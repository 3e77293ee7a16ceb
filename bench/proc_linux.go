package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// On Linux the sampler reads /proc: this process's thread count and resident
// set, and the pids, CPU ticks and resident sets of its child processes.

// clockTick is USER_HZ, the unit of utime and stime in /proc/<pid>/stat. It
// is 100 on every Linux architecture Go supports.
const clockTick = time.Second / 100

// procStatus holds the fields of /proc/<pid>/status that the sampler uses.
type procStatus struct {
	rss, hwm int64 // bytes
}

func readStatus(pid string) (procStatus, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return procStatus{}, false
	}
	var st procStatus
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch key {
		case "VmRSS":
			st.rss = kib(val)
		case "VmHWM":
			st.hwm = kib(val)
		}
	}
	return st, true
}

// kib parses "   1234 kB" into bytes.
func kib(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(s), " kB"), 10, 64)
	return n * 1024
}

// selfThreads is the number of OS threads of this process, from
// /proc/self/stat, which is cheaper to produce than status.
func selfThreads() int {
	st, _ := readStat("self")
	return st.threads
}

// selfRSS returns this process's resident set and its peak.
func selfRSS() (rss, hwm int64) {
	st, _ := readStatus("self")
	return st.rss, st.hwm
}

// resetPeakRSS resets this process's VmHWM to its current resident set, so
// that the peak measured for one model is not an earlier model's (Linux 4.0
// and later). It reports whether that worked.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// childPIDs lists this process's child processes: the children of each of
// its threads, since a child belongs to the thread that forked it.
func childPIDs() []int {
	tasks, _ := os.ReadDir("/proc/self/task")
	var pids []int
	for i, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			if i == 0 && errors.Is(err, fs.ErrNotExist) {
				return scanChildPIDs()
			}
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// scanChildPIDs finds the children by their parent pid, for kernels built
// without /proc/<pid>/task/<tid>/children.
func scanChildPIDs() []int {
	self := os.Getpid()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, d := range dirs {
		st, ok := readStat(filepath.Base(d))
		if ok && st.ppid == self {
			pid, _ := strconv.Atoi(filepath.Base(d))
			pids = append(pids, pid)
		}
	}
	return pids
}

// procStat holds the fields of /proc/<pid>/stat that the sampler uses.
type procStat struct {
	state   byte
	ppid    int
	cpu     time.Duration // utime + stime
	threads int
}

func readStat(pid string) (procStat, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return procStat{}, false
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// the fields after it start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), f[1] field 4 (ppid), f[11] and f[12] fields
	// 14 and 15 (utime, stime), f[17] field 20 (num_threads).
	if len(f) < 18 || len(f[0]) == 0 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	threads, _ := strconv.Atoi(f[17])
	return procStat{state: f[0][0], ppid: ppid, cpu: time.Duration(utime+stime) * clockTick, threads: threads}, true
}

// childSample is what the sampler learns about one live child.
type childSample struct {
	pid int
	cpu time.Duration
	hwm int64
}

// liveChildren samples every child that is alive (not a zombie) and not in
// exclude.
func liveChildren(exclude map[int]bool) []childSample {
	var out []childSample
	for _, pid := range childPIDs() {
		if exclude[pid] {
			continue
		}
		p := strconv.Itoa(pid)
		st, ok := readStat(p)
		if !ok || st.state == 'Z' || st.state == 'X' {
			continue
		}
		status, _ := readStatus(p)
		out = append(out, childSample{pid: pid, cpu: st.cpu, hwm: max(status.hwm, status.rss)})
	}
	return out
}
