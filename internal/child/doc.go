// Package child runs this same binary again as a child process in a named
// role: the embedded HTTP server of iobound, a multiproc worker, a demo's
// child. It is the one place that knows how a Go program re-executes
// itself safely:
//
//   - Roles. A package registers what a role does with [Register], from its
//     init function. One environment variable, [RoleEnv], tells a process
//     which role it was started in, and [RunIfChild], called first thing in
//     main and in every TestMain, runs that role and exits. In the parent it
//     returns at once.
//   - Start-up. [Command] builds the command; [Start] forks it, one fork at
//     a time and none once the caller's context is done, with both ends of
//     every pipe closed on every failure path.
//   - Death with the parent. On Linux a child gets SIGKILL when its parent
//     dies (Pdeathsig), however the parent dies. The kernel sends it when the
//     THREAD that forked exits, not the process, and the Go runtime ends a
//     thread when a goroutine exits while locked to it. So every fork
//     happens on one keeper goroutine locked to its thread, which lives as
//     long as any child does.
//   - The handshake. A child announces itself with one JSON line on its
//     standard output ([Announce]); the parent reads it with a deadline
//     ([Process.Handshake]). A binary whose main forgot RunIfChild never
//     sends it, and the parent says so instead of hanging.
//   - Standard error. [LineWriter] passes a child's log lines through, each
//     prefixed with the child's name, whole lines only.
//   - Quiet pipes. [Quiet] reads and writes a pipe without waking the
//     runtime's monitor thread, which would otherwise take a core from the
//     processes that compute each time one waiting on them wakes.
package child
