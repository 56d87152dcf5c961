package coinai

import (
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/ledger"
)

// maxPending bounds the blocks under evaluation, so that a peer sending
// blocks cannot grow a node's state (requests and orphans are bounded by
// nodes/relay and Config.MaxOrphans).
const maxPending = 64

// Receive implements nodes.Node.
func (n *Node) Receive(from nodes.PeerID, msg []byte) {
	if n.strikes != nil && n.banned(from, msg) {
		return
	}
	if len(msg) > 0 && MsgType(msg[0]) == MsgCommit && n.reveal != nil {
		n.onCommit(from, msg)
		return
	}
	if len(msg) > 0 && n.stor != nil {
		switch MsgType(msg[0]) {
		case MsgGetChunks:
			n.onGetChunks(from, msg)
			return
		case MsgChunks:
			n.onChunks(from, msg)
			return
		}
	}
	m, err := DecodeMessage(msg)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: "decode: " + err.Error()})
		return
	}
	switch m.Type {
	case MsgInv:
		n.request(m.ID, from)
	case MsgGetData:
		if e, ok := n.tree.Get(m.ID); ok && e.Height > 0 {
			n.env.Send(from, e.Payload.msg, e.Payload.pad)
		}
	case MsgBlock:
		if n.mkt != nil && n.onRetrieved(&m, msg) {
			return
		}
		if n.steal != nil {
			n.trySteal(from, &m)
		}
		n.onBlock(from, &m, msg)
	case MsgTx:
		n.addTx(m.Tx, from)
	}
}

// SubmitTx verifies tx, adds it to the node's pool and floods it to the
// node's peers. It is how a runner or a test injects user transactions.
func (n *Node) SubmitTx(tx ledger.Tx) error {
	if err := ledger.VerifyTxs([]ledger.Tx{tx}); err != nil {
		return fmt.Errorf("submitting tx: %w", err)
	}
	if ok, err := n.pool.Add(tx); err != nil || !ok {
		return fmt.Errorf("submitting tx: not admitted to the pool (%v)", err)
	}
	n.flood(AppendTx(nil, tx), n.cfg.ID)
	return nil
}

func (n *Node) addTx(tx ledger.Tx, from nodes.PeerID) {
	if n.pool.Has(tx.ID()) || ledger.VerifyTxs([]ledger.Tx{tx}) != nil {
		return
	}
	if ok, _ := n.pool.Add(tx); ok {
		n.flood(AppendTx(nil, tx), from)
	}
}

func (n *Node) flood(msg []byte, except nodes.PeerID) {
	for _, p := range n.peers {
		if p != except {
			n.env.Send(p, msg, 0)
		}
	}
}

func (n *Node) known(id [32]byte) bool {
	if n.tree.Has(id) || n.rejected.Has(id) {
		return true
	}
	return n.findPending(n.verifying, id) >= 0 || n.orphans.Has(id) || n.findPending(n.held, id) >= 0 ||
		n.reveal != nil && n.findPending(n.reveal.await, id) >= 0
}

func (n *Node) findPending(list []*pending, id [32]byte) int {
	for i, p := range list {
		if p.id == id {
			return i
		}
	}
	return -1
}

func (n *Node) onBlock(from nodes.PeerID, m *Message, msg []byte) {
	if m.ID == ([32]byte{}) || n.known(m.ID) {
		return
	}
	n.dropReq(m.ID)
	if err := n.checkStateless(&m.Block); err != nil {
		n.strike(from, err)
		n.reject(m.ID, err)
		return
	}
	p := &pending{id: m.ID, blk: m.Block, msg: msg, from: from}
	if !n.tree.Has(m.Block.Header.Prev) {
		n.orphans.Add(p.id, m.Block.Header.Prev, p) // evicts the oldest if full
		if from != n.cfg.ID {
			if prev := n.missingAncestor(m.Block.Header.Prev); !n.known(prev) {
				n.request(prev, from)
			}
		}
		return
	}
	n.verify(p)
}

func (n *Node) maxOrphans() int {
	if n.cfg.MaxOrphans > 0 {
		return n.cfg.MaxOrphans
	}
	return chain.DefaultMaxOrphans
}

// verify runs the contextual checks on a block whose parent is accepted
// and, if Verify is set, queues the evaluation of its model. A block that
// would become the new tip first pauses mining: the processor runs jobs in
// order, so an evaluation queued behind a running training attempt would
// wait for it to finish, and the attempt is likely to be wasted anyway.
func (n *Node) verify(p *pending) {
	parent, _ := n.tree.Get(p.blk.Header.Prev)
	if err := n.checkContext(parent, p); err != nil {
		n.strike(p.from, err)
		n.reject(p.id, err)
		return
	}
	if n.holdEarly(parent, p) {
		return
	}
	if n.reveal != nil && !n.revealReady(p) {
		return
	}
	n.rememberModel(p.blk.Header.Model, p.id)
	if !n.cfg.Verify {
		n.accept(p, float64(p.blk.Header.Accuracy)/PPM)
		return
	}
	if len(n.verifying) >= maxPending {
		n.forgetModel(p.blk.Header.Model, p.id)
		n.reject(p.id, errOverloaded)
		return
	}
	work := parent.ChainWork.Add(n.blockWork(p.blk.Header.Threshold, p.diff))
	if work.Cmp(n.tree.Tip().ChainWork) > 0 {
		n.cancelAttempt()
		p.paused = true
		n.waiting++
	}
	var job nodes.Job = &EvalJob{Model: p.model, Commitment: p.blk.Header.Model, Problem: p.blk.Header.Problem,
		Test: p.testSet(&n.cfg), Labels: LabelsFor(&n.cfg, p.blk.Header.Prev), StandIn: p.standIn(&n.cfg)}
	if n.reveal != nil {
		job = n.revealJob(p)
	}
	if n.cfg.Lottery.Enabled && p.from != n.cfg.ID {
		// The lottery's nonce is the attempt: re-train it (lottery.go).
		// The miner trained the model itself and only evaluates it.
		job = n.retrainJob(p)
	}
	if n.cfg.SpotCheck.Enabled() && p.from != n.cfg.ID {
		// Re-run the drawn segments of the block's training log
		// (spotcheck.go); the miner only evaluates its own block.
		job = n.spotCheckJob(p)
	}
	p.tag = n.nextTag(tagEval)
	// Verification must not wait behind a training attempt: a processor
	// that can time-slice runs it first (see nodes.Preempter).
	if pe, ok := n.env.(nodes.Preempter); ok {
		p.job = pe.ComputeFirst(job, p.tag)
	} else {
		p.job = n.env.Compute(job, p.tag)
	}
	n.verifying = append(n.verifying, p)
}

func (n *Node) onEval(tag uint64, r *EvalResult) {
	i := slices.IndexFunc(n.verifying, func(p *pending) bool { return p.tag == tag })
	if i < 0 {
		return
	}
	p := n.verifying[i]
	n.verifying = slices.Delete(n.verifying, i, i+1)
	p.model = nil
	if p.paused {
		n.waiting--
	}
	switch {
	case r.Mismatch:
		n.forgetModel(p.blk.Header.Model, p.id)
		n.reject(p.id, errTraining)
	case passes(r.Correct, r.N, p.blk.Header.Threshold):
		n.accept(p, r.Accuracy())
	default:
		n.forgetModel(p.blk.Header.Model, p.id)
		n.strike(p.from, errBelow)
		n.reject(p.id, errBelow)
	}
	n.resume()
}

// release hands the orphans of parent to verification (ok) or rejects
// them with their parent.
func (n *Node) release(parent [32]byte, ok bool) {
	for _, k := range n.orphans.Children(parent) {
		if ok {
			n.verify(k)
		} else {
			n.reject(k.id, errBadParent)
		}
	}
}

// reject reports an invalid block and remembers its id in a small ring so
// that announcements of it are ignored; a block that is only too far in
// the future, or that arrived while the node was overloaded, is not
// remembered, since it may yet be valid.
func (n *Node) reject(id [32]byte, err error) {
	if err != errFuture && err != errOverloaded {
		n.rejected.Add(id)
	}
	n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Block: id, Note: err.Error()})
	n.release(id, false)
}
