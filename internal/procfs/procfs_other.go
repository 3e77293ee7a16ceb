//go:build !linux

package procfs

// ReadStat reports ErrUnsupported.
func ReadStat(string) (Stat, error) { return Stat{}, ErrUnsupported }

// StatOf reports ErrUnsupported.
func StatOf(int) (Stat, error) { return Stat{}, ErrUnsupported }

// SelfStat reports ErrUnsupported.
func SelfStat() (Stat, error) { return Stat{}, ErrUnsupported }

// StatusOf reports ErrUnsupported.
func StatusOf(string) (Status, error) { return Status{}, ErrUnsupported }

// Children reports ErrUnsupported.
func Children(int) ([]int, error) { return nil, ErrUnsupported }

// SelfChildren reports ErrUnsupported.
func SelfChildren() ([]int, error) { return nil, ErrUnsupported }

// Threads reports ErrUnsupported.
func Threads(int) ([]string, error) { return nil, ErrUnsupported }

// OpenFDs reports ErrUnsupported.
func OpenFDs() (int, error) { return 0, ErrUnsupported }

// ResetPeakRSS reports ErrUnsupported.
func ResetPeakRSS() error { return ErrUnsupported }

// Executables lists nothing.
func Executables(string) []int { return nil }
