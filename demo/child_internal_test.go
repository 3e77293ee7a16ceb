package demo

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRunChild(t *testing.T) {
	tests := []struct {
		name       string
		spec       string
		code       int
		stdout     string // prefix of the child's standard output
		stderrPart string
	}{
		// One goroutine only: in this process a second one would be a real
		// data race, which is what children are for.
		{name: "a counter child says hello and reports its count", spec: "counter 1 10", code: 0, stdout: childHello + "\nfinal 10 "},
		{name: "a map child that wrote alone survives", spec: "mapwrites 1 1", code: 0, stdout: childHello + "\nsurvived\n"},
		{name: "a tally child on one goroutine loses nothing", spec: "nolock 1 10", code: 0, stdout: childHello + "\ntally 10 10\n"},
		{name: "a preemption child reports its timer", spec: "preempt 1000 0", code: 0, stdout: childHello + "\npreempt "},
		{name: "a request with too many numbers is refused", spec: "counter 1 2 3", code: 2, stderrPart: "counter takes 2 numbers"},
		{name: "a request with numbers it does not take is refused", spec: "asleep 1", code: 2, stderrPart: "asleep takes 0 numbers"},
		{name: "an empty request is refused", spec: "", code: 2, stderrPart: "bad request"},
		{name: "a request without its numbers is refused", spec: "counter 2", code: 2, stderrPart: "bad request"},
		{name: "a negative number is refused", spec: "counter -1 2", code: 2, stderrPart: "bad parameter"},
		{name: "an unknown demonstration is refused", spec: "deadlock 1 1", code: 2, stderrPart: "unknown demonstration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			assert.Equal(t, tt.code, runChild(tt.spec, &out, &errOut))
			assert.True(t, strings.HasPrefix(out.String(), tt.stdout), "stdout %q", out.String())
			assert.Contains(t, errOut.String(), tt.stderrPart)
		})
	}
}

func TestParseFinal(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		ok    bool
		final int64
	}{
		{name: "a report line is read", lines: []string{"final 15 1200"}, ok: true, final: 15},
		{name: "other lines are skipped", lines: []string{"noise", "final 7 3"}, ok: true, final: 7},
		{name: "a missing line is an error", lines: []string{"noise"}},
		{name: "a garbled count is an error", lines: []string{"final x 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CounterResult{Expected: 20}
			assert.Equal(t, tt.ok, parseFinal(tt.lines, &r))
			if tt.ok {
				assert.Equal(t, tt.final, r.Final)
				assert.Equal(t, 20-tt.final, r.Lost)
			}
		})
	}
}

func TestCapped(t *testing.T) {
	c := &capped{max: 5}
	n, err := c.Write([]byte("abc"))
	assert.NoError(t, err)
	assert.Equal(t, 3, n)
	n, err = c.Write([]byte("defgh"))
	assert.NoError(t, err)
	assert.Equal(t, 5, n, "a capped writer reports every byte written, kept or not")
	assert.Equal(t, "abcde", c.String())
}

func TestLineWatch(t *testing.T) {
	armed := 0
	w := &lineWatch{line: "ready", armed: func() { armed++ }}
	for _, chunk := range []string{childHello + "\nrea", "dy", "\nready\n", "more\n"} {
		n, err := w.Write([]byte(chunk))
		assert.NoError(t, err)
		assert.Equal(t, len(chunk), n)
	}
	assert.Equal(t, 1, armed, "armed once, by a whole line split across writes")
	assert.Equal(t, childHello+"\nready\nready\nmore\n", w.buf.String(), "everything is kept")

	quiet := &lineWatch{line: "ready", armed: func() { armed++ }}
	_, _ = quiet.Write([]byte(childHello + "\nalready there\nready?\n"))
	assert.Equal(t, 1, armed, "part of a line does not arm it")
}

func TestFatalError(t *testing.T) {
	tests := []struct {
		name, stderr, want string
	}{
		{name: "the runtime's line is found after other output", stderr: "noise\nfatal error: concurrent map writes\n\ngoroutine 7 [running]:\n",
			want: "fatal error: concurrent map writes"},
		{name: "a race report run into the line is cut off", stderr: "fatal error: concurrent map writes==================\nWARNING: DATA RACE\n",
			want: "fatal error: concurrent map writes"},
		{name: "no fatal error is none", stderr: "WARNING: DATA RACE\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, fatalError(tt.stderr))
		})
	}
}
