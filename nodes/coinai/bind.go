package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Binding rules (Config.Bind): what of the previous block's hash, besides
// the architecture, a block's model must fit.
//
// Without binding, the parent's hash decides only the architecture
// (package grammar) and the training seed, and the seed cannot be checked
// from the weights: a model mined on one parent, with one weight byte
// flipped so that its commitment is new, is a valid block on every other
// parent whose hash decodes to the same architecture (the digits grammar
// has 1,224 of them, and the eight single-dense-layer networks alone come
// up about a quarter of the time). TestReuseAttackTodayAccepted pins this.
const (
	// BindNone binds nothing but the architecture (the paper's rule; the
	// default, so that chains without the option are unchanged).
	BindNone = "none"
	// BindLabelPermutation relabels the classes of a child of P with a
	// permutation keyed by P's hash (LabelPermutation): miners train and
	// validate on labels π_P(y), validators test on π_P(y). A model fitted
	// for parent Q predicts π_Q(y), which agrees with π_P(y) only on the
	// classes where the two permutations agree, one class in ten on
	// average: a re-used model scores about chance. Honest mining is
	// unaffected in law: the network's classes are named differently,
	// nothing else changes.
	//
	// Known limit: the output layer is a dense layer, so a miner that
	// holds a model for Q can permute its output units from π_Q to π_P
	// with no training at all (TestReuseAttackRelabelDefeatsPermutation).
	// The permutation stops naive re-use, not model surgery; commitments
	// that bind the training itself (commit–reveal, spot-checked
	// re-training) are the answer to that.
	BindLabelPermutation = "label-permutation"
)

// bindDomain separates the label permutation's hash from every other use
// of a block id.
const bindDomain = "coinai/bind/labels"

// LabelPermutation is the permutation of the classes 0..classes-1 that
// BindLabelPermutation applies to a child of prev: class y is trained,
// validated and tested as perm[y]. It is a Fisher–Yates shuffle driven by
// SHA-256(bindDomain || prev || counter), counter a little-endian u32
// from 0, each digest read as four little-endian u64 and index i drawn as
// u64 mod (i+1) (the bias, below 2^-58 for the 255 classes a u8 label can
// name, does not matter to consensus, which needs only determinism). It
// returns nil for classes < 2 or > 256.
func LabelPermutation(prev [32]byte, classes int) []uint8 {
	if classes < 2 || classes > 256 {
		return nil
	}
	perm := make([]uint8, classes)
	for i := range perm {
		perm[i] = uint8(i)
	}
	var buf [32]byte
	var counter uint32
	used := len(buf) // force a digest on the first draw
	next := func() uint64 {
		if used == len(buf) {
			h := sha256.New()
			h.Write([]byte(bindDomain))
			h.Write(prev[:])
			h.Write(binary.LittleEndian.AppendUint32(nil, counter))
			h.Sum(buf[:0])
			counter++
			used = 0
		}
		v := binary.LittleEndian.Uint64(buf[used:])
		used += 8
		return v
	}
	for i := classes - 1; i > 0; i-- {
		j := int(next() % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}

// LabelsFor is the label map a model for a child of prev must fit under
// cfg's binding rule: nil (the labels as they are) for BindNone, else
// LabelPermutation(prev, classes of the default problem). Miners,
// validators and checkers outside the node call it alike, so that they
// apply one rule.
func LabelsFor(cfg *Config, prev [32]byte) []uint8 {
	if cfg.Bind != BindLabelPermutation {
		return nil
	}
	return LabelPermutation(prev, cfg.Default.Train.Classes)
}

// validBind checks Config.Bind.
func validBind(b string) error {
	switch b {
	case "", BindNone, BindLabelPermutation:
		return nil
	}
	return fmt.Errorf("bind %q: want %q or %q", b, BindNone, BindLabelPermutation)
}

// relabel returns y with every label mapped through labels (y itself when
// labels is nil). The data sets are shared read-only, so a job that needs
// other labels works on its own copy.
func relabel(y []uint8, labels []uint8) []uint8 {
	if labels == nil {
		return y
	}
	out := make([]uint8, len(y))
	for i, v := range y {
		if int(v) < len(labels) {
			out[i] = labels[v]
		} else {
			out[i] = v
		}
	}
	return out
}
