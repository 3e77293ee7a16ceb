package testserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// envCI is the variable CI systems set to "true" (GitHub Actions, GitLab,
// and .ci/run): there a missing server fails the test instead of skipping it.
const envCI = "CI"

// binary finds the program name, on PATH or in the directories where
// distributions put servers (/usr/sbin is not on a normal user's PATH). When
// it is missing the test skips, saying what to install, or under CI fails.
func binary(t testing.TB, name, install string) string {
	t.Helper()
	path, err := lookPath(name)
	if err == nil {
		return path
	}
	msg := name + " is not installed (" + err.Error() + "); install it with: " + install
	if missingFails(os.Getenv(envCI)) {
		t.Fatalf("testserver: %s. CI=true, so this test fails rather than skip.", msg)
	} else {
		t.Skipf("testserver: %s. Skipped; with CI=true it would fail.", msg)
	}
	return ""
}

// missingFails reports whether a missing server fails the test, given the
// value of $CI.
func missingFails(ci string) bool { return ci == "true" }

func lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", err
}
