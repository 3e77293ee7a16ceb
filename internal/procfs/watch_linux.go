//go:build linux

package procfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Watch reads this process's stat, and its children's stat and status,
// again and again, as a sampler does, keeping every file open between
// reads: reading an open /proc file again from offset 0 makes the kernel
// write it anew, and costs a fraction of opening, reading and closing it
// (some 5 µs against 25 on a sandboxed VM, where a sampler that reopened
// its dozen files every 10 ms took 5% of a core, the very cores the
// models it measures run on). A Watch is not safe for concurrent use.
type Watch struct {
	buf      []byte
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
		n, err := f.ReadAt(w.buf, 0)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if n < len(w.buf) {
			return w.buf[:n], nil
		}
		w.buf = make([]byte, 2*len(w.buf)) // the file may be longer
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
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, ErrUnsupported
	}
	seen := make(map[string]bool, len(tasks))
	var pids []int
	for i, t := range tasks {
		tid := t.Name()
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
