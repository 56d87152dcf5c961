package coinai

import (
	"errors"
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/ledger"
)

// withStateAt runs f on the ledger state at block at, which must be in the
// tree. For the tip that is the node's state; for another block the node
// reverts its main chain to the fork point, applies the branch up to at,
// runs f, and restores the main chain. Every block in the tree was checked
// against its own parent's state, so these applies cannot fail.
func (n *Node) withStateAt(at chain.Entry[*rec], f func(*ledger.State) error) error {
	tip := n.tree.Tip()
	if at.ID == tip.ID {
		return f(n.state)
	}
	var branch []*rec // from at down to the fork point (exclusive)
	e := at
	for !n.tree.InMainChain(e.ID) {
		branch = append(branch, e.Payload)
		e, _ = n.tree.Get(e.Parent)
	}
	fork := e.ID
	var main []*rec // from tip down to fork (exclusive)
	for e = tip; e.ID != fork; e, _ = n.tree.Get(e.Parent) {
		main = append(main, e.Payload)
	}
	for _, r := range main {
		n.state.Revert(r.undo)
	}
	undos := make([]ledger.Undo, len(branch))
	for i := len(branch) - 1; i >= 0; i-- {
		u, err := n.state.Apply(n.effects(branch[i].hdr, branch[i].txs, branch[i].mints))
		if err != nil {
			panic(fmt.Sprintf("coinai: invariant: side-branch block %x no longer applies: %v", branch[i].hdr.ID(), err))
		}
		undos[i] = u
	}
	err := f(n.state)
	for i := range branch {
		n.state.Revert(undos[i])
	}
	for i := len(main) - 1; i >= 0; i-- {
		n.mustApply(main[i])
	}
	return err
}

func (n *Node) mustApply(r *rec) {
	u, err := n.state.Apply(n.effects(r.hdr, r.txs, r.mints))
	if err != nil {
		panic(fmt.Sprintf("coinai: invariant: validated block %x does not apply: %v", r.hdr.ID(), err))
	}
	r.undo = u
}

// accept adds a verified block to the tree, announces it, follows a new
// tip and releases the orphans waiting for it.
func (n *Node) accept(p *pending, acc float64) {
	h := &p.blk.Header
	r := &rec{hdr: internHeader(p.id, h), txs: p.blk.Txs, msg: p.msg, reg: p.reg, mints: p.mints, diff: p.diff,
		pad: wirePadding(p.standIn(&n.cfg), len(p.blk.Model))}
	p.model = nil
	res, err := n.tree.Add(chain.Block[*rec]{ID: p.id, Parent: h.Prev, Height: int64(h.Height),
		Work: n.blockWork(h.Threshold, p.diff), Payload: r}, nil)
	if err != nil {
		if !errors.Is(err, chain.ErrKnown) {
			n.forgetModel(h.Model, p.id)
			n.reject(p.id, errHeight)
		}
		return
	}
	// Copy what we need: the tree reuses res's slices on the next Add.
	moved := res.TipMoved
	undone, applied := slices.Clone(res.Undone), slices.Clone(res.Applied)
	n.env.Observe(nodes.Event{Kind: nodes.EvAccepted, Block: p.id, Parent: h.Prev, Height: int64(h.Height),
		Size: len(p.msg) + r.pad, Value: acc})
	if n.reuse != nil {
		n.recordReuse(p.id, h, acc)
	}
	if n.stor != nil {
		n.onStorageAccept(p.id, r, p.blk.Model, p.from == n.cfg.ID)
	}
	inv := AppendID(nil, MsgInv, p.id)
	for _, q := range n.peers {
		if q != p.from {
			n.env.Send(q, inv, 0)
		}
	}
	if moved {
		n.reorg(undone, applied)
		if n.mkt != nil {
			n.marketAccepted(applied)
		}
		tip := n.tree.Tip()
		n.env.Observe(nodes.Event{Kind: nodes.EvTip, Block: tip.ID, Parent: tip.Parent, Height: tip.Height,
			Value: float64(len(undone))})
		n.cancelAttempt()
		n.storageSync()
	}
	n.release(p.id, true)
	n.resume()
}

// reorg moves the ledger from the old best chain to the new one along the
// tree's lists, and gives the transactions of undone blocks back to the
// pool.
func (n *Node) reorg(undone, applied [][32]byte) {
	for _, id := range undone {
		e, _ := n.tree.Get(id)
		n.state.Revert(e.Payload.undo)
		e.Payload.undo = ledger.Undo{}
		n.pool.Readd(e.Payload.txs)
	}
	for _, id := range applied {
		e, _ := n.tree.Get(id)
		n.mustApply(e.Payload)
		ids := make([][32]byte, len(e.Payload.txs))
		for i, tx := range e.Payload.txs {
			ids[i] = tx.ID()
		}
		n.pool.Remove(ids)
	}
	n.pool.Prune(n.state)
}
