package bench

import (
	"runtime/pprof"
	"time"

	"conclab/internal/procfs"
)

// On Linux the sampler reads /proc: this process's thread count and resident
// set, and the pids, CPU time and resident sets of its child processes.
// Without /proc it knows less: threads are counted as the threads the Go
// runtime has created, the peak resident set is getrusage's ru_maxrss (the
// process's lifetime peak), and child processes are not seen.

// selfThreads is the number of OS threads of this process.
func selfThreads(w *procfs.Watch) int {
	st, err := w.Self()
	if err != nil {
		return pprof.Lookup("threadcreate").Count()
	}
	return st.Threads
}

// selfRSS returns this process's resident set and its peak.
func selfRSS() (rss, hwm int64) {
	st, err := procfs.StatusOf("self")
	if err != nil {
		self, _ := cpuTimes()
		return 0, self.maxRSS
	}
	return st.RSS, st.HWM
}

// resetPeakRSS resets this process's peak resident set to its current one,
// so that the peak measured for one model is not an earlier model's. It
// reports whether that worked.
func resetPeakRSS() bool { return procfs.ResetPeakRSS() == nil }

// childSample is what the sampler learns about one live child.
type childSample struct {
	pid int
	cpu time.Duration
	hwm int64
}

// liveChildren samples every child that is alive (not a zombie) and not in
// exclude.
func liveChildren(w *procfs.Watch, exclude map[int]bool) []childSample {
	var out []childSample
	for pid, c := range w.LiveChildren(func(pid int) bool { return exclude[pid] }) {
		out = append(out, childSample{pid: pid, cpu: c.Stat.CPU, hwm: max(c.Status.HWM, c.Status.RSS)})
	}
	return out
}
