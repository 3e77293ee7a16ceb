package converter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnknownCost is returned by CostPreset for a name it does not know.
var ErrUnknownCost = errors.New("unknown cost preset")

// Cost is what one computation costs on top of the arithmetic, standing in
// for a rule that must ask a slow rate service. The arithmetic alone takes a
// few nanoseconds, less than taking a lock; a cache only pays when a
// computation costs far more than a lookup, and Cost lets the benchmarks
// move along that line.
//
// The zero Cost is the bare arithmetic.
type Cost struct {
	// Spin burns this many iterations of a small loop on the CPU, like a
	// computation: it occupies a core.
	Spin int `json:"spin,omitempty"`
	// Sleep waits this long, like a call to a remote service: it occupies
	// no core, only the caller (and any lock the caller holds).
	Sleep time.Duration `json:"sleep,omitempty"`
}

// Presets, by name (see CostPreset).
const (
	CostCheap     = "cheap"     // the arithmetic alone
	CostExpensive = "expensive" // several microseconds of CPU (3,000 xorshift steps)
	CostRemote    = "remote"    // a wait of at least 100 µs, like a fast network service
)

// CostPresets lists the preset names in a fixed order.
func CostPresets() []string { return []string{CostCheap, CostExpensive, CostRemote} }

// CostPreset returns the Cost called name.
func CostPreset(name string) (Cost, error) {
	switch name {
	case CostCheap:
		return Cost{}, nil
	case CostExpensive:
		return Cost{Spin: 3_000}, nil
	case CostRemote:
		return Cost{Sleep: 100 * time.Microsecond}, nil
	}
	return Cost{}, fmt.Errorf("converter: cost %q: %w (known: %s)",
		name, ErrUnknownCost, strings.Join(CostPresets(), ", "))
}

// String names the cost: a preset name when it is one, else "spin=N" and
// "sleep=D".
func (c Cost) String() string {
	for _, name := range CostPresets() {
		if p, _ := CostPreset(name); p == c {
			return name
		}
	}
	var parts []string
	if c.Spin > 0 {
		parts = append(parts, fmt.Sprintf("spin=%d", c.Spin))
	}
	if c.Sleep > 0 {
		parts = append(parts, fmt.Sprintf("sleep=%s", c.Sleep))
	}
	return strings.Join(parts, ",")
}

// pay spends the cost. A sleep ends early, with the context's error, when
// ctx is done; a spin is short and runs to the end.
func (c Cost) pay(ctx context.Context) error {
	if c.Spin > 0 {
		if spin(c.Spin) == 0 {
			// Unreachable (xorshift never reaches 0 from a non-zero
			// seed), but the compiler cannot know, so the loop stays.
			return errors.New("converter: spin reached zero")
		}
	}
	if c.Sleep > 0 {
		// A caller that has given up does not start a slow call.
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		t := time.NewTimer(c.Sleep)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// spin runs n steps of xorshift64 and returns the state.
func spin(n int) uint64 {
	x := uint64(0x9E3779B97F4A7C15)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
