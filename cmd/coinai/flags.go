package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/coinai/coinai/scenarios"
)

// memoryFlag is --max-memory SIZE: the memory a run may use, instead of
// what the machine has available.
type memoryFlag struct{ size scenarios.Size }

func (m *memoryFlag) String() string {
	if m.size == 0 {
		return ""
	}
	return m.size.String()
}

func (m *memoryFlag) Set(v string) error { return m.size.UnmarshalText([]byte(v)) }

func addMemoryFlag(fs *flag.FlagSet) *memoryFlag {
	m := &memoryFlag{}
	fs.Var(m, "max-memory", "memory the run may use, e.g. 64GB (default: what the machine has available); a run estimated to need more is refused")
	return m
}

// checkMemory refuses a scenario whose estimated memory exceeds the limit.
func (m *memoryFlag) check(s *scenarios.Scenario) error {
	if m.size > 0 {
		return s.CheckMemory(float64(m.size), "allowed by --max-memory")
	}
	avail, what := availableMemory()
	if err := s.CheckMemory(avail, what); err != nil {
		return err
	}
	return nil
}

// seedFlag applies --seed N when it was given; a seed is 0 .. 2^63-1 (a
// negative one used to be ignored silently).
func applySeed(fs *flag.FlagSet, s *scenarios.Scenario, seed int64) error {
	if !given(fs, "seed") {
		return nil
	}
	if seed < 0 {
		return fmt.Errorf("coinai run: --seed %d: a seed is an integer from 0 to 9223372036854775807", seed)
	}
	return s.Set("run.seed", strconv.FormatInt(seed, 10))
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
