package check

import (
	"errors"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/sim"
)

// fakeNode is a node with a tip and, optionally, a broken invariant.
type fakeNode struct {
	tip    [32]byte
	height int64
	broken error
}

func (n *fakeNode) Start(nodes.Env)                 {}
func (n *fakeNode) Receive(nodes.PeerID, []byte)    {}
func (n *fakeNode) OnTimer(uint64)                  {}
func (n *fakeNode) OnComputed(uint64, any)          {}
func (n *fakeNode) Tip() ([32]byte, int64)          { return n.tip, n.height }
func (n *fakeNode) Invariants() error               { return n.broken }
func (n *fakeNode) set(id [32]byte, height int64)   { n.tip, n.height = id, height }
func (h *fakeHost) NumNodes() int                   { return len(h.nodes) }
func (h *fakeHost) Node(i int) nodes.Node           { return h.nodes[i] }
func (h *fakeHost) Now() sim.Time                   { return h.now }
func (h *fakeHost) Events() uint64                  { return h.events }
func (h *fakeHost) Joules(int, sim.Time) float64    { return 0 }
func (h *fakeHost) Online(i int32, t sim.Time) bool { return !h.faults.Offline(i, t) }
func (h *fakeHost) OnlineThrough(i int32, from, until sim.Time) bool {
	return !h.faults.OfflineDuring(i, from, until)
}

type fakeHost struct {
	nodes  []*fakeNode
	now    sim.Time
	events uint64
	faults sim.Faults
}

func id(branch, height int) [32]byte { return [32]byte{byte(branch), byte(height), 1} }

// world is n nodes, an observer that saw a main chain 1..main (branch 0)
// and a fork of branch 1 from height fork to forkTop, and the checkers.
func world(n, main, fork, forkTop int, cfg Config) (*fakeHost, *observe.Observer, *Suite) {
	h := &fakeHost{}
	ocfg := observe.Config{Protocol: "pow"}
	for range n {
		h.nodes = append(h.nodes, &fakeNode{})
		ocfg.Nodes = append(ocfg.Nodes, observe.Node{Hardware: "asic"})
	}
	o := observe.New(ocfg, h)
	for i := 1; i <= main; i++ {
		o.Observe(0, sim.Time(i), nodes.Event{Kind: nodes.EvMined, Block: id(0, i), Parent: id(0, i-1), Height: int64(i)})
	}
	for i := fork; i <= forkTop; i++ {
		parent := id(1, i-1)
		if i == fork {
			parent = id(0, i-1)
		}
		o.Observe(0, sim.Time(i), nodes.Event{Kind: nodes.EvMined, Block: id(1, i), Parent: parent, Height: int64(i)})
	}
	for _, nd := range h.nodes {
		nd.set(id(0, main), int64(main))
	}
	return h, o, New(cfg, h, o)
}

func TestAgreement(t *testing.T) {
	// Nodes on a fork 7 deep disagree below the fork depth.
	_, _, s := world(4, 20, 12, 20, Config{Protocol: "pow"})
	s.h.(*fakeHost).nodes[3].set(id(1, 20), 20)
	if _, reason := s.agreement(); !strings.Contains(reason, "nodes 0 and 3 hold different blocks at height 14") {
		t.Errorf("7-deep fork: %q", reason)
	}
	// A fork 6 deep is within the fork depth.
	_, _, s = world(4, 20, 15, 20, Config{Protocol: "pow"})
	s.h.(*fakeHost).nodes[3].set(id(1, 20), 20)
	if ok, reason := s.agreement(); reason != "" || !strings.Contains(ok, "4 online honest nodes agree at height 14") {
		t.Errorf("6-deep fork: %q %q", ok, reason)
	}
	// A cheater, and a node that was offline within RejoinIntervals
	// target intervals, are left out; a node back for longer counts.
	h, _, s := world(5, 20, 10, 20, Config{Protocol: "pow", TargetInterval: 10, Cheats: map[int32]string{3: "lazy"}})
	h.now = 1000
	h.nodes[3].set(id(1, 20), 20)
	h.nodes[4].set(id(1, 20), 20)
	h.faults.AddOffline(4, sim.Window{From: 500, Until: 950})
	h.faults.AddOffline(2, sim.Window{From: 100, Until: 800})
	ok, reason := s.agreement()
	if reason != "" || !strings.Contains(ok, "3 online honest nodes agree at height 14 (left out: 1 offline or back online within 10 target intervals, 1 cheaters)") {
		t.Errorf("left out: %q %q", ok, reason)
	}
	h.now = 1051 // node 4 has been back for 101 > 10 intervals of 10
	if _, reason := s.agreement(); !strings.Contains(reason, "different blocks") {
		t.Errorf("node 4 back for good: %q", reason)
	}
}

// A node offline for good is left out of agreement however stale its
// chain: here it sits on a fork from height 5 to 15 that the others
// abandoned, which would fail the check at height 9 were it counted.
func TestAgreementLeavesOutNodesOfflineForGood(t *testing.T) {
	h, _, s := world(4, 20, 5, 15, Config{Protocol: "pow", TargetInterval: 10})
	h.now = 1000
	h.nodes[3].set(id(1, 15), 15)
	h.faults.AddOffline(3, sim.Window{From: 100}) // never back
	ok, reason := s.agreement()
	if reason != "" || ok != "3 online honest nodes agree at height 14 (left out: 1 offline or back online within 10 target intervals, 0 cheaters)" {
		t.Errorf("offline for good: %q %q", ok, reason)
	}
	// Online, the same node fails it.
	h, _, s = world(4, 20, 5, 15, Config{Protocol: "pow", TargetInterval: 10})
	h.now = 1000
	h.nodes[3].set(id(1, 15), 15)
	if _, reason := s.agreement(); !strings.Contains(reason, "nodes 0 and 3 hold different blocks at height 9") {
		t.Errorf("online: %q", reason)
	}
}

// A round runs when an online node's tip grows; a failure stops the run
// with the time and the event count, and Final keeps it.
func TestRoundFailsAndFinalKeepsIt(t *testing.T) {
	h, _, s := world(3, 10, 0, -1, Config{Protocol: "pow"})
	if err := s.Tick(); err != nil {
		t.Fatal(err)
	}
	h.nodes[1].broken = errors.New("coins created")
	h.now, h.events = 42e9, 777
	s.Observe(0, h.now, nodes.Event{Kind: nodes.EvTip, Height: 3})
	err := s.Tick()
	if err == nil || !strings.Contains(err.Error(), "node-invariants: node 1: coins created") {
		t.Fatalf("Tick = %v", err)
	}
	v := s.Final()
	var got *Result
	for i := range v {
		if v[i].Name == "node-invariants" {
			got = &v[i]
		}
	}
	if got == nil || got.OK || got.Note != "at t=42.000s after event 777: node 1: coins created" {
		t.Errorf("final verdicts %+v", v)
	}
}

// No growth for LivenessIntervals target intervals with half of the
// miners online fails liveness; with fewer online, only a stall of
// StallIntervals fails (progress). Tips reported by offline nodes do not
// count as growth.
func TestLivenessAndProgress(t *testing.T) {
	const T = 1e9
	miners := []bool{true, true, true, true}
	h, _, s := world(4, 5, 0, -1, Config{Protocol: "pow", TargetInterval: T, Miners: miners})
	s.Observe(0, 10*T, nodes.Event{Kind: nodes.EvTip, Height: 5})
	s.Observe(1, 11*T, nodes.Event{Kind: nodes.EvMined, Block: id(0, 6)})
	s.Observe(2, 11*T, nodes.Event{Kind: nodes.EvRejected, Block: id(0, 6), Note: "below-threshold"})
	h.now = 30 * T
	if err := s.Tick(); err != nil {
		t.Fatalf("at 20 intervals: %v", err)
	}
	h.now = 30*T + 1
	err := s.Tick()
	if err == nil || !strings.Contains(err.Error(), "liveness: no tip above height 5 for 20s (20 times the 1s target interval); 1 blocks were mined since, rejected by some node (below-threshold: 1), while 4 of 4 miners were online throughout") {
		t.Fatalf("liveness: %v", err)
	}

	h, _, s = world(4, 5, 0, -1, Config{Protocol: "pow", TargetInterval: T, Miners: miners})
	for i := int32(0); i < 3; i++ {
		h.faults.AddOffline(i, sim.Window{From: 5 * T})
	}
	s.Observe(0, 10*T, nodes.Event{Kind: nodes.EvTip, Height: 9}) // offline: no growth
	for h.now = 0; h.now <= 50*T; h.now += T / 2 {
		if err := s.Tick(); err != nil {
			t.Fatalf("at %d: %v", h.now, err)
		}
	}
	h.now = 50*T + 1
	if err := s.Tick(); err == nil || !strings.Contains(err.Error(), "progress: the run cannot make progress: no tip above height 0 for 50s") {
		t.Fatalf("stall: %v", err)
	}
}

// With attackers holding part of the mining power (HonestShare < 1),
// liveness, which counts honest tips only, waits LivenessIntervals of the
// honest miners' expected interval: at a share of 0.5, 40 target
// intervals, not 20.
func TestLivenessHonestShare(t *testing.T) {
	const T = 1e9
	miners := []bool{true, true, true, true}
	for _, tc := range []struct {
		share     float64
		ok, fails sim.Time // last wait that passes, first that fails
	}{
		{0, 20 * T, 20*T + 1},
		{1, 20 * T, 20*T + 1},
		{0.5, 40 * T, 40*T + 1},
		{0.8, 25 * T, 25*T + 1},
	} {
		h, _, s := world(4, 5, 0, -1, Config{Protocol: "pow", TargetInterval: T, Miners: miners, HonestShare: tc.share})
		s.Observe(0, 10*T, nodes.Event{Kind: nodes.EvTip, Height: 5})
		h.now = 10*T + tc.ok
		if err := s.Tick(); err != nil {
			t.Errorf("share %g, wait %ds: %v", tc.share, tc.ok/T, err)
		}
		h.now = 10*T + tc.fails
		if err := s.Tick(); err == nil || !strings.Contains(err.Error(), "liveness: no tip above height 5") {
			t.Errorf("share %g, just past %ds: %v", tc.share, tc.ok/T, err)
		}
	}
}

// A node online below the stop height while the highest tip is
// OverrunBlocks past it fails progress.
func TestOverrun(t *testing.T) {
	h, _, s := world(3, 5, 0, -1, Config{Protocol: "pow", StopHeight: 10})
	h.nodes[2].set(id(0, 5), 5)
	h.nodes[0].height, h.nodes[1].height = 60, 60
	s.Observe(0, 1, nodes.Event{Kind: nodes.EvTip, Height: 59})
	if err := s.Tick(); err != nil {
		t.Fatalf("49 past: %v", err)
	}
	s.Observe(0, 2, nodes.Event{Kind: nodes.EvTip, Height: 60})
	if err := s.Tick(); err == nil || !strings.Contains(err.Error(), "node 2 is online at height 5, under the stop height 10, while the highest tip is at 60") {
		t.Fatalf("50 past: %v", err)
	}
}
