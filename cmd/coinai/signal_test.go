package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the coinai command, for tests that
// signal a separate process.
func TestMain(m *testing.M) {
	if os.Getenv("COINAI_TEST_MAIN") == "1" {
		signalAt(os.Getenv("COINAI_TEST_SIGNAL_AT"))
		main()
		return
	}
	os.Exit(m.Run())
}

// A signal in the middle of `coinai run` stops it with 128 + the signal's
// number, and leaves no temporary file (the trace was an 18 MB hidden
// orphan) and no directory that looks complete; a previous run being
// replaced with --force is left as it was.
func TestSignalStopsRunCleanly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		code  int
		force bool
	}{
		{"SIGINT", syscall.SIGINT, 130, false},
		{"SIGTERM", syscall.SIGTERM, 143, false},
		{"SIGINT replacing a run", syscall.SIGINT, 130, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "run")
			var before map[string]string
			args := []string{"run", quick, "--out", out, "--trace",
				// Far more events than the test waits for.
				"--set", "run.max_events=2000000000", "--set", "run.stop_height=0"}
			if tc.force {
				mustRun(t, "run", quick, "--out", out, "--no-report", "--quiet")
				before = snapshot(t, root)
				args = append(args, "--force")
			}
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), "COINAI_TEST_MAIN=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Wait until the run is well under way: its trace has grown.
			deadline := time.Now().Add(60 * time.Second)
			for {
				traces, _ := filepath.Glob(filepath.Join(root, ".run.tmp-*", "trace.jsonl"))
				if len(traces) == 1 {
					if st, err := os.Stat(traces[0]); err == nil && st.Size() > 1<<20 {
						break
					}
				}
				select {
				case err := <-done:
					t.Fatalf("the run ended (%v) before the signal: %s", err, stderr.String())
				case <-time.After(10 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the run did not start: %s", stderr.String())
				}
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := <-done
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("exit %v, want %d; stderr %s", err, tc.code, stderr.String())
			}
			if msg := stderr.String(); !strings.Contains(msg, "interrupted by "+strings.Fields(tc.name)[0]) {
				t.Errorf("stderr %q", msg)
			}
			if tc.force {
				sameTree(t, "the previous run", before, snapshot(t, root))
				if !strings.Contains(stderr.String(), "the previous run in "+out+" is unchanged") {
					t.Errorf("stderr %q", stderr.String())
				}
				return
			}
			if ents, _ := os.ReadDir(root); len(ents) != 0 {
				t.Errorf("left behind: %v", ents)
			}
		})
	}
}
