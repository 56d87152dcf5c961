package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/coinai/coinai/scenarios/results"
)

// traceFile streams trace.jsonl to a temporary file beside the run
// directory; it is moved into the directory when the run is written, so
// that the directory appears whole or not at all.
type traceFile struct {
	f *os.File
	w *bufio.Writer
}

func newTraceFile(dir string) (*traceFile, error) {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	f, err := os.CreateTemp(parent, ".trace-*.jsonl")
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

func (t *traceFile) discard() { t.f.Close(); os.Remove(t.f.Name()) }

// writeRun writes the run directory atomically, moving the trace in.
func writeRun(dir string, files map[string][]byte, trace *traceFile) error {
	if trace == nil {
		return results.WriteDir(dir, files)
	}
	delete(files, "trace.jsonl")
	return results.WriteDirWith(dir, files, map[string]string{"trace.jsonl": trace.f.Name()})
}
