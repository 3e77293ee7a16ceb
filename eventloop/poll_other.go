//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package eventloop

// On every other platform (Windows, Plan 9, wasm, Solaris, AIX) there is no
// poller here: New returns ErrUnsupported, and so do the model's methods.
// (Windows would need IOCP, a completion model rather than a readiness one.)
func newPoller() (poller, error) { return nil, ErrUnsupported }
