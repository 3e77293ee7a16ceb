package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// pendingFile is a file written beside its destination and renamed into
// place only when complete, so that a run that stops half-way (an interrupt,
// a model that cannot run) leaves an existing file as it was, and a reader
// never sees half a picture. rename(2) within one directory is atomic.
type pendingFile struct {
	*os.File
	dest string
	mode fs.FileMode
	done bool
}

// createPending creates the temporary file in dest's directory. An existing
// dest keeps its permissions; a new one gets 0644.
func createPending(dest string) (*pendingFile, error) {
	if err := checkOutput(dest); err != nil {
		return nil, err
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(dest); err == nil {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &pendingFile{File: f, dest: dest, mode: mode}, nil
}

// commit closes the file and renames it into place.
func (p *pendingFile) commit() error {
	err := p.Chmod(p.mode)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.Name(), p.dest)
	}
	if err != nil {
		_ = os.Remove(p.Name())
		return fmt.Errorf("%s: %w", p.dest, err)
	}
	p.done = true
	return nil
}

// discard removes the temporary file unless it was committed. It may be
// called more than once.
func (p *pendingFile) discard() {
	if p.done {
		return
	}
	p.done = true
	_ = p.Close() // it is removed next: an error closing it changes nothing
	_ = os.Remove(p.Name())
}
