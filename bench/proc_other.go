//go:build !linux

package bench

import (
	"runtime/pprof"
	"time"
)

// Without /proc the sampler knows less: threads are counted as the threads
// the Go runtime has created, the peak resident set is getrusage's ru_maxrss
// (the process's lifetime peak), and child processes are not seen.

func selfThreads() int { return pprof.Lookup("threadcreate").Count() }

func selfRSS() (rss, hwm int64) {
	self, _ := cpuTimes()
	return 0, self.maxRSS
}

func resetPeakRSS() bool { return false }

func childPIDs() []int { return nil }

type childSample struct {
	pid int
	cpu time.Duration
	hwm int64
}

func liveChildren(map[int]bool) []childSample { return nil }
