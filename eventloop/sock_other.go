//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package eventloop

import "net/netip"

// Without a poller there is no client either; New fails first with
// ErrUnsupported, so these are never reached.

func sockDial(netip.AddrPort) (int, bool, error) { return -1, false, ErrUnsupported }
func sockError(int) error                        { return ErrUnsupported }
func sockRead(int, []byte) (int, error)          { return 0, ErrUnsupported }
func sockWrite(int, []byte) (int, error)         { return 0, ErrUnsupported }
func sockClose(int) error                        { return ErrUnsupported }
func wouldBlock(error) bool                      { return false }
func outOfDescriptors(error) bool                { return false }
func descriptorLimit() uint64                    { return 0 }
