//go:build !linux

package procfs

// Watch reads nothing where there is no /proc.
type Watch struct{}

// NewWatch returns a Watch that reads nothing.
func NewWatch() *Watch { return &Watch{} }

// Self reports ErrUnsupported.
func (*Watch) Self() (Stat, error) { return Stat{}, ErrUnsupported }

// LiveChildren sees no children.
func (*Watch) LiveChildren(func(int) bool) map[int]Child { return nil }

// Close does nothing.
func (*Watch) Close() error { return nil }
