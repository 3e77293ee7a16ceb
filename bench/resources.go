package bench

import (
	"conclab/internal/procfs"
	"runtime"
	"time"
)

// usage is CPU time and peak memory as getrusage reports them.
type usage struct {
	user, system time.Duration
	maxRSS       int64 // bytes
}

// Resources are the figures measured over a model's measured runs.
type Resources struct {
	User, System   time.Duration // CPU time of this process and its workers
	PeakGoroutines int
	PeakThreads    int
	Processes      int   // 1 + the most worker processes alive at once
	PeakRSS        int64 // bytes: this process's peak plus its workers' peaks
}

// SampleInterval is how often the sampler looks at goroutines, threads and
// child processes while runs go on. A look reads a few /proc files, kept
// open between looks (procfs.Watch): some 120 µs on a sandboxed VM, where
// reopening them every time cost four times that, taken from the cores the
// models run on. Waking up for it costs as much again: the sampler adds
// about 1% of one core to a model's cpu_seconds.
// Worker processes that live for only part of a run (a pool started per run
// of 40 ms) are still seen a few times.
const SampleInterval = 10 * time.Millisecond

// sampler watches this process while a model runs, from one goroutine of its
// own (counted in the goroutine figure: the harness adds that one, plus
// whatever the caller runs, to every row).
type sampler struct {
	exclude  map[int]bool
	interval time.Duration
	watch    *procfs.Watch // the sampling goroutine's, until done is closed

	stop chan struct{}
	done chan struct{}

	startSelf, startChildren usage
	peakReset                bool

	// Written by the sampling goroutine only until done is closed.
	peakGoroutines, peakThreads int
	peakChildren                int
	peakChildRSS                int64
	firstCPU, lastCPU           map[int]time.Duration
	lastLive                    []childSample
}

// startSampler begins measuring. Children whose pid is in exclude (the
// embedded server's) are not the model's and are never looked at.
func startSampler(exclude map[int]bool, interval time.Duration) *sampler {
	if interval <= 0 {
		interval = SampleInterval
	}
	s := &sampler{
		exclude:  exclude,
		interval: interval,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		firstCPU: map[int]time.Duration{},
		lastCPU:  map[int]time.Duration{},
		watch:    procfs.NewWatch(),
	}
	s.peakReset = resetPeakRSS()
	s.startSelf, s.startChildren = cpuTimes()
	s.sample()
	go s.loop()
	return s
}

func (s *sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sample()
		}
	}
}

func (s *sampler) sample() {
	s.peakGoroutines = max(s.peakGoroutines, runtime.NumGoroutine())
	s.peakThreads = max(s.peakThreads, selfThreads(s.watch))
	live := liveChildren(s.watch, s.exclude)
	s.peakChildren = max(s.peakChildren, len(live))
	var rss int64
	for _, c := range live {
		if _, seen := s.firstCPU[c.pid]; !seen {
			s.firstCPU[c.pid] = c.cpu
		}
		s.lastCPU[c.pid] = c.cpu
		rss += c.hwm
	}
	s.peakChildRSS = max(s.peakChildRSS, rss)
	s.lastLive = live
}

// finish stops the sampler and returns the figures. CPU time is the getrusage
// delta of this process and of its reaped children, plus what the workers
// still alive at the end used while they were watched (they are not reaped
// yet, so getrusage does not count them).
func (s *sampler) finish() Resources {
	close(s.stop)
	<-s.done
	s.sample()
	_ = s.watch.Close()
	self, children := cpuTimes()
	r := Resources{
		User:           (self.user - s.startSelf.user) + (children.user - s.startChildren.user),
		System:         (self.system - s.startSelf.system) + (children.system - s.startChildren.system),
		PeakGoroutines: s.peakGoroutines,
		PeakThreads:    s.peakThreads,
		Processes:      1 + s.peakChildren,
	}
	// /proc gives utime+stime together; it is counted as user time, where a
	// worker spends nearly all of it.
	for _, c := range s.lastLive {
		r.User += s.lastCPU[c.pid] - s.firstCPU[c.pid]
	}
	_, hwm := selfRSS()
	r.PeakRSS = hwm + s.peakChildRSS
	return r
}
