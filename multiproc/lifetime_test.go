package multiproc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
)

// actAsParent is the test binary's role as a parent to be killed: it serves
// requests that never finish, prints "held" to stdout as each arrives, and
// downloads two of them on a pool of two workers, which therefore wait until
// their parent is killed.
func actAsParent() int {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		_, _ = io.WriteString(os.Stdout, "held\n")
		mu.Unlock()
		<-r.Context().Done()
	}))
	defer srv.Close()
	_, err := Pool{Procs: 2}.Download(context.Background(), []string{srv.URL, srv.URL})
	fmt.Fprintf(os.Stderr, "the pool returned, but the test should have killed this process first: %v\n", err)
	return 1
}
