package main

import (
	"bufio"
	"fmt"
	"os"
)

// traceFile streams trace.jsonl into the run directory being built (see
// outDir), so that an interrupted or failed run leaves no trace behind.
type traceFile struct {
	f *os.File
	w *bufio.Writer
}

func newTraceFile(path string) (*traceFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return &traceFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (t *traceFile) Write(p []byte) (int, error) { return t.w.Write(p) }

func (t *traceFile) finish() error {
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	return t.f.Close()
}

// close closes the file if finish did not (it is removed with the
// directory).
func (t *traceFile) close() { t.f.Close() }
