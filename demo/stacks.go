package demo

import (
	"path"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Goroutine is one goroutine of a stack dump, in the text format the
// runtime prints for a panic, a fatal error, SIGQUIT or runtime.Stack.
type Goroutine struct {
	ID     int
	State  string  // what it waits for: "chan send", "sync.Mutex.Lock", "select, 2 minutes"
	Frames []Frame // innermost first
}

// Frame is one call on a goroutine's stack.
type Frame struct {
	Func string // "conclab/demo.lockInOrder", "sync.(*Mutex).Lock"
	Pos  string // "deadlock.go:81": the file's base name and the line
}

// parseStacks reads every goroutine of a stack dump and skips whatever
// else the dump holds (a fatal error's message, SIGQUIT's registers). Both
// header forms are read: "goroutine 7 [chan send]:" and, after SIGQUIT,
// "goroutine 7 gp=0x... m=nil [chan send]:".
func parseStacks(dump string) []Goroutine {
	var all []Goroutine
	var cur *Goroutine
	for _, line := range strings.Split(dump, "\n") {
		switch {
		case strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, "]:"):
			g, ok := parseHeader(line)
			if !ok {
				cur = nil
				continue
			}
			all = append(all, g)
			cur = &all[len(all)-1]
		case cur == nil:
		case strings.TrimSpace(line) == "":
			cur = nil
		case strings.HasPrefix(line, "\t"):
			if n := len(cur.Frames); n > 0 && cur.Frames[n-1].Pos == "" {
				cur.Frames[n-1].Pos = framePos(line)
			}
		case strings.HasPrefix(line, "created by "), strings.HasPrefix(line, "..."):
			// The creator is not a frame of this goroutine; an elision
			// marker ("...N frames elided...") is not a call.
		default:
			cur.Frames = append(cur.Frames, Frame{Func: funcName(line)})
		}
	}
	return all
}

// parseHeader reads "goroutine ID [...extra...] [STATE]:".
func parseHeader(line string) (Goroutine, bool) {
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return Goroutine{}, false
	}
	id, err := strconv.Atoi(fields[1])
	open := strings.LastIndex(line, " [")
	if err != nil || open < 0 {
		return Goroutine{}, false
	}
	return Goroutine{ID: id, State: line[open+2 : len(line)-2]}, true
}

// funcName strips a frame line's arguments: "pkg.(*T).m(0x1, ...)" is
// "pkg.(*T).m". The arguments are the last parenthesised group.
func funcName(line string) string {
	if strings.HasSuffix(line, ")") {
		if i := strings.LastIndex(line, "("); i > 0 {
			return line[:i]
		}
	}
	return line
}

// framePos turns "\t/src/demo/deadlock.go:81 +0x71 fp=..." into
// "deadlock.go:81": the directory is the machine's, not the lesson's.
func framePos(line string) string {
	file, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	return path.Base(file)
}

// funcOf is the name the runtime gives fn in a stack trace. Names found
// this way stay right when a function or the package is renamed, where a
// string in a filter would silently match nothing.
func funcOf(fn any) string {
	return runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
}

// in returns the innermost frame in one of funcs, or in a function literal
// of one of them (fn.func1, fn.gowrap2), and whether there is one.
func (g Goroutine) in(funcs ...string) (Frame, bool) {
	for _, f := range g.Frames {
		for _, fn := range funcs {
			if f.Func == fn || strings.HasPrefix(f.Func, fn+".") {
				return f, true
			}
		}
	}
	return Frame{}, false
}

// allStacks is this process's goroutines, as runtime.Stack prints them.
func allStacks() []Goroutine {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return parseStacks(string(buf[:n]))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// shortFunc drops the import path but keeps the package name:
// "conclab/demo.(*T).m" is "demo.(*T).m", "sync.(*Mutex).Lock" stays.
func shortFunc(name string) string { return name[strings.LastIndex(name, "/")+1:] }

// machinery reports a frame of the runtime or of an internal package:
// where a goroutine waits, not why.
func machinery(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/")
}

// trimmed keeps the frames that say why g waits: from the innermost frame
// outside the runtime's machinery out to the first frame in one of funcs,
// with short names. Frames further out (the child's dispatch, main) are
// the same in every stack and say nothing.
func (g Goroutine) trimmed(funcs ...string) Goroutine {
	out := Goroutine{ID: g.ID, State: g.State}
	for _, f := range g.Frames {
		if machinery(f.Func) && len(out.Frames) == 0 {
			continue
		}
		out.Frames = append(out.Frames, Frame{Func: shortFunc(f.Func), Pos: f.Pos})
		if slices.Contains(funcs, f.Func) {
			break
		}
	}
	return out
}
