package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"conclab/iobound"
)

// Defaults for a zero LeakConfig.
const (
	DefaultFetchers    = 4
	DefaultParsers     = 2
	DefaultLeakRepeat  = 20 // 40 pages, and the failing one
	DefaultLeakLatency = 2 * time.Millisecond
)

// leakFaultAt is where the failing URL goes in the list: third, so that the
// pipeline is full when the consumer quits and many URLs are still to come.
const leakFaultAt = 2

// ErrUnsettled reports that a pipeline's goroutines were still running (not
// blocked) when the demonstration stopped waiting for them.
var ErrUnsettled = errors.New("demo: the pipeline's goroutines did not settle")

// LeakConfig sets up the Leak demonstration. The zero value is ready to
// use.
type LeakConfig struct {
	// Fetchers is the fan-out of the fetch stage: the leaky pipeline's
	// fetch goroutines, the fixed one's SetLimit. 0 means DefaultFetchers.
	Fetchers int
	Parsers  int // parse goroutines; 0 means DefaultParsers
	// Repeat is how many times both pages are in the list; the failing
	// URL comes third. 0 means DefaultLeakRepeat.
	Repeat  int
	Latency time.Duration // the embedded server's, per response; 0 means DefaultLeakLatency
	// Timeout bounds each request, and each wait for the pipeline's
	// goroutines to block or to end; 0 means DefaultTimeout.
	Timeout time.Duration
}

func (c LeakConfig) withDefaults() LeakConfig {
	c.Fetchers = cmpOr(c.Fetchers, DefaultFetchers)
	c.Parsers = cmpOr(c.Parsers, DefaultParsers)
	c.Repeat = cmpOr(c.Repeat, DefaultLeakRepeat)
	if c.Latency <= 0 {
		c.Latency = DefaultLeakLatency
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Blocked is a group of goroutines waiting in the same function for the
// same thing, as a goroutine profile groups them.
type Blocked struct {
	Func  string // the pipeline's function, "demo.leakyFetch"
	State string // what they wait for: "select", "sync.WaitGroup.Wait"
	Count int
}

// PipelineRun is one pipeline's run to its first error.
type PipelineRun struct {
	Err        error // what the pipeline returned: the failing URL's error
	Paragraphs int   // counted before it stopped
	// Leaked is how many of the pipeline's goroutines were still alive
	// once it had returned and each of them had blocked for good: they
	// would stay until the process exits.
	Leaked  int
	Blocked []Blocked // where the leaked goroutines wait, most first
	// Released is how many leaked goroutines the demonstration ended
	// afterwards, through a channel only it knows about.
	Released int
}

// LeakReport is the Leak demonstration.
type LeakReport struct {
	Config LeakConfig // with its defaults filled in
	URLs   int        // in the list, the failing one included
	Leaky  PipelineRun
	Fixed  PipelineRun
}

// Leak runs the downloader as a pipeline on the embedded server, with one
// URL that fails, twice: written with channels alone, whose consumer
// returns at the first error and leaves the other goroutines blocked for
// good; and with a context and errgroup, which leaves none. It counts the
// goroutines each left behind from a goroutine profile (runtime.Stack),
// then ends the leaked ones so that the caller stays clean.
func Leak(ctx context.Context, cfg LeakConfig) (LeakReport, error) {
	cfg = cfg.withDefaults()
	rep := LeakReport{Config: cfg}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("leak demonstration: %w", err)
	}
	srv, err := iobound.NewServer(iobound.Config{Latency: cfg.Latency})
	if err != nil {
		return rep, err
	}
	defer srv.Close()
	urls := srv.URLs(cfg.Repeat)
	urls = slices.Insert(urls, min(leakFaultAt, len(urls)), srv.FaultURL(iobound.FaultStatus500))
	rep.URLs = len(urls)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.Fetchers // one kept-alive connection per fetcher
	client := &http.Client{Timeout: cfg.Timeout, Transport: transport}
	defer client.CloseIdleConnections()

	leaky := []string{funcOf(leakyGenerate), funcOf(leakyFetch), funcOf(leakyParse), funcOf(leakyCloseAfter[page])}
	release := make(chan struct{})
	released := false
	defer func() {
		if !released { // an early return: end them anyway
			close(release)
		}
	}()
	rep.Leaky.Paragraphs, rep.Leaky.Err = leakySum(client, urls, cfg.Fetchers, cfg.Parsers, release)
	if rep.Leaky.Blocked, err = settled(ctx, leaky, cfg.Timeout); err != nil {
		return rep, fmt.Errorf("leaky pipeline: %w", err)
	}
	rep.Leaky.Leaked = count(rep.Leaky.Blocked)
	close(release)
	released = true
	left, err := settled(ctx, leaky, cfg.Timeout)
	if err == nil && count(left) > 0 {
		err = fmt.Errorf("%w: %d goroutines still blocked after the release", ErrUnsettled, count(left))
	}
	if err != nil {
		return rep, fmt.Errorf("leaky pipeline: %w", err)
	}
	rep.Leaky.Released = rep.Leaky.Leaked

	fixed := []string{funcOf(fixedSum), funcOf(fixedFetch), funcOf(fixedParse), funcOf(fixedSend[int])}
	rep.Fixed.Paragraphs, rep.Fixed.Err = fixedSum(ctx, client, urls, cfg.Fetchers, cfg.Parsers)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("fixed pipeline: %w", err)
	}
	if rep.Fixed.Blocked, err = settled(ctx, fixed, cfg.Timeout); err != nil {
		return rep, fmt.Errorf("fixed pipeline: %w", err)
	}
	rep.Fixed.Leaked = count(rep.Fixed.Blocked)
	return rep, nil
}

// settled waits until every goroutine with a frame in one of funcs is
// blocked in this package's code (not, say, inside net/http with a
// request in flight, which will come back), and returns them grouped by
// the innermost of funcs and what they wait for. None is settled too.
func settled(ctx context.Context, funcs []string, timeout time.Duration) ([]Blocked, error) {
	pkg := funcs[0][:strings.LastIndex(funcs[0], ".")+1]
	deadline := time.Now().Add(timeout)
	for {
		var groups []Blocked
		moving := 0
		for _, g := range allStacks() {
			f, ok := g.in(funcs...)
			if !ok {
				continue
			}
			if !blockedIn(g, pkg) {
				moving++
				continue
			}
			state, _, _ := strings.Cut(g.State, ",")
			i := slices.IndexFunc(groups, func(b Blocked) bool { return b.Func == shortFunc(f.Func) && b.State == state })
			if i < 0 {
				groups = append(groups, Blocked{Func: shortFunc(f.Func), State: state})
				i = len(groups) - 1
			}
			groups[i].Count++
		}
		if moving == 0 {
			slices.SortStableFunc(groups, func(a, b Blocked) int { return b.Count - a.Count })
			return groups, nil
		}
		if time.Now().After(deadline) {
			return groups, fmt.Errorf("%w: %d still running after %v", ErrUnsettled, moving, timeout)
		}
		select {
		case <-ctx.Done():
			return groups, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// blockedIn reports that g waits, and that the innermost of its frames
// outside the runtime and package sync is in pkg: it waits on the
// pipeline's own channels or WaitGroups, not on the network.
func blockedIn(g Goroutine, pkg string) bool {
	switch state, _, _ := strings.Cut(g.State, ","); state {
	case "running", "runnable", "syscall", "IO wait":
		return false
	}
	for _, f := range g.Frames {
		if machinery(f.Func) || strings.HasPrefix(f.Func, "sync.") {
			continue
		}
		return strings.HasPrefix(f.Func, pkg)
	}
	return false
}

func count(groups []Blocked) int {
	n := 0
	for _, b := range groups {
		n += b.Count
	}
	return n
}

// Write explains the report for a terminal.
func (r LeakReport) Write(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "The downloader as a pipeline over %d URLs: generate -> fetch (%d goroutines)\n"+
		"-> parse (%d) -> sum. URL %d fails with a 500; the sum stops at the first error.\n\n",
		r.URLs, c.Fetchers, c.Parsers, leakFaultAt+1)
	b.WriteString("1. Channels alone; the consumer returns at the first error:\n")
	writeRun(&b, r.Leaky)
	if r.Leaky.Leaked > 0 {
		b.WriteString("   Nobody told the stages upstream that the consumer had gone: each is blocked\n" +
			"   on a send (or waits for those that are) that no one will ever receive. A\n" +
			"   blocked goroutine is never collected: its stack, and the pages and\n" +
			"   connections it holds, stay until the process exits. A server that runs this\n" +
			"   per request leaks that many goroutines per failed request.\n")
	}
	if r.Leaky.Released > 0 {
		fmt.Fprintf(&b, "   (The demonstration then closed a channel that only it knows about, and the\n"+
			"   %d goroutines returned, so that this process ends clean.)\n", r.Leaky.Released)
	}
	fmt.Fprintf(&b, "\n2. context and errgroup.WithContext, the fetches limited by SetLimit(%d):\n", c.Fetchers)
	writeRun(&b, r.Fixed)
	if r.Fixed.Leaked == 0 {
		b.WriteString("   The failing fetch returned its error to the group, which cancelled the\n" +
			"   context; every request and every send watches it, so each stage returned, and\n" +
			"   Wait returned only after all of them had. Nothing to release.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRun prints what one pipeline returned and what it left behind.
func writeRun(b *strings.Builder, run PipelineRun) {
	if run.Err != nil {
		fmt.Fprintf(b, "   stopped after %d paragraphs with: %v\n", run.Paragraphs, run.Err)
	} else {
		fmt.Fprintf(b, "   counted %d paragraphs with no error\n", run.Paragraphs)
	}
	fmt.Fprintf(b, "   goroutines left behind: %d\n", run.Leaked)
	for _, g := range run.Blocked {
		fmt.Fprintf(b, "     %3d  %-28s [%s]\n", g.Count, g.Func, g.State)
	}
}
