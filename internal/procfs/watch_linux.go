//go:build linux

package procfs

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Watch reads this process's stat, and its children's stat and status,
// again and again, as a sampler does, keeping every file open between
// reads: reading an open /proc file again from offset 0 makes the kernel
// write it anew, and costs a fraction of opening, reading and closing it
// (some 5 µs against 25 on a sandboxed VM, where a sampler that reopened
// its dozen files every 10 ms took 5% of a core, the very cores the
// models it measures run on).
//
// Its reads are raw system calls, which the Go runtime is not told of: a
// call through the os package would wake the runtime's monitor thread
// (sysmon) in a process that was idle, and it would then look around every
// 20 µs until the sample was done, each time taking a core from a model
// that computes (see child.Quiet). A read of an open /proc file does not
// wait on anything, which is what makes a raw call safe. A Watch is not
// safe for concurrent use.
type Watch struct {
	buf      []byte
	tasks    *os.File            // /proc/self/task, listed again from its start
	self     *os.File            // /proc/self/stat
	children map[string]*os.File // each thread's children file, by thread id
	kids     map[int]*kid        // each live child's files, by pid
}

type kid struct{ stat, status *os.File }

// NewWatch returns a Watch of this process. Close it when done.
func NewWatch() *Watch {
	return &Watch{buf: make([]byte, 8<<10), children: map[string]*os.File{}, kids: map[int]*kid{}}
}

// read reads f from its start.
func (w *Watch) read(f *os.File) ([]byte, error) {
	for {
		b := w.buf
		n, err := raw(f, func(fd uintptr) (uintptr, syscall.Errno) {
			n, _, errno := syscall.RawSyscall6(syscall.SYS_PREAD64, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0, 0, 0)
			return n, errno
		})
		if err != nil {
			return nil, err
		}
		if n < len(w.buf) {
			return w.buf[:n], nil
		}
		w.buf = make([]byte, 2*len(w.buf)) // the file may be longer
	}
}

// raw runs call, which makes raw system calls, on f's descriptor, and
// returns what the last one returned.
func raw(f *os.File, call func(fd uintptr) (uintptr, syscall.Errno)) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n uintptr
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) { n, errno = call(fd) }); err != nil {
		return 0, err
	}
	if errno != 0 {
		return 0, &os.PathError{Op: "read", Path: f.Name(), Err: errno}
	}
	return int(n), nil
}

// threads lists this process's thread ids, from /proc/self/task, kept open
// and listed again from its start.
func (w *Watch) threads() ([]string, error) {
	if w.tasks == nil {
		f, err := os.Open("/proc/self/task")
		if err != nil {
			return nil, err
		}
		w.tasks = f
	}
	for {
		b := w.buf
		n, err := raw(w.tasks, func(fd uintptr) (uintptr, syscall.Errno) {
			if _, _, errno := syscall.RawSyscall(syscall.SYS_LSEEK, fd, 0, 0); errno != 0 {
				return 0, errno
			}
			n, _, errno := syscall.RawSyscall(syscall.SYS_GETDENTS64, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
			return n, errno
		})
		if err != nil {
			return nil, err
		}
		if n == 0 || n < len(w.buf)-512 {
			// One call took every entry (a directory of a few hundred
			// threads fits the buffer with room to spare).
			_, _, names := syscall.ParseDirent(w.buf[:n], -1, nil)
			return names, nil
		}
		w.buf = make([]byte, 2*len(w.buf))
	}
}

// Self reads this process's stat.
func (w *Watch) Self() (Stat, error) {
	if w.self == nil {
		f, err := os.Open("/proc/self/stat")
		if err != nil {
			return Stat{}, ErrUnsupported
		}
		w.self = f
	}
	b, err := w.read(w.self)
	if err != nil {
		return Stat{}, err
	}
	return parseStat(b)
}

// LiveChildren reads the stat and status of every child of this process
// that is alive (not a zombie) and not skipped, by pid. It keeps the files
// of those children open for the next call, and closes the others'.
func (w *Watch) LiveChildren(skip func(pid int) bool) map[int]Child {
	pids, _ := w.childPIDs()
	live := make(map[int]Child, len(pids))
	for _, pid := range pids {
		if skip(pid) {
			continue
		}
		k := w.kids[pid]
		if k == nil {
			k = openKid(pid)
			if k == nil {
				continue
			}
			w.kids[pid] = k
		}
		b, err := w.read(k.stat)
		if err != nil {
			continue
		}
		st, err := parseStat(b)
		if err != nil || st.Exited() {
			continue
		}
		var status Status
		if b, err := w.read(k.status); err == nil {
			status = parseStatus(b)
		}
		live[pid] = Child{Stat: st, Status: status}
	}
	for pid, k := range w.kids {
		if _, ok := live[pid]; !ok {
			k.close()
			delete(w.kids, pid)
		}
	}
	return live
}

func openKid(pid int) *kid {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	stat, err := os.Open(dir + "stat")
	if err != nil {
		return nil
	}
	status, err := os.Open(dir + "status")
	if err != nil {
		_ = stat.Close()
		return nil
	}
	return &kid{stat: stat, status: status}
}

func (k *kid) close() {
	_ = k.stat.Close()
	_ = k.status.Close()
}

// childPIDs lists this process's children as SelfChildren does, from each
// thread's children file, kept open while the thread lives.
func (w *Watch) childPIDs() ([]int, error) {
	tids, err := w.threads()
	if err != nil {
		return nil, ErrUnsupported
	}
	seen := make(map[string]bool, len(tids))
	var pids []int
	for i, tid := range tids {
		seen[tid] = true
		f := w.children[tid]
		if f == nil {
			f, err = os.Open("/proc/self/task/" + tid + "/children")
			if err != nil {
				if i == 0 && errors.Is(err, fs.ErrNotExist) {
					// A kernel built without the children files.
					return Children(os.Getpid())
				}
				continue
			}
			w.children[tid] = f
		}
		b, err := w.read(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(field); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	for tid, f := range w.children {
		if !seen[tid] {
			_ = f.Close()
			delete(w.children, tid)
		}
	}
	return pids, nil
}

// Close closes every file the Watch keeps open.
func (w *Watch) Close() error {
	if w.tasks != nil {
		_ = w.tasks.Close()
		w.tasks = nil
	}
	if w.self != nil {
		_ = w.self.Close()
		w.self = nil
	}
	for tid, f := range w.children {
		_ = f.Close()
		delete(w.children, tid)
	}
	for pid, k := range w.kids {
		k.close()
		delete(w.kids, pid)
	}
	return nil
}
