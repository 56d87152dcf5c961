package main

import (
	"errors"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// interrupt catches SIGINT and SIGTERM so that a command stops cleanly and
// exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM),
// as a shell reports a process killed by it. In a phase that writes nothing
// (building a run's nodes), a signal removes the temporary output and exits
// at once (exitNow); while a run's events are handled, it stops the run at
// the next event (through the pipeline's Interrupt hook) and the command removes
// what it wrote; a second signal exits at once in any phase.
type interrupt struct {
	ch     chan os.Signal
	sig    atomic.Pointer[os.Signal]
	now    atomic.Bool
	onExit func(os.Signal) // cleans up before an immediate exit
}

// errInterrupted stops the runner when a signal was caught.
var errInterrupted = errors.New("interrupted")

// catchSignals starts catching; onExit (if not nil) runs before an
// immediate exit.
func catchSignals(onExit func(os.Signal)) *interrupt {
	in := &interrupt{ch: make(chan os.Signal, 2), onExit: onExit}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range in.ch {
			first := in.sig.CompareAndSwap(nil, &s)
			if first && !in.now.Load() {
				continue
			}
			if in.onExit != nil {
				in.onExit(s)
			}
			os.Exit(exitCodeOf(s))
		}
	}()
	return in
}

// exitNow sets whether a first signal exits at once.
func (in *interrupt) exitNow(now bool) {
	in.now.Store(now)
	if now && in.caught() != nil { // caught before: exit now
		in.ch <- in.caught()
	}
}

// stop restores the default handling of the signals.
func (in *interrupt) stop() {
	signal.Stop(in.ch)
}

// caught returns the first signal caught, or nil.
func (in *interrupt) caught() os.Signal {
	if p := in.sig.Load(); p != nil {
		return *p
	}
	return nil
}

// interrupted is the run's Interrupt hook: it returns errInterrupted once a
// signal was caught.
func (in *interrupt) interrupted() error {
	if in.sig.Load() != nil {
		return errInterrupted
	}
	return nil
}

// exitCode is 128 + the signal's number.
func (in *interrupt) exitCode() int { return exitCodeOf(in.caught()) }

func exitCodeOf(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// signalled is the error of a command stopped by a signal.
type signalled struct{ sig os.Signal }

func (e *signalled) Error() string { return "interrupted by " + signalName(e.sig) }

func (e *signalled) exitCode() int { return exitCodeOf(e.sig) }

// name is the signal's conventional name.
func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
