package testserver

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

	"conclab/iobound"
)

// The site every server here serves, the same files at the same paths.
const (
	// PathBig is a page of BigBytes, about 11 KB, as the original's Jython
	// home page.
	PathBig = "/big.html"
	// PathSmall is a page of SmallBytes, a few hundred bytes, as the
	// original's dice page.
	PathSmall = "/small.html"
	// PathDir is a directory, named without its trailing slash: the server
	// answers 301 with Location PathDir + "/", whose index.html is the small
	// page.
	PathDir = "/dir"
	// PathMissing names nothing: the server answers 404.
	PathMissing = "/no-such-page.html"

	// BigBytes and SmallBytes are the sizes of the two pages, the same as
	// iobound's embedded pages: the bytes a client counts once it has
	// decoded whatever compression the server applied.
	BigBytes   = iobound.BigPageBytes
	SmallBytes = iobound.SmallPageBytes

	// pathReady serves the start's random token.
	pathReady = "/ready.txt"
)

// writeSite writes the site into dir: the two pages, their gzip'd copies
// (for servers that send precompressed files), the directory, the private
// copies and the readiness token.
func writeSite(dir, token string) error {
	big, small := page("big page", BigBytes), page("small page", SmallBytes)
	files := map[string][]byte{
		PathBig:                  big,
		PathSmall:                small,
		PathBig + ".gz":          gzipped(big),
		PathSmall + ".gz":        gzipped(small),
		PathDir + "/index.html":  small,
		NginxPrivate + PathBig:   big,
		NginxPrivate + PathSmall: small,
		pathReady:                []byte(token),
	}
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// page returns an HTML page of exactly size bytes, its lines as repetitive
// as real markup, so that gzip shrinks it about as much.
func page(title string, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body>\n", title)
	tail := "</body></html>\n"
	for line := 1; b.Len() < size-len(tail); line++ {
		fmt.Fprintf(&b, "<p class=\"line\">line %d of the %s</p>\n", line, title)
	}
	b.Truncate(size - len(tail))
	b.WriteString(tail)
	return b.Bytes()
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write(data) // a bytes.Buffer does not fail
	_ = w.Close()
	return b.Bytes()
}
