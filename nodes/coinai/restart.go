package coinai

import (
	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/relay"
)

var (
	_ nodes.Reconnecter = (*Node)(nil)
	_ nodes.Restarter   = (*Node)(nil)
)

// Reconnected implements nodes.Reconnecter: the node announces its tip to
// a peer whose link just came back (a partition healed, or one of the two
// restarted). A peer that lacks it asks for it, then for each ancestor it
// lacks (orphans ask for their parents).
func (n *Node) Reconnected(peer nodes.PeerID) {
	tip := n.tree.Tip()
	if tip.Height == 0 {
		return
	}
	n.env.Send(peer, AppendID(nil, MsgInv, tip.ID), 0)
}

// Restart implements nodes.Restarter: after a crash the node keeps its
// block tree, ledger and stored models (its disk) and forgets what lived
// in memory, whose timers and jobs died with it: the attempt in progress,
// the blocks under verification (asked for again when announced), the
// blocks in flight, the chunk fetches and the challenges they were to
// answer. It then starts again as Start does and brings its store in
// line with its chain.
func (n *Node) Restart(env nodes.Env) {
	n.job = 0
	for _, p := range n.verifying {
		n.forgetModel(p.blk.Header.Model, p.id)
	}
	n.verifying, n.waiting, n.held = nil, 0, nil
	if n.reveal != nil {
		n.reveal.waits, n.reveal.await = nil, nil // their timers died
	}
	n.reqs = relay.Requests[struct{}]{}
	if n.stor != nil {
		n.stor.fetches, n.stor.retrieval = nil, nil
		for k, tx := range n.stor.answered { // deleting while ranging: order does not matter
			if tx == nil {
				delete(n.stor.answered, k) // its fetch died: answer again
			}
		}
	}
	n.Start(env)
	n.storageSync()
	if n.mkt != nil {
		n.marketRestart()
	}
}

// missingAncestor is the block to ask for when a block on parent arrives
// without it: parent, unless parent is an orphan held already whose own
// missing ancestor is no longer being fetched (its request was lost with
// every announcer, or died in a crash); then that ancestor.
func (n *Node) missingAncestor(parent [32]byte) [32]byte {
	if !n.orphans.Has(parent) {
		return parent
	}
	root := n.orphans.Root(parent)
	if n.reqs.Find(root) != nil || n.known(root) {
		return parent
	}
	return root
}
