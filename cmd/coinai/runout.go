package main

import (
	"fmt"
	"io"
	"os"
)

// writeRunDir writes a finished run's files and, with report, its report
// and figures into the run directory being built, then renames it into
// place: a run directory is never visible before it is whole. It stops
// before anything is renamed once a signal was caught.
func writeRunDir(od *outDir, files map[string][]byte, report bool, intr *interrupt) error {
	if err := od.writeFiles(files); err != nil {
		return err
	}
	if intr.caught() != nil {
		return errInterrupted
	}
	testHook("report", intr)
	if report {
		run, err := loadRun(od.tmp)
		if err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
		run.Dir = od.path // the report names the directory it will be in
		if err := renderReport(run, od.tmp); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	if intr.caught() != nil {
		return errInterrupted
	}
	return od.commit()
}

// testHook lets tests act at a phase of a run (e.g. send a signal).
var testHook = func(phase string, intr *interrupt) {}

// interrupted reports a run stopped by a signal, removes what it wrote and
// returns the exit code (128 + the signal's number).
func interrupted(stderr io.Writer, intr *interrupt, od *outDir) int {
	interruptedMsg(stderr, intr.caught(), od)
	return intr.exitCode()
}

func interruptedMsg(stderr io.Writer, sig os.Signal, od *outDir) {
	abandonOnSignal(stderr, sig, od, "the run stopped and its unfinished output was removed", "the previous run in %s is unchanged")
}

// abandonOnSignal removes the unfinished output od and says so: what
// stopped, and what is left at its path (nothing, or the previous output
// named by kept, a format with the path's %s).
func abandonOnSignal(stderr io.Writer, sig os.Signal, od *outDir, stopped, kept string) {
	od.abandon()
	left := "nothing was written to " + od.path
	if od.previous {
		left = fmt.Sprintf(kept, od.path)
	}
	fmt.Fprintf(stderr, "coinai run: interrupted by %s: %s; %s\n", signalName(sig), stopped, left)
}
