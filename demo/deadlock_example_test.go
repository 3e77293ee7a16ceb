package demo_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"conclab/demo"
)

// Deadlock runs its children and explains who found each hang. Its output
// depends on the platform and on how the binary was built (with cgo or
// not), so this example is not run.
func ExampleDeadlock() {
	rep, err := demo.Deadlock(context.Background(), demo.DeadlockConfig{Patience: time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = rep.Write(os.Stdout)
}

// Write explains a Deadlock report; here one with fixed figures, from a
// binary built with cgo.
func ExampleDeadlockReport_Write() {
	lock := func(id int, fn, pos string) demo.Goroutine {
		return demo.Goroutine{ID: id, State: "sync.Mutex.Lock", Frames: []demo.Frame{
			{Func: "sync.(*Mutex).Lock", Pos: "mutex.go:46"}, {Func: fn, Pos: pos}}}
	}
	wait := func(fn, pos string) []demo.Goroutine {
		return []demo.Goroutine{{ID: 1, State: "chan receive", Frames: []demo.Frame{{Func: fn, Pos: pos}}}}
	}
	rep := demo.DeadlockReport{
		Config:  demo.DeadlockConfig{Patience: time.Second},
		CanQuit: true,
		Cgo:     true,
		Inversion: demo.DeadlockRun{Quit: true, ExitCode: 2, Stacks: []demo.Goroutine{
			lock(6, "demo.lockM1ThenM2", "deadlock.go:156"), lock(7, "demo.lockM2ThenM1", "deadlock.go:167")}},
		Asleep:          demo.DeadlockRun{Quit: true, ExitCode: 2, Stacks: wait("demo.waitForNobody", "deadlock.go:179")},
		AsleepWithTimer: demo.DeadlockRun{Quit: true, ExitCode: 2, Stacks: wait("demo.waitForNobodyWithTimer", "deadlock.go:196")},
	}
	_ = rep.Write(os.Stdout)
	// Output:
	// 1. A lock-order inversion: goroutine A locks m1 then m2, goroutine B locks m2
	//    then m1, in a child process. A handshake makes both take their first lock
	//    before either tries its second.
	//    no progress 1000 ms after it should have stopped: the watchdog sent SIGQUIT,
	//    and the runtime printed every goroutine's stack and exited with status 2.
	//      | goroutine 6 [sync.Mutex.Lock]:
	//      |   sync.(*Mutex).Lock  mutex.go:46
	//      |   demo.lockM1ThenM2  deadlock.go:156
	//      | goroutine 7 [sync.Mutex.Lock]:
	//      |   sync.(*Mutex).Lock  mutex.go:46
	//      |   demo.lockM2ThenM1  deadlock.go:167
	//    Each waits in Lock for the mutex the other holds, and neither will ever
	//    unlock: the stacks name the two functions and the lines of their second Lock.
	//    The cure is one lock order for the whole program (m1 before m2, everywhere),
	//    or one lock where two were.
	//
	// 2. The main goroutine receives on a channel nobody sends on, and nothing else
	//    is alive, in a child process:
	//    no progress 1000 ms after it should have stopped: the watchdog sent SIGQUIT,
	//    and the runtime printed every goroutine's stack and exited with status 2.
	//      | goroutine 1 [chan receive]:
	//      |   demo.waitForNobody  deadlock.go:179
	//    The runtime did not call it a deadlock: this binary was built with cgo
	//    (CGO_ENABLED=1, and package net links the C resolver). In a program that can
	//    call C the runtime never does, since C code could call back into Go and wake
	//    a goroutine (golang/go#25538). Built with CGO_ENABLED=0, the same child gets
	//    Go's own "fatal error: all goroutines are asleep - deadlock!".
	//
	// 3. The same wait with one timer pending (a server always has one):
	//    no progress 1000 ms after it should have stopped: the watchdog sent SIGQUIT,
	//    and the runtime printed every goroutine's stack and exited with status 2.
	//      | goroutine 1 [chan receive]:
	//      |   demo.waitForNobodyWithTimer  deadlock.go:196
	//
	// The runtime reports "all goroutines are asleep" only when no goroutine can run
	// and nothing could wake one: no thread running Go code, in a system call or
	// waiting in the network poller, no timer pending, and no cgo. A real server always
	// has a listener in the poller, timers, a signal handler: its deadlocked goroutines
	// just stop, and the process stays up. Find them as here: a timeout that notices no
	// progress, then the goroutines' stacks (SIGQUIT, or /debug/pprof/goroutine?debug=2
	// from net/http/pprof), and look for goroutines waiting in Lock or on a channel.
}
