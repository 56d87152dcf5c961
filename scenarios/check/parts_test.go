package check

import (
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// partHost is a fakeHost whose network a cut splits into parts.
type partHost struct {
	*fakeHost
	part     []int32
	rejoined []sim.Time
	version  int
}

func (h *partHost) Partitioned() bool         { return true }
func (h *partHost) Part(i int32) int32        { return h.part[i] }
func (h *partHost) Rejoined(i int32) sim.Time { return h.rejoined[i] }
func (h *partHost) PartsVersion() int         { return h.version }
func (h *partHost) Split() bool {
	for _, p := range h.part {
		if p != h.part[0] {
			return true
		}
	}
	return false
}

// cutWorld is world's chain, six nodes, nodes 0-2 in part 0 and nodes 3-5
// in part 3, and checkers that see the parts.
func cutWorld(main, fork, forkTop int, cfg Config) (*partHost, *Suite) {
	h, o, _ := world(6, main, fork, forkTop, cfg)
	ph := &partHost{fakeHost: h, part: []int32{0, 0, 0, 3, 3, 3}, rejoined: []sim.Time{-1, -1, -1, -1, -1, -1}}
	return ph, New(cfg, ph, o)
}

// The two sides of a partition hold different chains, deeper than the
// fork depth: each side agrees within itself and the check passes; nodes
// of one side that disagree fail it; after the heal the nodes of the
// joined part are left out for RejoinIntervals, and must then agree.
func TestAgreementWithinParts(t *testing.T) {
	cfg := Config{Protocol: "pow", TargetInterval: 10}
	h, s := cutWorld(20, 8, 20, cfg) // the fork is 13 deep
	h.now = 1000
	for i := 3; i < 6; i++ {
		h.nodes[i].set(id(1, 20), 20)
	}
	ok, reason := s.agreement()
	if reason != "" || ok != "6 online honest nodes in 2 parts cut apart, each agreeing within itself (agree at height 14; agree at height 14)" {
		t.Errorf("two sides: %q %q", ok, reason)
	}
	// A node of side 0 on side 1's chain: side 0 disagrees within itself.
	h.nodes[2].set(id(1, 20), 20)
	if _, reason := s.agreement(); reason != "nodes 0 and 2 hold different blocks at height 14: "+shortOf(id(0, 14))+" and "+shortOf(id(1, 14))+" in the part of node 0, while the network is cut into 2 parts" {
		t.Errorf("disagreement within a side: %q", reason)
	}
	h.nodes[2].set(id(0, 20), 20)
	// Healed at 950: one part, every node rejoined within 10 intervals of 10.
	h.part = []int32{0, 0, 0, 0, 0, 0}
	for i := range h.rejoined {
		h.rejoined[i] = 950
	}
	ok, reason = s.agreement()
	if reason != "" || ok != "no online honest node (left out: 0 offline or back online within 10 target intervals, 0 cheaters, 6 in a part rejoined within 10 target intervals)" {
		t.Errorf("just healed: %q %q", ok, reason)
	}
	h.now = 1051 // past the grace: the losing side must have caught up
	if _, reason := s.agreement(); !strings.Contains(reason, "nodes 0 and 3 hold different blocks at height 14") {
		t.Errorf("after the grace: %q", reason)
	}
	for i := 3; i < 6; i++ {
		h.nodes[i].set(id(0, 20), 20)
	}
	if ok, reason := s.agreement(); reason != "" || ok != "6 online honest nodes agree at height 14" {
		t.Errorf("caught up: %q %q", ok, reason)
	}
}

func shortOf(b [32]byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 16)
	for i := range 8 {
		out[2*i], out[2*i+1] = hex[b[i]>>4], hex[b[i]&15]
	}
	return string(out)
}

// While the network is split, liveness asks each part holding half of the
// miners to grow: the minority part may stall, the majority may not; the
// global rule does not apply until the network is whole, and then counts
// from when it became whole.
func TestLivenessPerPart(t *testing.T) {
	const T = 1e9
	miners := []bool{true, true, true, true, true, true}
	cfg := Config{Protocol: "pow", TargetInterval: T, Miners: miners}
	h, s := cutWorld(5, 0, -1, cfg)
	h.part = []int32{0, 0, 0, 0, 4, 4} // 4 miners against 2
	h.version = 1
	for i := range h.nodes {
		h.nodes[i].set(id(0, 5), 5)
	}
	// The majority part grows every 5 T; the minority never does.
	for h.now = 0; h.now <= 60*T; h.now += T / 2 {
		if h.now%(5*T) == 0 && h.now > 0 {
			height := 5 + int64(h.now/(5*T))
			s.Observe(0, h.now, nodes.Event{Kind: nodes.EvTip, Height: height})
		}
		if err := s.Tick(); err != nil {
			t.Fatalf("at %d: majority growing: %v", h.now/T, err)
		}
	}
	// Now the majority part stops growing: it fails after 20 T.
	var err error
	for h.now = 60*T + T/2; h.now <= 90*T && err == nil; h.now += T / 2 {
		err = s.Tick()
	}
	if err == nil || !strings.Contains(err.Error(), "liveness: the part of node 0, cut off from the rest, has no tip above height 17 for 21s") ||
		!strings.Contains(err.Error(), "4 of 6 miners were in it") {
		t.Fatalf("majority stalled: %v", err)
	}

	// Split three ways, no part with half of the miners: none must grow;
	// when whole again, the network has 20 T from the join.
	h, s = cutWorld(5, 0, -1, cfg)
	h.part = []int32{0, 0, 2, 2, 4, 4}
	h.version = 1
	for h.now = 0; h.now <= 45*T; h.now += T / 2 {
		if err := s.Tick(); err != nil {
			t.Fatalf("at %d: three parts: %v", h.now/T, err)
		}
	}
	h.part = []int32{0, 0, 0, 0, 0, 0}
	h.version = 2
	for ; h.now <= 49*T; h.now += T / 2 {
		if err := s.Tick(); err != nil {
			t.Fatalf("at %d: whole again at 45.5: %v", h.now/T, err)
		}
	}
	// The stall rule stays global: 50 T without growth anywhere.
	h.now = 50*T + 1
	if err := s.Tick(); err == nil || !strings.Contains(err.Error(), "progress: the run cannot make progress") {
		t.Fatalf("stall: %v", err)
	}
}

// The overrun rule compares a node with the top of its own part: a
// minority part below the stop height does not fail while the majority
// runs past it.
func TestOverrunPerPart(t *testing.T) {
	h, s := cutWorld(5, 0, -1, Config{Protocol: "pow", StopHeight: 10})
	for i := range 3 {
		h.nodes[i].height = 70
	}
	s.Observe(0, 1, nodes.Event{Kind: nodes.EvTip, Height: 70})
	if err := s.Tick(); err != nil {
		t.Fatalf("minority part below the stop: %v", err)
	}
	h.nodes[4].height = 70 // its part is now past: node 3 and 5 are stuck
	s.Observe(4, 2, nodes.Event{Kind: nodes.EvTip, Height: 71})
	if err := s.Tick(); err == nil || !strings.Contains(err.Error(), "node 3 is online at height 5, under the stop height 10") {
		t.Fatalf("stuck in its own part: %v", err)
	}
}
