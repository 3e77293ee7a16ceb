//go:build !unix

package iobound

// WithDescriptorLimit returns err: there is no RLIMIT_NOFILE to name here.
func WithDescriptorLimit(err error) error { return err }
