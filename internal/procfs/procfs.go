package procfs

import (
	"errors"
	"time"
)

// ErrUnsupported is returned where there is no /proc to read.
var ErrUnsupported = errors.New("procfs: no /proc on this system")

// Stat holds the fields of /proc/PID/stat the suite uses.
type Stat struct {
	PID, PPID int
	// State is the one-letter state: R running, S sleeping, T stopped,
	// Z zombie, X dead, and so on.
	State   byte
	CPU     time.Duration // user + system time
	Threads int
}

// Exited reports a process that has exited: a zombie its parent has yet to
// reap, or a dead one.
func (s Stat) Exited() bool { return s.State == 'Z' || s.State == 'X' }

// Status holds the fields of /proc/PID/status the suite uses.
type Status struct {
	RSS, HWM int64 // resident set and its peak, in bytes
}

// Child is what a Watch reads of one live child.
type Child struct {
	Stat   Stat
	Status Status
}
