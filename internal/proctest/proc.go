package proctest

import "conclab/internal/procfs"

// Children lists the processes whose parent is pid, zombies included. ok is
// false where there is no /proc to read.
func Children(pid int) (kids []int, ok bool) {
	kids, err := procfs.Children(pid)
	return kids, err == nil
}

// Parent returns pid's parent, or -1 when pid is gone (or there is no /proc).
func Parent(pid int) int {
	st, err := procfs.StatOf(pid)
	if err != nil {
		return -1
	}
	return st.PPID
}

// Gone reports whether pid has exited: no such process, or a zombie that
// only its parent has yet to reap. It is true without /proc.
func Gone(pid int) bool {
	st, err := procfs.StatOf(pid)
	return err != nil || st.Exited()
}

// Stopped reports whether every thread of pid is stopped by a signal
// (SIGSTOP and the like). A process stops thread by thread, each when it
// next enters the kernel, and a thread still running can still answer, so a
// test that needs the process frozen waits for this. It is false without
// /proc.
func Stopped(pid int) bool {
	stats, err := procfs.Threads(pid)
	if err != nil {
		return false
	}
	for _, path := range stats {
		if st, err := procfs.ReadStat(path); err != nil || st.State != 'T' {
			return false
		}
	}
	return true
}

// Running lists the processes whose executable is the file bin.
func Running(bin string) []int { return procfs.Executables(bin) }

// OpenFDs counts this process's open file descriptors; ok is false without
// /proc.
func OpenFDs() (n int, ok bool) {
	n, err := procfs.OpenFDs()
	return n, err == nil
}
