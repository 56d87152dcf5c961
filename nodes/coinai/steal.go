package coinai

import (
	"github.com/coinai/coinai/nodes"
)

// Model theft (issue #13). Under the paper's rule a block carries its
// model in the clear and nothing in the header ties the model to the
// miner who trained it: the seed H(prev ‖ miner ‖ attempt) cannot be
// checked from the weights. A node that receives a competitor's block can
// sign the same model, transactions and timestamp under its own key and
// push its copy to its peers at once, without the evaluation an honest
// node makes before relaying. The duplicate-model rule then splits the
// network: nodes that get the copy first accept it and refuse the
// original as a duplicate, and the thief wins whenever its side extends
// first. Commit–reveal (reveal.go) refuses the copy: the victim's
// commitment, which opens to the same model, reached every node before
// the thief could commit.
const (
	// AttackSteal never trains. For every block it receives from a peer
	// whose parent is its tip and whose miner is another, it re-signs the
	// block under its own key and pushes the copy in full to all its peers
	// before handling the original (under RevealDelayedTest it commits to
	// the copy first and pushes it Reveal.Delay later, as the rule asks).
	// Its EvMined carries NoteSteal.
	AttackSteal = "steal"
	// NoteSteal is the note of the EvMined event of a stolen block.
	NoteSteal = "steal"
)

// stealState is an AttackSteal attacker's memory: the blocks it stole
// from, so that each is copied once.
type stealState struct {
	done map[[32]byte]bool
}

// trySteal copies m, a block from peer from, if it is a competitor's
// block on the thief's tip that passes the stateless checks.
func (n *Node) trySteal(from nodes.PeerID, m *Message) {
	h := m.Block.Header
	if from == n.cfg.ID || h.Miner == n.addr || h.Prev != n.tree.Tip().ID || n.steal.done[m.ID] || n.known(m.ID) {
		return
	}
	if n.checkStateless(&m.Block) != nil {
		return
	}
	n.steal.done[m.ID] = true
	if err := h.Sign(n.cfg.Key); err != nil {
		return
	}
	blk := Block{Header: h, Model: m.Block.Model, Txs: m.Block.Txs}
	msg := AppendBlock(nil, &blk)
	n.reportMined(&h, h.ID(), len(msg), blk.Txs, NoteSteal)
	if n.reveal != nil {
		n.sendCommit(h.Prev, h.Model, h.Attempt)
		w := &revealWait{tag: n.nextTag(tagReveal), push: msg}
		n.reveal.waits = append(n.reveal.waits, w)
		n.env.After(n.cfg.Reveal.Delay, w.tag)
		return
	}
	n.pushStolen(msg)
}

// pushStolen sends a stolen block to every peer and hands it to the
// thief's own verification, so that the thief holds its copy, not the
// original.
func (n *Node) pushStolen(msg []byte) {
	for _, p := range n.peers {
		n.env.Send(p, msg, 0)
	}
	m, err := DecodeMessage(msg)
	if err != nil {
		return
	}
	n.onBlock(n.cfg.ID, &m, msg)
}
