// Package procfs reads what the suite needs from Linux's /proc: a
// process's state, parent, CPU time and threads (/proc/PID/stat), its
// resident set and peak (/proc/PID/status), its children and its open
// descriptors. The harness samples with it and tests check processes with
// it. Elsewhere every function reports ErrUnsupported.
package procfs
