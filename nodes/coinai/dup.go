package coinai

import (
	"fmt"

	"github.com/coinai/coinai/nodes/chain"
)

// Duplicate-model rules (Config.Duplicate): when a block whose model is
// already known is refused.
//
// Today's rule (DuplicateFirstSeen) refuses a block whose model is that
// of any block the node has accepted or is verifying, on any branch. For
// re-use along one chain that is what is wanted, but for two siblings
// carrying the same model (a competitor's block and a thief's re-signed
// copy of it, steal.go) it is first-seen: the nodes that received the
// original first refuse the copy, those that received the copy first
// refuse the original, each remembers the other as invalid, and so
// refuses every descendant of it as well (bad-parent). The network splits
// for good at that height: the agreement checker fails within a few
// blocks (scenarios/attacks/steal.toml with duplicate = "first-seen").
//
// DuplicateChain makes the rule a function of the chain, as validity must
// be: a block is refused only if its model is that of one of its own
// ancestors. Two siblings with one model are both valid; the fork choice
// picks one, and every node converges on it.
const (
	// DuplicateFirstSeen is today's rule (the default when empty).
	DuplicateFirstSeen = "first-seen"
	// DuplicateChain refuses a model only if an ancestor carries it.
	DuplicateChain = "chain"
)

func validDuplicate(d string) error {
	switch d {
	case "", DuplicateFirstSeen, DuplicateChain:
		return nil
	}
	return fmt.Errorf("duplicate rule %q: want %q or %q", d, DuplicateFirstSeen, DuplicateChain)
}

// duplicate reports whether a child of parent carrying model, with id id,
// is a duplicate under the node's rule.
func (n *Node) duplicate(parent chain.Entry[*rec], model, id [32]byte) bool {
	prev, ok := n.models[model]
	if !ok || prev == id {
		return false
	}
	if n.cfg.Duplicate != DuplicateChain {
		return true
	}
	for e := parent; ; {
		if e.Payload.hdr.Model == model && e.Height > 0 {
			return true
		}
		var ok bool
		if e, ok = n.tree.Get(e.Parent); !ok || e.Height == 0 {
			return false
		}
	}
}

// rememberModel indexes model as that of block id, unless another block
// holds the index (under DuplicateChain a sibling may carry the same
// model; the index keeps the first).
func (n *Node) rememberModel(model, id [32]byte) {
	if _, ok := n.models[model]; !ok {
		n.models[model] = id
	}
}

// forgetModel drops the index of model if block id holds it.
func (n *Node) forgetModel(model, id [32]byte) {
	if n.models[model] == id {
		delete(n.models, model)
	}
}
