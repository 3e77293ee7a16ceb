package converter

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrOverloaded is returned by a RateService call that finds the service at
// its capacity: the service refused it without doing it.
var ErrOverloaded = errors.New("rate service overloaded")

// RateService stands for the remote service a rule asks for its rate: each
// call takes Latency, and the service takes at most Capacity calls at once.
// A call beyond that is refused at once with ErrOverloaded, as a service
// that sheds load answers 503 rather than queue work it cannot do (see the
// package documentation on backpressure for why it refuses rather than
// slows down). The count of calls in flight is exact: a call is admitted
// only by raising the count from below Capacity, so two calls can never
// both take the last place.
//
// A zero RateService is valid: it has no capacity limit and answers at
// once. It is safe for concurrent use and must not be copied after its
// first call.
type RateService struct {
	Capacity int           // most calls at once; 0 for no limit
	Latency  time.Duration // how long each admitted call takes

	// hold, when set, runs inside every admitted call, counted in flight:
	// tests use it to keep calls in the service while others arrive.
	hold func(ctx context.Context)

	arrived, served, overloaded, inFlight, maxInFlight atomic.Int64
}

// ServiceStats counts what a RateService did since it was made.
type ServiceStats struct {
	Calls       int64 `json:"calls"`         // calls made, admitted or not
	Served      int64 `json:"served"`        // calls admitted that ran to the end
	Overloaded  int64 `json:"overloaded"`    // calls refused at capacity
	MaxInFlight int64 `json:"max_in_flight"` // most admitted calls at once
}

// Call asks the service once. It returns ErrOverloaded (wrapped) when the
// service is full, and ctx's error when ctx ends during the call.
func (s *RateService) Call(ctx context.Context) error {
	s.arrived.Add(1)
	if err := s.admit(); err != nil {
		return err
	}
	defer s.inFlight.Add(-1)
	if s.hold != nil {
		s.hold(ctx)
	}
	if err := (Cost{Sleep: s.Latency}).pay(ctx); err != nil {
		return err
	}
	s.served.Add(1)
	return nil
}

// admit takes a place in flight, or refuses the call.
func (s *RateService) admit() error {
	for {
		n := s.inFlight.Load()
		if s.Capacity > 0 && n >= int64(s.Capacity) {
			s.overloaded.Add(1)
			return fmt.Errorf("%w: %d calls in flight, capacity %d", ErrOverloaded, n, s.Capacity)
		}
		if s.inFlight.CompareAndSwap(n, n+1) {
			for m := s.maxInFlight.Load(); n+1 > m && !s.maxInFlight.CompareAndSwap(m, n+1); m = s.maxInFlight.Load() {
			}
			return nil
		}
	}
}

// Stats returns a snapshot of the counters.
func (s *RateService) Stats() ServiceStats {
	return ServiceStats{
		Calls:       s.arrived.Load(),
		Served:      s.served.Load(),
		Overloaded:  s.overloaded.Load(),
		MaxInFlight: s.maxInFlight.Load(),
	}
}
