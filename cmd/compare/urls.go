package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"conclab/internal/units"
	"conclab/iobound"
)

// parseURLs reads -urls: a comma-separated list, or @FILE for a file of one
// URL a line (a command line holds only about 4,000 of them). Each needs an
// http or https scheme and a host; at most maxTasks are read.
func parseURLs(value string) ([]string, error) {
	if path, ok := strings.CutPrefix(value, "@"); ok {
		return readURLFile(path)
	}
	var out []string
	for _, s := range strings.Split(value, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if err := checkURL(s); err != nil {
			return nil, usagef("-urls: %v", err)
		}
		if len(out) == maxTasks {
			return nil, usagef("-urls: more than %s URLs", units.Thousands(maxTasks))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, usagef("-urls: no URL given")
	}
	return out, nil
}

// readURLFile reads a URL list: one URL a line; blank lines and lines that
// start with # are skipped. A line longer than maxURLLine bytes, or more
// than maxTasks URLs, is an error, so that a wrong file (a disk image, a
// log) is refused before it is read whole.
func readURLFile(path string) ([]string, error) {
	fail := func(format string, args ...any) error {
		return usagef("-urls @%s: %s", path, fmt.Sprintf(format, args...))
	}
	if path == "" {
		return nil, usagef("-urls @: name a file after the @")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail("%v", unwrapPath(err))
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxURLLine+1) // +1 for the newline
	var out []string
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if err := checkURL(s); err != nil {
			return nil, fail("line %d: %v", line, err)
		}
		if len(out) == maxTasks {
			return nil, fail("more than %s URLs", units.Thousands(maxTasks))
		}
		out = append(out, s)
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return nil, fail("line %d: longer than %d bytes", line+1, maxURLLine)
	case err != nil:
		return nil, fail("%v", unwrapPath(err))
	}
	if len(out) == 0 {
		return nil, fail("no URL in the file (blank lines and # comments are skipped)")
	}
	return out, nil
}

// checkURL accepts an http or https URL with a host. The URL is printed
// with its password redacted.
func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", iobound.Redact(s))
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: the scheme must be http or https", iobound.Redact(s))
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host", iobound.Redact(s))
	}
	return nil
}

// unwrapPath drops the *PathError's repetition of the path the message
// already names: "open x: no such file" becomes "no such file".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
