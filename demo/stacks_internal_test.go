package demo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fatal error's dump, then one after SIGQUIT, which adds registers,
// runtime goroutines and fp/sp/pc to every position.
const sampleDump = `fatal error: all goroutines are asleep - deadlock!

goroutine 1 [chan receive]:
conclab/demo.waitForNobody(...)
	/src/conclab/demo/deadlock.go:179
conclab/demo.runChild({0x1, 0x6}, {0x851c40, 0xc0})
	/src/conclab/demo/child.go:101 +0x2a5
main.main()
	_testmain.go:95 +0x1b

goroutine 7 [sync.Mutex.Lock, 2 minutes]:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
conclab/demo.lockM1ThenM2(0xc0, 0xc8)
	/src/conclab/demo/deadlock.go:156 +0x71
created by conclab/demo.invertLocks in goroutine 1
	/src/conclab/demo/deadlock.go:130 +0xd0

SIGQUIT: quit
PC=0x4819a1 m=0 sigcode=0

goroutine 0 gp=0x597540 m=0 mp=0x598300 [idle]:
runtime.futex(0x598458, 0x80, 0x0, 0x0, 0x0, 0x0)
	/usr/local/go/src/runtime/sys_linux_amd64.s:569 +0x21 fp=0x7fff sp=0x7ffe pc=0x4819a1

goroutine 9 gp=0xa96 m=nil [select]:
runtime.gopark(0xa9673ec20f0?, 0x0?, 0x0?, 0x0?, 0x4db2f8?)
	/usr/local/go/src/runtime/proc.go:462 +0xce fp=0xa9 sp=0xa8 pc=0x479eae
conclab/demo.leakySend[...](...)
	/src/conclab/demo/pipeline.go:150 +0x1 fp=0xa9 sp=0xa8 pc=0x1
conclab/demo.leakyFetch(0xc0, 0xc1, 0xc2, 0xc3)
	/src/conclab/demo/pipeline.go:120 +0x2 fp=0xa9 sp=0xa8 pc=0x2
...additional frames elided...
`

func TestParseStacks(t *testing.T) {
	gs := parseStacks(sampleDump)
	require.Len(t, gs, 4)
	t.Run("a plain header gives the id and the state", func(t *testing.T) {
		assert.Equal(t, 1, gs[0].ID)
		assert.Equal(t, "chan receive", gs[0].State)
		assert.Equal(t, []Frame{
			{Func: "conclab/demo.waitForNobody", Pos: "deadlock.go:179"},
			{Func: "conclab/demo.runChild", Pos: "child.go:101"},
			{Func: "main.main", Pos: "_testmain.go:95"},
		}, gs[0].Frames)
	})
	t.Run("a state keeps how long the goroutine has waited, and the creator is no frame", func(t *testing.T) {
		assert.Equal(t, "sync.Mutex.Lock, 2 minutes", gs[1].State)
		assert.Len(t, gs[1].Frames, 3)
		assert.Equal(t, "sync.(*Mutex).Lock", gs[1].Frames[1].Func)
	})
	t.Run("a SIGQUIT header and positions are read, and elisions skipped", func(t *testing.T) {
		assert.Equal(t, 0, gs[2].ID)
		assert.Equal(t, "idle", gs[2].State)
		assert.Equal(t, 9, gs[3].ID)
		assert.Equal(t, "select", gs[3].State)
		assert.Equal(t, []Frame{
			{Func: "runtime.gopark", Pos: "proc.go:462"},
			{Func: "conclab/demo.leakySend[...]", Pos: "pipeline.go:150"},
			{Func: "conclab/demo.leakyFetch", Pos: "pipeline.go:120"},
		}, gs[3].Frames)
	})
	t.Run("nothing is read from text that is no dump", func(t *testing.T) {
		assert.Empty(t, parseStacks("goroutine x [y]:\nmain.main()\n"))
		assert.Empty(t, parseStacks(""))
	})
}

func TestGoroutineIn(t *testing.T) {
	g := Goroutine{Frames: []Frame{{Func: "runtime.gopark"}, {Func: "conclab/demo.fixedFetch.func1"}, {Func: "conclab/demo.fixedSum"}}}
	f, ok := g.in("conclab/demo.fixedSum", "conclab/demo.fixedFetch")
	assert.True(t, ok)
	assert.Equal(t, "conclab/demo.fixedFetch.func1", f.Func, "the innermost, a function literal of one of them")
	_, ok = g.in("conclab/demo.fixed")
	assert.False(t, ok, "a prefix of a name is not the name")
}

func TestTrimmed(t *testing.T) {
	g := parseStacks(sampleDump)[1]
	tr := g.trimmed("conclab/demo.lockM1ThenM2")
	assert.Equal(t, 7, tr.ID)
	assert.Equal(t, []Frame{
		{Func: "sync.(*Mutex).Lock", Pos: "mutex.go:46"},
		{Func: "demo.lockM1ThenM2", Pos: "deadlock.go:156"},
	}, tr.Frames, "from the first frame outside the runtime out to the demonstration's function")
}

func TestFuncOf(t *testing.T) {
	assert.Equal(t, "conclab/demo.leakyFetch", funcOf(leakyFetch))
	assert.Equal(t, "conclab/demo.leakyCloseAfter[...]", funcOf(leakyCloseAfter[page]), "as a stack trace names a generic function")
	assert.Equal(t, "demo.leakyFetch", shortFunc(funcOf(leakyFetch)))
}

func TestAllStacksSeesThisGoroutine(t *testing.T) {
	found := false
	for _, g := range allStacks() {
		if _, ok := g.in(funcOf(TestAllStacksSeesThisGoroutine)); ok {
			found = true
			assert.Equal(t, "running", g.State)
		}
	}
	assert.True(t, found)
}
