//go:build !unix

package multiproc

// withDescriptorLimit returns err: there is no RLIMIT_NOFILE to name here.
func withDescriptorLimit(err error) error { return err }
