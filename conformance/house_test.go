package conformance

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"conclab/bench"
	"conclab/eventloop"
	"conclab/multiproc"
	"conclab/sequential"
	"conclab/threaded"
)

// modelPackages are the four models, which the harness must not know by
// import, nor they each other.
var modelPackages = []string{"conclab/sequential", "conclab/threaded", "conclab/eventloop", "conclab/multiproc"}

// The house: a model imports only the workloads (cpubound, iobound),
// internal packages (task names the span a result carries), the standard
// library and golang.org/x; the harness imports no model, not even through
// another package. (Go itself refuses import cycles.)
func TestTheHouseKeepsItsFloors(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the packages with")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{join .Imports \" \"}}", "conclab/...").Output()
	require.NoError(t, err, "go list")
	imports := map[string][]string{}
	standard := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		require.GreaterOrEqual(t, len(f), 2, "a go list line: %q", line)
		imports[f[0]], standard[f[0]] = f[2:], f[1] == "true"
	}
	allowed := func(p string) bool {
		return standard[p] || p == "conclab/cpubound" || p == "conclab/iobound" ||
			strings.HasPrefix(p, "conclab/internal/") || strings.HasPrefix(p, "golang.org/x/")
	}
	for _, m := range modelPackages {
		require.Contains(t, imports, m)
		for _, p := range imports[m] {
			assert.True(t, allowed(p), "%s imports %s", m, p)
		}
	}
	// Everything bench depends on, through any path.
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, q := range imports[p] {
			walk(q)
		}
	}
	walk("conclab/bench")
	require.True(t, seen["conclab/iobound"], "the walk reaches bench's dependencies")
	for _, m := range modelPackages {
		assert.False(t, seen[m], "bench depends on %s", m)
	}
}

// Every model declares its traits; the harness, the summary and the sweep
// read them instead of the model's name.
func TestEveryModelDeclaresItsTraits(t *testing.T) {
	tests := []struct {
		model        bench.Model
		processes    bool
		oneGoroutine bool
		cpuWorkers   int // given 3 tasks
	}{
		{sequential.Model{}, false, true, 1},
		{threaded.Pool{Workers: 2}, false, false, 2},
		{eventloop.Model{}, false, true, 1},
		{multiproc.Pool{Procs: 4}, true, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.model.Name(), func(t *testing.T) {
			traits, ok := tt.model.(bench.Traits)
			require.True(t, ok, "%T does not implement bench.Traits", tt.model)
			assert.Equal(t, tt.processes, traits.Processes())
			assert.Equal(t, tt.oneGoroutine, traits.OneGoroutine())
			assert.Equal(t, tt.cpuWorkers, traits.Concurrency(bench.WorkloadCPU, 3))
		})
	}
}
