package bench

import (
	"bufio"
	"os"
	"strings"
	"sync"
)

// cpuModel is the processor's name from /proc/cpuinfo (Linux), or "" where
// there is none. It is read once.
var cpuModel = sync.OnceValue(func() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return ""
})
