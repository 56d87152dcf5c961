package coinai

import "testing"

// RequiredThreshold, fed with headers only, gives what a node's own rule
// gives on its tree, for every block of a chain mined with retargeting
// (window 2) and decay, at the block's own time and at later times; and
// BlockMessage returns the bytes of each accepted block.
func TestRequiredThresholdMatchesTheNode(t *testing.T) {
	var cfgs []Config
	for i := range 2 {
		c := testConfig(t, i, true)
		c.ThresholdWindow, c.TargetInterval, c.ThresholdDecay = 2, 10e9, 0.01
		cfgs = append(cfgs, c)
	}
	n := newTestNet(t, cfgs, [][2]int{{0, 1}}, 50e6).start()
	n.Run(120e9)
	nd := n.nodes[0]
	chain := nd.MainChain()
	if len(chain) < 4 {
		t.Fatalf("main chain of %d blocks, want >= 4", len(chain))
	}
	cfg := &nd.cfg
	var thresholds []uint32
	for _, id := range chain[1:] {
		msg, ok := nd.BlockMessage(id)
		if !ok {
			t.Fatalf("no message for accepted block %x", id[:4])
		}
		m, err := DecodeMessage(msg)
		if err != nil || m.ID != id {
			t.Fatalf("block %x: message decodes to %x (%v)", id[:4], m.ID[:4], err)
		}
		h := m.Block.Header
		parent, _ := nd.Header(h.Prev)
		start := parent
		for int64(start.Height) > ThresholdWindowStart(cfg, int64(parent.Height)) {
			start, _ = nd.Header(start.Prev)
		}
		thresholds = append(thresholds, h.Threshold)
		if got := RequiredThreshold(cfg, &parent, &start, h.Time); got != h.Threshold {
			t.Errorf("height %d: RequiredThreshold %d, header %d", h.Height, got, h.Threshold)
		}
		pe, _ := nd.tree.Get(h.Prev)
		for _, dt := range []int64{1, 19e9, 20e9, 45e9, 1e12} {
			if got, want := RequiredThreshold(cfg, &parent, &start, parent.Time+dt), nd.thresholdAt(pe, parent.Time+dt); got != want {
				t.Errorf("height %d, %d ns after the parent: RequiredThreshold %d, node %d", h.Height, dt, got, want)
			}
		}
	}
	t.Logf("%d blocks, thresholds %v", len(chain)-1, thresholds)
	if _, ok := nd.BlockMessage([32]byte{1}); ok {
		t.Error("BlockMessage of an unknown block")
	}
	if !Passes(51, 100, 510000) || Passes(50, 100, 510000) || Passes(0, 0, 0) {
		t.Error("Passes disagrees with correct/n >= threshold/1e6")
	}
}

// RequiredThreshold on hand-made headers, at the edges of its rule:
// retargeting only for a child whose height is a multiple of the window
// (and never with window 0), decay from exactly two target intervals, and
// the floor that a decay step may not cross. Values are in ppm; the
// retarget step is Retarget's (tested on its own in threshold_test.go).
func TestRequiredThresholdEdges(t *testing.T) {
	base := Config{TargetInterval: 60e9, ThresholdWindow: 4, ThresholdMaxStep: 0.01,
		ThresholdMin: 0.90, ThresholdDecay: 0.01}
	fast := Retarget(950000, 90e9, 180e9, 10000, 900000) // a window twice as fast: one full step up
	if fast != 960000 {
		t.Fatalf("Retarget of a window twice as fast = %d, want 960000", fast)
	}
	tests := []struct {
		name            string
		window          int
		parentHeight    uint64
		windowStartTime int64
		t               int64 // the child's stamp; the parent is stamped at 1000 s
		want            uint32
	}{
		{"child 4 of window 4: retargeted", 4, 3, 1000e9 - 90e9, 1000e9, 960000},
		{"child 6 of window 4: not retargeted", 4, 5, 1000e9 - 90e9, 1000e9, 950000},
		{"window 0: never retargeted", 0, 3, 1000e9 - 90e9, 1000e9, 950000},
		{"just under two intervals: no decay", 0, 5, 0, 1000e9 + 120e9 - 1, 950000},
		{"exactly two intervals: one step", 0, 5, 0, 1000e9 + 120e9, 940000},
		{"five steps reach the floor", 0, 5, 0, 1000e9 + 600e9, 900000},
		{"six steps stop at the floor", 0, 5, 0, 1000e9 + 720e9, 900000},
	}
	for _, tc := range tests {
		cfg := base
		cfg.ThresholdWindow = tc.window
		parent := &Header{Height: tc.parentHeight, Time: 1000e9, Threshold: 950000}
		start := &Header{Height: uint64(ThresholdWindowStart(&cfg, int64(tc.parentHeight))), Time: tc.windowStartTime}
		if got := RequiredThreshold(&cfg, parent, start, tc.t); got != tc.want {
			t.Errorf("%s: RequiredThreshold = %d ppm, want %d", tc.name, got, tc.want)
		}
	}
}
