//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package bench

import (
	"runtime"
	"syscall"
	"time"
)

// cpuTimes returns the user and system CPU time of this process (self) and
// of its children that have exited and been waited for (children). A child
// counts only once it is reaped: a worker that is still alive is measured
// from /proc by the sampler instead, and the embedded server's child, which
// is reaped only after every measurement, never counts.
func cpuTimes() (self, children usage) {
	return rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
}

func rusage(who int) usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return usage{}
	}
	return usage{
		user:   time.Duration(ru.Utime.Nano()),
		system: time.Duration(ru.Stime.Nano()),
		maxRSS: maxRSSBytes(int64(ru.Maxrss)),
	}
}

// maxRSSBytes converts ru_maxrss, which Linux and the BSDs give in KiB and
// macOS in bytes.
func maxRSSBytes(v int64) int64 {
	if runtime.GOOS == "darwin" {
		return v
	}
	return v * 1024
}
