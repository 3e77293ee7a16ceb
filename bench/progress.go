package bench

import (
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// TerminalProgress returns a Progress that draws a bar on f while runs go on,
// or nil when f is not a terminal: piped or redirected output gets no
// progress at all.
func TerminalProgress(f *os.File) Progress {
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &barProgress{f: f}
}

// barProgress draws one progress bar per workload. It starts no goroutine of
// its own (the bar redraws when told), so it adds nothing to the goroutine
// figures.
type barProgress struct {
	f       *os.File
	bar     *progressbar.ProgressBar
	started bool // a run is under way: the next announcement completes it
}

func (p *barProgress) Start(workload string, total int) {
	p.started = false
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.f),
		progressbar.OptionSetDescription(workload),
		progressbar.OptionSetWidth(20),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(false),
	)
}

func (p *barProgress) Run(model string, run, of int, warmup bool) {
	if p.bar == nil {
		return
	}
	kind := "run"
	if warmup {
		kind = "warm-up"
	}
	p.bar.Describe(fmt.Sprintf("%-10s %s %d/%d", model, kind, run, of))
	if p.started {
		_ = p.bar.Add(1)
	}
	p.started = true
}

func (p *barProgress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
