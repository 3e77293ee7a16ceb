package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"conclab/bench"
	"conclab/internal/child"
	"conclab/iobound"
	"conclab/multiproc"
	"conclab/timeline"
)

// Each model's warm-up and measured runs happen in a fresh child process of
// compare, this binary re-executed in the isolateRole: a model run after
// another then starts with no heap, goroutines, threads or CPU time left by
// the one before (the event loop peaked at 86.7 MiB after a 2,000-worker
// pool and at 14.0 MiB when run first), and every figure of its row is its
// own. The process pool is the exception: a child may not start children
// of its own, so multiproc runs in compare itself, whose heap holds no
// other model's, and its workers are processes of their own anyway.

// isolateRole is the child role that measures one model.
const isolateRole = "compare-model"

func init() { child.Register(isolateRole, runIsolated) }

// isolateConfig is what the parent sends the child on its standard input:
// the settings the parent measures with (resolved: a subcommand such as
// demo parallel sets its own), to build the model as the parent would, the
// model and the workload.
type isolateConfig struct {
	Settings isolateSettings `json:"settings"`
	Model    string          `json:"model"`
	Workload string          `json:"workload"`
	URLs     []string        `json:"urls,omitempty"`
	Embedded bool            `json:"embedded,omitempty"`
	Latency  time.Duration   `json:"latency,omitempty"`
	Numbers  []int           `json:"numbers,omitempty"`
	// RootsPEM is the certificate of the embedded server under -tls, which
	// the child's model trusts as the parent's does.
	RootsPEM []byte `json:"roots_pem,omitempty"`
}

// isolateSettings are the options that build a model and time it.
type isolateSettings struct {
	Runs    int           `json:"runs"`
	Warmup  int           `json:"warmup"`
	Timeout time.Duration `json:"timeout"`
	BodyCap int64         `json:"body_cap"`
	Workers int           `json:"workers"`
	Procs   int           `json:"procs"`
	Conns   int           `json:"conns"`
}

func settingsOf(o options) isolateSettings {
	return isolateSettings{Runs: o.runs, Warmup: o.warmup, Timeout: o.timeout, BodyCap: o.bodyCap,
		Workers: o.workers, Procs: o.procs, Conns: o.conns}
}

func (s isolateSettings) options() options {
	return options{runs: s.Runs, warmup: s.Warmup, timeout: s.Timeout, bodyCap: s.BodyCap,
		workers: s.Workers, procs: s.Procs, conns: s.Conns}
}

// isolatedRow is what the child answers on its standard output: the row,
// with the fields the JSON report leaves out.
type isolatedRow struct {
	Result     bench.Result    `json:"result"`
	User       float64         `json:"user"`
	System     float64         `json:"system"`
	Startup    float64         `json:"startup"`
	FirstError string          `json:"first_error,omitempty"`
	Spans      []timeline.Span `json:"spans"`
	TaskNames  []string        `json:"task_names"`
}

// maxIsolateIO bounds what either side reads from the other: the URLs of
// a run, or a row with the span of each of its tasks.
const maxIsolateIO = 256 << 20

// isolator returns the runner's Isolate for one part: every model but the
// process pool is measured in a child process of its own. Its stderr is
// kept, and its last line given, should it fail.
func isolator(o options, w bench.IOWorkload, numbers []int) func(ctx context.Context, m bench.Model, workload string) (*bench.Result, error) {
	return func(ctx context.Context, m bench.Model, workload string) (*bench.Result, error) {
		if _, ok := m.(multiproc.Pool); ok {
			return nil, nil
		}
		cfg := isolateConfig{Settings: settingsOf(o), Model: m.Name(), Workload: workload, Numbers: numbers}
		tasks := len(numbers)
		if workload == bench.WorkloadIO {
			cfg.URLs, cfg.Embedded, cfg.Latency = w.URLs, w.Embedded, w.Latency
			cfg.RootsPEM = o.rootsPEM
			tasks = len(w.URLs)
		}
		// Every wait has a deadline: no run can take longer than every
		// task of it timing out one after another.
		limit := time.Duration(o.runs+o.warmup)*time.Duration(max(tasks, 1))*(o.timeout+o.latency) + time.Minute
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		return runChild(ctx, cfg)
	}
}

// runChild starts the child, sends it cfg and reads its row.
func runChild(ctx context.Context, cfg isolateConfig) (*bench.Result, error) {
	in, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("isolating %s: %w", cfg.Model, err)
	}
	cmd, err := child.Command(ctx, isolateRole, "")
	if err != nil {
		return nil, fmt.Errorf("isolating %s: %w", cfg.Model, err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 64 << 10}
	p, err := child.Start(ctx, cmd, child.Options{})
	if err != nil {
		return nil, fmt.Errorf("isolating %s: %w", cfg.Model, err)
	}
	// The config goes in while the child reads it; the row comes back once
	// its runs are over.
	go func() {
		_, _ = p.Stdin.Write(in)
		_ = p.Stdin.Close()
	}()
	out, rerr := io.ReadAll(io.LimitReader(p.Stdout, maxIsolateIO))
	werr := p.Wait()
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case werr != nil || rerr != nil:
		return nil, fmt.Errorf("%s's process (pid %d): %w%s", cfg.Model, p.PID, errors.Join(werr, rerr), lastLine(stderr.String()))
	}
	var row isolatedRow
	if err := json.Unmarshal(out, &row); err != nil {
		return nil, fmt.Errorf("%s's process (pid %d) answered %.80q: %w", cfg.Model, p.PID, out, err)
	}
	r := row.Result
	r.UserSeconds, r.SystemSeconds, r.Startup, r.FirstError = row.User, row.System, row.Startup, row.FirstError
	r.Spans, r.TaskNames = row.Spans, row.TaskNames
	return &r, nil
}

// runIsolated is the child: it builds the model from the parent's settings,
// measures it, writes its row and exits.
func runIsolated() int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "compare: %v\n", oneLine(err))
		return exitFailed
	}
	var cfg isolateConfig
	if err := json.NewDecoder(io.LimitReader(os.Stdin, maxIsolateIO)).Decode(&cfg); err != nil {
		return fail(fmt.Errorf("reading the configuration: %w", err))
	}
	o := cfg.Settings.options()
	var err error
	if cfg.RootsPEM != nil {
		if o.roots, err = iobound.CertPool(cfg.RootsPEM); err != nil {
			return fail(fmt.Errorf("the embedded server's certificate: %w", err))
		}
		o.rootsPEM = cfg.RootsPEM
	}
	var m bench.Model
	for _, s := range modelSpecs() {
		if s.name == cfg.Model {
			m = s.build(o)
		}
	}
	if m == nil {
		return fail(fmt.Errorf("no model %q", cfg.Model))
	}
	// The parent kills this process when it is interrupted; Pdeathsig,
	// when it dies.
	ctx := context.Background()
	runner := bench.Runner{Runs: o.runs, Warmup: o.warmup, ShortWarmup: true}
	var results []bench.Result
	switch cfg.Workload {
	case bench.WorkloadIO:
		var sec *bench.IOSection
		sec, err = runner.IO(ctx, []bench.Model{m}, bench.IOWorkload{URLs: cfg.URLs, Embedded: cfg.Embedded, Latency: cfg.Latency})
		if sec != nil {
			results = sec.Results
		}
	case bench.WorkloadCPU:
		var sec *bench.CPUSection
		sec, err = runner.CPU(ctx, []bench.Model{m}, cfg.Numbers)
		if sec != nil {
			results = sec.Results
		}
	default:
		err = fmt.Errorf("no workload %q", cfg.Workload)
	}
	if err == nil && len(results) != 1 {
		err = fmt.Errorf("%d rows for one model", len(results))
	}
	if err != nil {
		return fail(err)
	}
	r := results[0]
	row := isolatedRow{Result: r, User: r.UserSeconds, System: r.SystemSeconds, Startup: r.Startup,
		FirstError: r.FirstError, Spans: r.Spans, TaskNames: r.TaskNames}
	if err := json.NewEncoder(os.Stdout).Encode(row); err != nil {
		return fail(err)
	}
	return exitOK
}

// limitedBuffer keeps the first max bytes written to it and drops the rest.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(b []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

// lastLine is ": " and the last line of a child's stderr, or "" for none.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return ": " + s[strings.LastIndex(s, "\n")+1:]
}
