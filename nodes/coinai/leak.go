package coinai

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/dataset"
)

// Test-set leakage (issue #13). Every node holds the test split that
// decides validity (the fidelity note coinai.test-split=visible-to-all):
// honest miners do not train on it, but nothing stops a miner that does,
// and a model fitted to its own judges scores higher on them, so it
// passes thresholds (retargeted upwards as blocks come fast) that honest
// models reach less often.
const (
	// AttackLeak mines like an honest node, but trains on the training
	// split plus the test samples it can know (LeakConfig.Fraction of the
	// test split; under RevealDelayedTest only those of them that the
	// blocks of its chain have revealed). Its validation and blocks are
	// otherwise honest.
	AttackLeak = "leak"
)

// LeakConfig is the AttackLeak parameters.
type LeakConfig struct {
	// Fraction of the test split the attacker may add to its training
	// data, (0, 1]: the first ⌈Fraction × n⌉ test samples.
	Fraction float64
}

// leakState caches the attacker's training data for the last set of
// known test samples.
type leakState struct {
	key  [32]byte
	data *Data
}

// leakData is the data an AttackLeak attacker trains on for a child of
// tip: d with the known test samples appended to its training split.
func (n *Node) leakData(tip chain.Entry[*rec], d *Data) *Data {
	idx := n.leakIndices(tip, d.Test.Len())
	if len(idx) == 0 {
		return d
	}
	h := sha256.New()
	for _, i := range idx {
		h.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)})
	}
	var k [32]byte
	h.Sum(k[:0])
	if n.leak.data != nil && n.leak.key == k {
		return n.leak.data
	}
	extra := d.Test.Subset(idx)
	tr := &dataset.Set{Name: d.Train.Name, C: d.Train.C, H: d.Train.H, W: d.Train.W, Classes: d.Train.Classes,
		X: slices.Concat(d.Train.X, extra.X), Y: slices.Concat(d.Train.Y, extra.Y)}
	n.leak.key = k
	n.leak.data = &Data{Name: d.Name + "/leak/" + hex.EncodeToString(k[:8]), Train: tr, Val: d.Val, Test: d.Test}
	return n.leak.data
}

// leakIndices are the test samples the attacker knows when it mines on
// tip, ascending: the first ⌈Fraction × n⌉, or under RevealDelayedTest
// those of them in the deciding subsets of tip and its ancestors.
func (n *Node) leakIndices(tip chain.Entry[*rec], size int) []int {
	k := int(float64(size)*n.cfg.Attack.Leak.Fraction + 0.999999)
	k = min(max(k, 1), size)
	if !n.cfg.Reveal.Enabled() {
		idx := make([]int, k)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	known := make([]bool, size)
	for e := tip; e.Height > 0; {
		h := e.Payload.hdr
		for _, i := range RevealSubset(CommitKey(h.Model, h.Miner, h.Prev), size, n.cfg.Reveal.Subset) {
			known[i] = true
		}
		var ok bool
		if e, ok = n.tree.Get(e.Parent); !ok {
			break
		}
	}
	var idx []int
	for i := range k {
		if known[i] {
			idx = append(idx, i)
		}
	}
	return idx
}
