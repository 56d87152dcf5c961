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
