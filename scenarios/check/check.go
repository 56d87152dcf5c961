// Package check asserts the testbed's invariants, in the manner of
// TigerBeetle's and FoundationDB's simulators: a run that breaks one
// fails, and its seed is a bug report.
package check

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/sim"
)

// ForkDepth is the depth below the lowest tip under which all nodes must
// hold the same block.
const ForkDepth = 6

// Result is one checker's verdict.
type Result = observe.CheckResult

// Host is what the checkers read of the run (package host implements it).
type Host interface {
	NumNodes() int
	Node(i int) nodes.Node
	Now() sim.Time
	Events() uint64
}

// Config is what the checkers need to know of the run.
type Config struct {
	Protocol string
}

// Suite is the run's checkers.
type Suite struct {
	cfg Config
	h   Host
	o   *observe.Observer

	acceptChecked       int64
	thresholdViolations int64
	firstViolation      string
}

// New returns the checkers of a run, reading h and o.
func New(cfg Config, h Host, o *observe.Observer) *Suite {
	return &Suite{cfg: cfg, h: h, o: o}
}

// Observe records what the checkers need of one event.
func (s *Suite) Observe(node int32, at sim.Time, ev nodes.Event) {
	if ev.Kind != nodes.EvAccepted || s.cfg.Protocol != "coinai" || ev.Value <= 0 {
		return
	}
	b, ok := s.o.Block(ev.Block)
	if !ok || node == b.Miner {
		return
	}
	s.acceptChecked++
	if ev.Value < b.Value {
		if s.thresholdViolations == 0 {
			s.firstViolation = fmt.Sprintf("node %d accepted block %s with accuracy %.6f under threshold %.6f",
				node, observe.ShortID(b.ID), ev.Value, b.Value)
		}
		s.thresholdViolations++
	}
}

// Final returns every checker's verdict at the end of the run.
func (s *Suite) Final() []Result {
	var out []Result
	out = append(out, s.agreement())
	if s.cfg.Protocol == "coinai" {
		res := Result{Name: "accepted-models-pass-threshold", OK: s.thresholdViolations == 0}
		res.Note = fmt.Sprintf("%d acceptances checked", s.acceptChecked)
		if !res.OK {
			res.Note = fmt.Sprintf("%d of %d acceptances below their block's threshold; first: %s",
				s.thresholdViolations, s.acceptChecked, s.firstViolation)
		}
		out = append(out, res)
	}
	inv := Result{Name: "node-invariants", OK: true}
	checked := 0
	for i := range s.h.NumNodes() {
		c, ok := s.h.Node(i).(nodes.InvariantChecker)
		if !ok {
			continue
		}
		checked++
		if err := c.Invariants(); err != nil {
			inv.OK = false
			inv.Note = fmt.Sprintf("node %d: %v", i, err)
			break
		}
	}
	if checked > 0 {
		if inv.OK {
			inv.Note = fmt.Sprintf("%d nodes checked", checked)
		}
		out = append(out, inv)
	}
	return out
}

// agreement walks every node's tip back to a common height ForkDepth
// below the lowest tip and asks that all land on the same block.
func (s *Suite) agreement() Result {
	res := Result{Name: "chains-agree-below-fork-depth", OK: true}
	n := s.h.NumNodes()
	low := int64(-1)
	for i := range n {
		t, ok := s.h.Node(i).(nodes.Tipper)
		if !ok {
			res.Note = "nodes do not report tips"
			return res
		}
		_, h := t.Tip()
		if low < 0 || h < low {
			low = h
		}
	}
	at := low - ForkDepth
	if at <= 0 {
		res.Note = fmt.Sprintf("lowest tip %d is within the fork depth", low)
		return res
	}
	var first [32]byte
	for i := range n {
		id, h := s.h.Node(i).(nodes.Tipper).Tip()
		for h > at {
			b, ok := s.o.Block(id)
			if !ok {
				break
			}
			id, h = b.Parent, b.Height-1
		}
		if i == 0 {
			first = id
		} else if id != first {
			res.OK = false
			res.Note = fmt.Sprintf("nodes 0 and %d hold different blocks at height %d: %s and %s", i, at, observe.ShortID(first), observe.ShortID(id))
			return res
		}
	}
	res.Note = fmt.Sprintf("%d nodes agree at height %d", n, at)
	return res
}
