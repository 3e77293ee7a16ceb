package converter

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ErrOwner is wrapped by every conversion an OwnerClient could not get
// from its owner: the owner is gone, answered garbage, or did not answer
// within the call's deadline. It is never wrapped for an amount the rules
// refuse: those errors come back as they were (errors.Is still finds
// ErrNotStep, ErrOverflow and the rest on the client's side).
var ErrOwner = errors.New("cache owner failed")

// Defaults of the owner's protocol.
const (
	// DefaultOwnerTimeout bounds one OwnerClient.Convert, the wait for the
	// owner's computation included.
	DefaultOwnerTimeout = 5 * time.Second
	// MaxOwnerInFlight is how many calls of one connection the owner
	// computes at once; a client with more waiting has the rest queued in
	// the pipe, which is the backpressure.
	MaxOwnerInFlight = 64
)

// ownerMsg is one line of the owner's protocol, a request (ID and Points)
// or its answer (ID and Result, or Err and Code). Answers come back in
// the order they are ready, not the order asked, so the ID pairs them.
type ownerMsg struct {
	ID     uint64  `json:"id"`
	Points int64   `json:"points,omitempty"`
	Result *Result `json:"result,omitempty"`
	Err    string  `json:"err,omitempty"`
	Code   string  `json:"code,omitempty"` // the sentinel Err wraps, see ruleErrors
}

// ruleErrors are the sentinels an answer can carry across a pipe, keyed by
// the code that names them on the wire.
var ruleErrors = map[string]error{
	"negative": ErrNegative, "zero": ErrZero, "below": ErrBelowMinimum,
	"step": ErrNotStep, "above": ErrAboveMaximum, "overflow": ErrOverflow,
	"overloaded": ErrOverloaded,
}

// codeOf returns the wire code of the first sentinel err wraps, or "".
func codeOf(err error) string {
	for code, sentinel := range ruleErrors {
		if errors.Is(err, sentinel) {
			return code
		}
	}
	return ""
}

// Owner holds the one cache that several processes share: each process
// asks it over a connection (a pair of pipes, say) instead of keeping a
// cache of its own. The owner answers with a singleflight cache, so an
// amount asked by two processes at once is computed once for both, and
// Stats counts the hits, misses and computations of every process.
//
// This is the shape of every cache server (Redis is one, with a network
// in place of pipes): memory belongs to one process, so sharing it across
// processes means asking the process that owns it.
type Owner struct {
	cache   Cache
	timeout time.Duration
}

// NewOwner makes an owner that converts under rules with opts (see New;
// its cache is the singleflight kind). Give it a Capacity that holds
// every amount the processes will ask for, or an evicted amount asked
// again is computed again. Each conversion is bounded by timeout (0:
// DefaultOwnerTimeout).
func NewOwner(rules Rules, opts Options, timeout time.Duration) (*Owner, error) {
	if timeout < 0 {
		return nil, fmt.Errorf("converter: owner: negative timeout %s", timeout)
	}
	c, err := New("singleflight", rules, opts)
	if err != nil {
		return nil, err
	}
	if timeout == 0 {
		timeout = DefaultOwnerTimeout
	}
	return &Owner{cache: c, timeout: timeout}, nil
}

// Stats returns the counters of the owner's cache: every process's calls.
func (o *Owner) Stats() Stats { return o.cache.Stats() }

// Serve answers the requests read from r on w until r ends (the client
// closed its side), then waits for the answers it started; the caller
// then closes w, which tells the client that everything was answered.
// It computes at most MaxOwnerInFlight requests at once, each bounded by
// the owner's timeout. When ctx is done no new request is started; a
// caller that must stop Serve while r blocks closes r. The error is nil
// when r ended cleanly.
func (o *Owner) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	parent := ctx
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(MaxOwnerInFlight)
	var wmu sync.Mutex
	enc := json.NewEncoder(w)
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var req ownerMsg
		err := dec.Decode(&req)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			g.Wait()
			return fmt.Errorf("converter: owner: reading a request: %w", err)
		}
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			cctx, cancel := context.WithTimeout(ctx, o.timeout)
			defer cancel()
			res, err := o.cache.Convert(cctx, req.Points)
			ans := ownerMsg{ID: req.ID}
			if err != nil {
				ans.Err, ans.Code = err.Error(), codeOf(err)
			} else {
				ans.Result = &res
			}
			wmu.Lock()
			defer wmu.Unlock()
			if err := enc.Encode(ans); err != nil {
				return fmt.Errorf("converter: owner: answering: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return context.Cause(parent)
}

// OwnerClient is a Cache that asks an Owner for every conversion, over a
// reader and a writer connected to the owner's Serve. It checks amounts
// itself first (a refused amount never crosses the pipe). It is safe for
// concurrent use: calls share the connection, each waiting for its own
// answer. Its Stats count the calls it made (as Misses: it holds nothing);
// the owner's Stats say what happened to them.
type OwnerClient struct {
	rules   Rules
	timeout time.Duration
	r       io.Closer
	w       io.Closer

	wmu sync.Mutex
	enc *json.Encoder

	mu      sync.Mutex
	next    uint64
	waiting map[uint64]chan ownerMsg
	broken  error         // why the connection ended; set once, under mu
	done    chan struct{} // closed when the reader goroutine ends

	calls counter
}

// NewOwnerClient starts a client that writes requests to w and reads
// answers from r, and owns both. Each Convert is bounded by timeout (0:
// DefaultOwnerTimeout) or its context's deadline, whichever comes first.
func NewOwnerClient(r io.ReadCloser, w io.WriteCloser, rules Rules, timeout time.Duration) (*OwnerClient, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	if timeout < 0 {
		return nil, fmt.Errorf("converter: owner client: negative timeout %s", timeout)
	}
	if timeout == 0 {
		timeout = DefaultOwnerTimeout
	}
	c := &OwnerClient{
		rules: rules, timeout: timeout, r: r, w: w, enc: json.NewEncoder(w),
		waiting: make(map[uint64]chan ownerMsg), done: make(chan struct{}),
	}
	go c.read(r)
	return c, nil
}

// read hands each answer to the call waiting for it, until r ends; then it
// fails every call still waiting.
func (c *OwnerClient) read(r io.Reader) {
	defer close(c.done)
	dec := json.NewDecoder(bufio.NewReader(r))
	var err error
	for {
		var ans ownerMsg
		if err = dec.Decode(&ans); err != nil {
			break
		}
		c.mu.Lock()
		ch, ok := c.waiting[ans.ID]
		delete(c.waiting, ans.ID)
		c.mu.Unlock()
		if ok {
			ch <- ans // buffered: the caller may have left
		}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // the owner went while we may still ask
	}
	c.mu.Lock()
	c.broken = err
	for id, ch := range c.waiting {
		delete(c.waiting, id)
		close(ch)
	}
	c.mu.Unlock()
}

// Convert asks the owner for one amount.
func (c *OwnerClient) Convert(ctx context.Context, points int64) (Result, error) {
	if err := c.rules.Check(points); err != nil {
		return Result{}, err
	}
	c.calls.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	ch := make(chan ownerMsg, 1)
	c.mu.Lock()
	if c.broken != nil {
		err := c.broken
		c.mu.Unlock()
		return Result{}, c.fail(points, err)
	}
	c.next++
	id := c.next
	c.waiting[id] = ch
	c.mu.Unlock()

	c.wmu.Lock()
	err := c.enc.Encode(ownerMsg{ID: id, Points: points})
	c.wmu.Unlock()
	if err != nil {
		c.forget(id)
		return Result{}, c.fail(points, err)
	}
	select {
	case ans, ok := <-ch:
		switch {
		case !ok:
			c.mu.Lock()
			err := c.broken
			c.mu.Unlock()
			return Result{}, c.fail(points, err)
		case ans.Result != nil:
			if ans.Result.Points != points {
				return Result{}, c.fail(points, fmt.Errorf("answered for %d points", ans.Result.Points))
			}
			return *ans.Result, nil
		case ans.Code != "":
			rule, known := ruleErrors[ans.Code]
			if !known {
				return Result{}, c.fail(points, fmt.Errorf("unknown error code %q: %s", ans.Code, ans.Err))
			}
			return Result{}, fmt.Errorf("converter: %s points: owner: %s: %w", FormatPoints(points), ans.Err, rule)
		default:
			return Result{}, c.fail(points, errors.New(ans.Err))
		}
	case <-ctx.Done():
		c.forget(id)
		return Result{}, c.fail(points, context.Cause(ctx))
	}
}

func (c *OwnerClient) forget(id uint64) {
	c.mu.Lock()
	delete(c.waiting, id)
	c.mu.Unlock()
}

func (c *OwnerClient) fail(points int64, err error) error {
	return fmt.Errorf("converter: %s points: %w: %w", FormatPoints(points), ErrOwner, err)
}

// Stats counts the calls made through the client; they are all misses,
// since the client holds no result.
func (c *OwnerClient) Stats() Stats {
	return Stats{Misses: c.calls.Load()}
}

// Kind returns "owner".
func (c *OwnerClient) Kind() string { return "owner" }

// Close closes the writer, so that the owner sees the end of the requests,
// and waits until the owner has closed its side; an owner that has not
// within the client's timeout is cut off (the reader is closed) and Close
// says so. Calls still waiting fail with ErrOwner.
func (c *OwnerClient) Close() error {
	err := c.w.Close()
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	select {
	case <-c.done:
		return errors.Join(err, c.r.Close())
	case <-t.C:
		c.r.Close()
		<-c.done
		return fmt.Errorf("converter: owner client: %w: the owner did not close its side within %s", ErrOwner, c.timeout)
	}
}
