package converter

import (
	"bufio"
	"cmp"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
	"golang.org/x/sync/errgroup"

	"conclab/internal/child"
)

// How the processes of a ProcsConfig share results.
const (
	// SharePerProcess gives each process a cache of its own (the locked
	// kind), as the seed's dict-and-Lock code does under multiprocessing:
	// the lock is correct, and guards memory no other process sees.
	SharePerProcess = "per-process"
	// ShareOwner keeps one cache in the owner process (the one that
	// started the workers), which answers every worker's lookups over its
	// pipes with a singleflight cache (see Owner).
	ShareOwner = "owner"
	// ShareRedis keeps the results in a Redis server (see NewRedis): the
	// way to share when the workers run on several machines.
	ShareRedis = "redis"
)

// ErrUnknownShare is returned for a Share that is none of the above.
var ErrUnknownShare = errors.New("unknown way of sharing")

// Shares lists the ways of sharing in the order a table shows them.
func Shares() []string { return []string{SharePerProcess, ShareOwner, ShareRedis} }

// Limits and defaults of a ProcsConfig.
const (
	DefaultProcs = 4
	MaxProcs     = 64
	// DefaultProcsDeadline bounds a whole RunProcs, start-up included.
	DefaultProcsDeadline = 2 * time.Minute
	// workerStartup bounds a worker's start: from the fork to its
	// announcement that its cache is ready.
	workerStartup = 30 * time.Second
)

// ProcsConfig describes one load spread over worker processes: Procs
// processes, each running Load with Load.Goroutines goroutines, make
// Load.Ops calls in all, on the same Load.Keys amounts. Process i draws
// its goroutines' amounts from seeds of its own, so the processes ask for
// the same popular amounts in different orders, as independent workers
// would.
type ProcsConfig struct {
	Share string     // required: one of Shares
	Procs int        // DefaultProcs
	Load  LoadConfig // Kind is ignored; CacheURL is required for ShareRedis
	// Timeout bounds each conversion (0: DefaultOwnerTimeout), a wait for
	// the owner's or another process's computation included.
	Timeout time.Duration
	// Deadline bounds the whole run (0: DefaultProcsDeadline): a worker
	// still running then is killed, and the run fails.
	Deadline time.Duration
}

// ProcsResult is what a load across processes measured.
type ProcsResult struct {
	Share      string  `json:"share"`
	Procs      int     `json:"procs"`
	Goroutines int     `json:"goroutines"` // per process
	Cost       string  `json:"cost"`
	Ops        int64   `json:"ops"`     // calls in all
	Seconds    float64 `json:"seconds"` // the slowest process's load
	// OpsPerSecond is Ops over Seconds.
	OpsPerSecond float64 `json:"ops_per_second"`
	HitRatio     float64 `json:"hit_ratio"`
	Hits         int64   `json:"hits"`
	Misses       int64   `json:"misses"`
	// Computations counts the rules run in every process (or in the
	// owner); Distinct the different amounts among them. Their
	// difference, Repeated, is work that sharing would have saved: zero
	// when each amount is computed exactly once across all processes.
	Computations int64 `json:"computations"`
	Distinct     int64 `json:"distinct"`
	Repeated     int64 `json:"repeated"`
	// Failed counts the calls that returned an error (a shared cache that
	// went away, say); Error is the first of those errors. Wrong counts
	// the results that differ from what the rules give: always zero.
	Failed int64  `json:"failed"`
	Wrong  int64  `json:"wrong"`
	Error  string `json:"error,omitempty"`
}

// withDefaults checks cfg and fills in its defaults.
func (cfg ProcsConfig) withDefaults() (ProcsConfig, error) {
	if cfg.Procs == 0 {
		cfg.Procs = DefaultProcs
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultOwnerTimeout)
	cfg.Deadline = cmp.Or(cfg.Deadline, DefaultProcsDeadline)
	if !slices.Contains(Shares(), cfg.Share) {
		return cfg, fmt.Errorf("converter: processes: %q: %w (known: %s)",
			cfg.Share, ErrUnknownShare, strings.Join(Shares(), ", "))
	}
	switch {
	case cfg.Procs < 0 || cfg.Procs > MaxProcs:
		return cfg, fmt.Errorf("converter: processes: %d processes: must be between 1 and %d", cfg.Procs, MaxProcs)
	case cfg.Timeout < 0 || cfg.Deadline < 0:
		return cfg, fmt.Errorf("converter: processes: negative timeout %s or deadline %s", cfg.Timeout, cfg.Deadline)
	case cfg.Share == ShareRedis && cfg.Load.CacheURL == "":
		return cfg, fmt.Errorf("converter: processes: sharing through redis needs a cache URL")
	}
	load, err := cfg.Load.withDefaults()
	if err != nil {
		return cfg, err
	}
	cfg.Load = load
	return cfg, nil
}

// procJob is what the owner sends a worker: its part of the load.
type procJob struct {
	Share   string        `json:"share"`
	Load    LoadConfig    `json:"load"`
	Timeout time.Duration `json:"timeout"`
}

// procReport is what a worker sends back: its load's figures and the
// amounts it computed (none when the owner computes).
type procReport struct {
	Load     LoadResult `json:"load"`
	Computed []int64    `json:"computed,omitempty"`
	Failed   int64      `json:"failed"`
	Wrong    int64      `json:"wrong"`
	Error    string     `json:"error,omitempty"` // the first failed call's, or why the worker could not run
}

// jobs splits cfg into one job per process.
func (cfg ProcsConfig) jobs() []procJob {
	jobs := make([]procJob, cfg.Procs)
	for i := range jobs {
		load := cfg.Load
		load.Ops = cfg.Load.Ops / cfg.Procs
		if i < cfg.Load.Ops%cfg.Procs {
			load.Ops++
		}
		load.Seed = cfg.Load.Seed + int64(i*cfg.Load.Goroutines)
		load.Kind = "locked"
		if cfg.Share != SharePerProcess {
			load.Kind = cfg.Share
		}
		jobs[i] = procJob{Share: cfg.Share, Load: load, Timeout: cfg.Timeout}
	}
	return jobs
}

// runJob runs one worker's job. In ShareOwner the conversions are asked
// over r and w, the worker's ends of the pipes to the owner. ready, when
// not nil, is called once the cache is made, and the load starts when it
// returns. A failed call is counted and the load goes on; every result is
// checked against the rules. The error is for a job that could not run.
func runJob(ctx context.Context, job procJob, r io.ReadCloser, w io.WriteCloser, ready func() error) (procReport, error) {
	cfg, err := job.Load.withDefaults()
	if err != nil {
		return procReport{}, err
	}
	var (
		mu  sync.Mutex
		rep procReport
	)
	opts := Options{Cost: cfg.Cost, Capacity: cfg.Capacity, Shards: cfg.Shards,
		OnCompute: func(_ context.Context, p int64) {
			mu.Lock()
			rep.Computed = append(rep.Computed, p)
			mu.Unlock()
		}}
	var cache Cache
	switch job.Share {
	case SharePerProcess:
		cache, err = New(cfg.Kind, *cfg.Rules, opts)
	case ShareOwner:
		cache, err = NewOwnerClient(r, w, *cfg.Rules, job.Timeout)
	case ShareRedis:
		cache, err = NewRedis(ctx, cfg.CacheURL, *cfg.Rules,
			RedisOptions{Options: opts, Namespace: cfg.Namespace, Timeout: job.Timeout})
	default:
		err = fmt.Errorf("converter: processes: %q: %w", job.Share, ErrUnknownShare)
	}
	if err != nil {
		return procReport{}, err
	}
	if ready != nil {
		err = ready()
	}
	var res LoadResult
	if err == nil {
		res, err = runLoadOn(ctx, cfg, &giveUp{Cache: cache}, func(p int64, got Result, err error) error {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if rep.Failed++; rep.Error == "" {
					rep.Error = err.Error()
				}
				return nil
			}
			if want, werr := cfg.Rules.Convert(p); werr != nil || want != got {
				rep.Wrong++
			}
			return nil
		})
	}
	if c, ok := cache.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	if err != nil {
		return procReport{}, err
	}
	mu.Lock()
	defer mu.Unlock()
	rep.Load = res
	return rep, nil
}

// giveUp is a Cache that stops asking a shared cache (Redis, or the
// owner) once a call to it failed: the later calls fail at once with the
// first failure, instead of each waiting for its own. A worker whose
// server went away thus finishes its run in moments, every failed call
// counted and saying why. It is a circuit breaker that never closes again;
// a long-lived service would try the server again after a pause.
type giveUp struct {
	Cache
	mu  sync.Mutex
	err error
}

func (g *giveUp) Convert(ctx context.Context, points int64) (Result, error) {
	g.mu.Lock()
	broken := g.err
	g.mu.Unlock()
	if broken != nil {
		return Result{}, fmt.Errorf("converter: %s points: not asked, since an earlier call failed: %w", FormatPoints(points), broken)
	}
	r, err := g.Cache.Convert(ctx, points)
	if errors.Is(err, ErrSharedCache) || errors.Is(err, ErrOwner) {
		g.mu.Lock()
		g.err = cmp.Or(g.err, err)
		g.mu.Unlock()
	}
	return r, err
}

// summarize adds the workers' reports up; owner is the owner's counters in
// ShareOwner, nil otherwise.
func summarize(cfg ProcsConfig, reports []procReport, owner *Stats) ProcsResult {
	res := ProcsResult{Share: cfg.Share, Procs: cfg.Procs, Goroutines: cfg.Load.Goroutines, Cost: cfg.Load.Cost.String()}
	distinct := make(map[int64]struct{})
	for _, r := range reports {
		res.Ops += r.Load.Ops
		res.Seconds = max(res.Seconds, r.Load.Seconds)
		res.Hits += r.Load.Hits
		res.Misses += r.Load.Misses
		res.Computations += r.Load.Computations
		res.Failed += r.Failed
		res.Wrong += r.Wrong
		res.Error = cmp.Or(res.Error, r.Error)
		for _, p := range r.Computed {
			distinct[p] = struct{}{}
		}
	}
	res.Distinct = int64(len(distinct))
	if owner != nil {
		res.Hits, res.Misses = owner.Hits, owner.Misses
		res.Computations, res.Distinct = owner.Computations, int64(owner.Entries)
	}
	res.Repeated = res.Computations - res.Distinct
	if res.Hits+res.Misses > 0 {
		res.HitRatio = float64(res.Hits) / float64(res.Hits+res.Misses)
	}
	if res.Seconds > 0 {
		res.OpsPerSecond = float64(res.Ops) / res.Seconds
	}
	return res
}

// workerRole is the child-process role of a worker of RunProcs.
const workerRole = "converter-worker"

func init() { child.Register(workerRole, workerMain) }

// The owner's pipes in a worker: it reads answers on fd 3 and writes
// requests on fd 4 (exec.Cmd.ExtraFiles 0 and 1).
const (
	answersFD  = 3
	requestsFD = 4
)

// workerReady is a worker's announcement: its cache is made.
type workerReady struct {
	Ready bool `json:"ready"`
}

// workerMain is a worker process: it reads its job from the child
// configuration, makes its cache, announces itself on stdout, waits for
// the start line on stdin, runs the load and writes its report on stdout.
// A job that cannot run is reported too, with its error; the status is
// not 0 only when the report could not be written.
func workerMain() int {
	// go-redis logs every failed dial to stderr; the report carries the errors.
	redis.SetLogger(&logging.VoidLogger{})
	var job procJob
	if err := json.Unmarshal([]byte(child.Config()), &job); err != nil {
		fmt.Fprintf(os.Stderr, "converter worker: reading the job: %v\n", err)
		return 2
	}
	var r, w *os.File
	if job.Share == ShareOwner {
		r, w = os.NewFile(answersFD, "owner answers"), os.NewFile(requestsFD, "owner requests")
	}
	announced := false
	ready := func() error {
		announced = true
		if err := child.Announce(os.Stdout, workerReady{Ready: true}); err != nil {
			return err
		}
		// The parent writes the start line once every worker is ready, or
		// closes the pipe; it kills a worker that outlives its deadline.
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			return fmt.Errorf("converter worker: waiting for the start: %w", err)
		}
		return nil
	}
	rep, err := runJob(context.Background(), job, r, w, ready)
	if err != nil {
		if !announced {
			// The parent reads an announcement, then writes the start
			// line, before it reads the report.
			_ = ready()
		}
		rep = procReport{Load: LoadResult{Cache: job.Load.Kind, Ops: int64(job.Load.Ops)},
			Failed: int64(job.Load.Ops), Error: err.Error()}
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintf(os.Stderr, "converter worker: writing the report: %v\n", err)
		return 1
	}
	return 0
}

// worker is a started worker process, seen from the parent.
type worker struct {
	proc  *child.Process
	serve func() error // waits for the owner's Serve on this worker's pipes; nil without an owner
}

// RunProcs runs cfg's load in cfg.Procs worker processes, this program
// started again through the child-process layer (main and TestMain must
// call child.RunIfChild), and adds their figures up. The workers start
// together, once every one has made its cache. In ShareOwner this process
// is the owner: it answers every worker over a pair of pipes of its own
// (the worker's file descriptors 3 and 4), so that the workers' standard
// output carries only their announcement and report. A conversion that
// fails is counted in Failed, the load going on; the error is for a run
// that could not complete (a worker that could not start or did not
// report within the deadline, or ctx ending).
func RunProcs(ctx context.Context, cfg ProcsConfig) (ProcsResult, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return ProcsResult{}, err
	}
	if cfg.Share == ShareRedis && cfg.Load.Namespace == "" {
		cfg.Load.Namespace = DefaultRedisNamespace + ":procs:" + crand.Text() // each run starts cold
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()
	var owner *Owner
	if cfg.Share == ShareOwner {
		owner, err = NewOwner(*cfg.Load.Rules, Options{Cost: cfg.Load.Cost, Capacity: max(cfg.Load.Keys, 1)}, cfg.Timeout)
		if err != nil {
			return ProcsResult{}, err
		}
	}
	var workers []*worker
	defer func() {
		for _, w := range workers {
			_ = w.proc.Kill() // a no-op for a worker already waited for
			if w.serve != nil {
				_ = w.serve()
			}
		}
	}()
	for i, job := range cfg.jobs() {
		w, err := startWorker(ctx, job, owner)
		if err != nil {
			return ProcsResult{}, fmt.Errorf("converter: processes: worker %d: %w", i, err)
		}
		workers = append(workers, w)
	}
	for i, w := range workers {
		var ann workerReady
		if err := w.proc.Handshake(ctx, workerStartup, &ann); err != nil {
			return ProcsResult{}, fmt.Errorf("converter: processes: worker %d: %w", i, err)
		}
	}
	for i, w := range workers {
		if _, err := io.WriteString(w.proc.Stdin, "go\n"); err != nil {
			return ProcsResult{}, fmt.Errorf("converter: processes: starting worker %d: %w", i, err)
		}
	}
	reports := make([]procReport, len(workers))
	var g errgroup.Group
	for i, w := range workers {
		g.Go(func() error {
			rep, err := w.report(ctx)
			if err != nil {
				return fmt.Errorf("converter: processes: worker %d: %w", i, err)
			}
			reports[i] = rep
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return ProcsResult{}, err
	}
	var st *Stats
	if owner != nil {
		s := owner.Stats()
		st = &s
	}
	return summarize(cfg, reports, st), nil
}

// startWorker starts a worker for job; with an owner, it connects the
// worker's fds 3 and 4 to a Serve of the owner's.
func startWorker(ctx context.Context, job procJob, owner *Owner) (*worker, error) {
	config, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("encoding the job: %w", err)
	}
	cmd, err := child.Command(ctx, workerRole, string(config))
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = time.Second
	var theirs, ours []*os.File
	closeAll := func(files []*os.File) {
		for _, f := range files {
			_ = f.Close()
		}
	}
	if owner != nil {
		ansR, ansW, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("answers pipe: %w", err)
		}
		reqR, reqW, err := os.Pipe()
		if err != nil {
			closeAll([]*os.File{ansR, ansW})
			return nil, fmt.Errorf("requests pipe: %w", err)
		}
		theirs, ours = []*os.File{ansR, reqW}, []*os.File{reqR, ansW}
		cmd.ExtraFiles = theirs // fds 3 and 4
	}
	p, err := child.Start(ctx, cmd, child.Options{})
	closeAll(theirs) // the worker has its copies, or none
	if err != nil {
		closeAll(ours)
		return nil, err
	}
	w := &worker{proc: p}
	if owner != nil {
		reqR, ansW := ours[0], ours[1]
		done := make(chan error, 1)
		go func() {
			// Serve ends when the worker closes its requests pipe, or
			// exits; closing the answers then tells it all were answered.
			err := owner.Serve(ctx, reqR, ansW)
			closeAll(ours)
			done <- err
		}()
		var once sync.Once
		var serr error
		w.serve = func() error {
			once.Do(func() { serr = <-done })
			return serr
		}
	}
	return w, nil
}

// report reads the worker's report, with the run's deadline, and waits for
// the worker and its owner's Serve.
func (w *worker) report(ctx context.Context) (procReport, error) {
	deadline, _ := ctx.Deadline()
	_ = w.proc.Stdout.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = w.proc.Stdout.SetReadDeadline(time.Now()) })
	var rep procReport
	err := json.NewDecoder(w.proc.Stdout).Decode(&rep)
	stop()
	if err != nil {
		_ = w.proc.Kill()
		if ctx.Err() != nil {
			return rep, fmt.Errorf("no report: %w", context.Cause(ctx))
		}
		return rep, fmt.Errorf("reading the report: %w", err)
	}
	_ = w.proc.Stdin.Close()
	if err := w.proc.Wait(); err != nil {
		return rep, fmt.Errorf("pid %d: %w", w.proc.PID, err)
	}
	if w.serve != nil {
		if err := w.serve(); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
