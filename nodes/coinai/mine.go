package coinai

import (
	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// resume starts a training attempt on the tip if the node mines, has none
// in progress and is not waiting for the verdict on a would-be tip.
func (n *Node) resume() {
	if !n.cfg.Miner || n.env == nil || n.job != 0 || n.waiting > 0 {
		return
	}
	tip := n.tree.Tip()
	switch {
	case n.spam != nil:
		n.spamResume()
		return
	case n.steal != nil:
		return // a thief never trains
	}
	if n.reuse != nil {
		// An attacker (AttackReuse) first tries to re-use a model it has
		// seen on the new tip; its block's verification then holds mining.
		if n.reuse.tried != tip.ID {
			n.reuse.tried = tip.ID
			n.tryReuse(tip)
			if n.job != 0 || n.waiting > 0 || n.tree.Tip().ID != tip.ID {
				return
			}
		}
		if n.cfg.Attack.Fallback == FallbackIdle {
			return
		}
	}
	if tip.ID != n.attemptTip {
		n.attemptTip, n.attempt, n.lastModel = tip.ID, 0, nil
	}
	problem, d := n.problemFor(n.state, tip.ID)
	arch, err := n.archFor(tip.ID, d)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: tip.ID, Note: "cannot mine: " + err.Error()})
		return
	}
	job := &TrainJob{
		Arch: arch, Data: d, Problem: problem,
		Seed:   Seed(tip.ID, n.addr, n.attempt),
		Train:  nn.TrainConfig{Epochs: n.cfg.Epochs, Batch: n.cfg.Batch, LR: n.cfg.LR, Momentum: n.cfg.Momentum, Serial: true},
		Labels: LabelsFor(&n.cfg, tip.ID),
		// Under spot-checking the attempt logs its checkpoints.
		CheckpointEvery: n.cfg.SpotCheck.Every,
	}
	if n.leak != nil {
		job.Data = n.leakData(tip, d)
	}
	if n.mode == ModeContinue && n.lastModel != nil {
		job.From, job.Train.Epochs = n.lastModel, 1
	}
	n.jobTag = n.nextTag(tagAttempt)
	n.jobTip, n.jobHeight, n.jobProblem = tip.ID, tip.Height+1, problem
	if n.cfg.Sampler != nil {
		n.job = n.env.Compute(&SampledJob{Train: job}, n.jobTag)
		return
	}
	n.job = n.env.Compute(job, n.jobTag)
}

// cancelAttempt discards the attempt in progress, if any: once a block is
// appended, work on its siblings is worthless (the paper's fifth
// requirement).
func (n *Node) cancelAttempt() {
	if n.job == 0 {
		return
	}
	n.env.Cancel(n.job)
	n.job = 0
	n.env.Observe(nodes.Event{Kind: nodes.EvAttemptCancelled, Parent: n.jobTip, Height: n.jobHeight})
}

func (n *Node) onAttempt(r *TrainResult) {
	if n.spoof != nil && n.spoof.job && n.spoof.tag == n.jobTag {
		n.onSpoof(r)
		return
	}
	n.job = 0
	tip := n.tree.Tip()
	ev := nodes.Event{Kind: nodes.EvAttemptDone, Parent: n.jobTip, Height: n.jobHeight, Value: r.ValAccuracy()}
	if r.drawn {
		ev.Note = NoteSampled
	}
	n.env.Observe(ev)
	if r.Err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Parent: n.jobTip, Note: "attempt failed: " + r.Err.Error()})
		return
	}
	attempt := n.attempt
	n.attempt++
	if n.mode == ModeContinue {
		n.lastModel = r.Model
	}
	t := n.blockTime(tip)
	thr := n.thresholdAt(tip, t)
	note := ""
	if !passes(r.ValCorrect, r.ValN, thr) {
		// A timestamp attacker stamps ahead when that lowers the
		// threshold below the model's accuracy (timestamp.go).
		if ts, tthr := n.forwardStamp(tip); passes(r.ValCorrect, r.ValN, tthr) {
			t, thr, note = ts, tthr, NoteTimestamp
		}
	}
	if tip.ID == n.jobTip && passes(r.ValCorrect, r.ValN, thr) &&
		n.ticketWins(tip, r.Model) {
		n.mine(tip, r, t, thr, attempt, note)
	}
	n.resume()
}

// mine builds, signs and reports a block for a successful attempt, then
// verifies it like any received block: the miner is its first validator,
// and announces the block only once it has passed.
func (n *Node) mine(tip chain.Entry[*rec], r *TrainResult, t int64, thr uint32, attempt uint32, note string) {
	acc := uint32(uint64(r.ValCorrect) * PPM / uint64(r.ValN))
	model := r.Model
	if r.drawn {
		// The drawn attempt's real model, made this attempt's own (sampled.go).
		if model = n.drawnModel(model); model == nil {
			n.env.Observe(nodes.Event{Kind: nodes.EvNote, Parent: tip.ID, Note: "drawn model does not decode or is known"})
			return
		}
	}
	n.spotLog = r.Checkpoints
	n.publish(tip, n.jobProblem, model, t, acc, thr, attempt, note)
}

// publish builds and signs a block on tip stamped t carrying model,
// trained for problem, reports it (EvMined, with note, and the rewards it would pay)
// and hands it to the node's own verification, which announces it once it
// has passed.
func (n *Node) publish(tip chain.Entry[*rec], problem [32]byte, model []byte, t int64, acc, thr, attempt uint32, note string) {
	if n.reveal != nil && !n.reveal.now {
		// Commit–reveal: commit now, publish after the delay (reveal.go).
		n.commitLater(tip, problem, model, t, acc, thr, attempt, note)
		return
	}
	txs := n.pool.Select(n.state, n.cfg.MaxBlockTxs)
	if n.stor != nil {
		txs = n.proofsForParent(tip, txs)
	}
	h := Header{
		Version: Version, Prev: tip.ID, Height: uint64(tip.Height + 1),
		Time:    t,
		Problem: problem, Model: n.commitModel(model), TxRoot: TxRoot(txs),
		Accuracy: acc, Threshold: thr, Attempt: attempt,
	}
	if err := h.Sign(n.cfg.Key); err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Note: "cannot sign: " + err.Error()})
		return
	}
	blk := Block{Header: h, Model: model, Txs: txs}
	if !n.spotFinish(&h, &blk) {
		return
	}
	msg := AppendBlock(nil, &blk)
	id := h.ID()
	n.reportMined(&h, id, len(msg)+n.minedPadding(tip, problem, len(model)), txs, note)
	m, err := DecodeMessage(msg)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: id, Note: "mined block does not decode: " + err.Error()})
		return
	}
	n.onBlock(n.cfg.ID, &m, msg)
}

// reportMined reports a block the node built (EvMined, with note, and the
// rewards it would pay: EvReward for the block reward, the fees and a
// solved problem's fee).
func (n *Node) reportMined(h *Header, id [32]byte, size int, txs []ledger.Tx, note string) {
	n.env.Observe(nodes.Event{Kind: nodes.EvMined, Block: id, Parent: h.Prev, Height: int64(h.Height),
		Miner: n.cfg.ID, Size: size, Value: float64(h.Threshold) / PPM, Note: note})
	var fees ledger.Amount
	for _, tx := range txs {
		if tx.Kind() != ledger.KindProblem {
			fees += tx.Header().Fee
		}
	}
	rewards := []struct {
		amt  ledger.Amount
		note string
	}{{n.cfg.BlockReward, "block"}, {fees, "fee"}}
	if p, ok := n.state.Problem(h.Problem); ok && h.Problem != ([32]byte{}) {
		rewards = append(rewards, struct {
			amt  ledger.Amount
			note string
		}{p.Fee, "problem"})
	}
	for _, rw := range rewards {
		if rw.amt > 0 || rw.note == "block" {
			n.env.Observe(nodes.Event{Kind: nodes.EvReward, Block: id, Height: int64(h.Height), Miner: n.cfg.ID,
				Value: float64(rw.amt) / float64(ledger.Coin), Note: rw.note})
		}
	}
}
