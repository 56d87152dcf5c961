package coinai

import (
	"errors"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// nextThreshold is the threshold rule for a child of parent: every
// ThresholdWindow blocks (at heights that are multiples of W) the threshold
// is retargeted on the time the last W blocks took, from the block at
// height h-1-W (or genesis) to the parent at h-1, against the planned time
// of the same number of intervals; between retargets a block inherits its
// parent's threshold, decay included. Under the lottery it is
// ThresholdInitial for every block: the difficulty holds the interval, and
// a decay taken by one block does not lower the floor of the next.
func (n *Node) nextThreshold(parent chain.Entry[*rec]) uint32 {
	if n.cfg.Lottery.Enabled {
		// The usefulness floor; the decay applies per block, from it.
		return toPPM(n.cfg.ThresholdInitial)
	}
	old := parent.Payload.hdr.Threshold
	w := int64(n.cfg.ThresholdWindow)
	h := parent.Height + 1
	if w <= 0 || h%w != 0 {
		return old
	}
	from := max(parent.Height-w, 0)
	first, ok := n.tree.Ancestor(parent.ID, from)
	if !ok || from == parent.Height {
		return old
	}
	actual := parent.Payload.hdr.Time - first.Payload.hdr.Time
	target := (parent.Height - from) * n.cfg.TargetInterval
	return Retarget(old, actual, target, toPPM(n.cfg.ThresholdMaxStep), toPPM(n.cfg.ThresholdMin))
}

// thresholdAt is the threshold a child of parent stamped at time t must
// pass: nextThreshold, lowered by ThresholdDecay for every two target
// intervals t lies after the parent, never below ThresholdMin.
func (n *Node) thresholdAt(parent chain.Entry[*rec], t int64) uint32 {
	thr := n.nextThreshold(parent)
	decay := toPPM(n.cfg.ThresholdDecay)
	period := 2 * n.cfg.TargetInterval
	elapsed := t - parent.Payload.hdr.Time
	if decay == 0 || period <= 0 || elapsed < period {
		return thr
	}
	floor := toPPM(n.cfg.ThresholdMin)
	drop := uint64(elapsed/period) * uint64(decay)
	if uint64(thr) <= uint64(floor)+drop {
		return min(thr, floor)
	}
	return uint32(uint64(thr) - drop)
}

// blockTime is the timestamp a block mined now on parent gets.
func (n *Node) blockTime(parent chain.Entry[*rec]) int64 {
	return max(n.env.Now(), parent.Payload.hdr.Time+1)
}

// problemFor is the problem a child of prev must solve, given the state at
// prev: the ledger's next open problem if it names data this chain can
// serve (the default data set, with its classes and shape), else the
// default problem (zero id).
func (n *Node) problemFor(st *ledger.State, prev [32]byte) ([32]byte, *Data) {
	if n.mkt != nil {
		return n.marketProblemFor(st, prev)
	}
	d := &n.cfg.Default
	p, ok := st.NextProblem(prev)
	if !ok {
		return [32]byte{}, d
	}
	t := d.Train
	shapeOK := p.InC == 0 && p.InH == 0 && p.InW == 0 ||
		int(p.InC) == t.C && int(p.InH) == t.H && int(p.InW) == t.W
	if p.Dataset != d.Name || int(p.Classes) != t.Classes || !shapeOK {
		return [32]byte{}, d
	}
	return p.ID(), d
}

// archFor is the architecture a child of prev must train on d.
func (n *Node) archFor(prev [32]byte, d *Data) (nn.Arch, error) {
	t := d.Train
	return grammar.Decode(prev, n.rangesFor(d), t.C, t.H, t.W, t.Classes)
}

func archEqual(a, b nn.Arch) bool {
	return a.InC == b.InC && a.InH == b.InH && a.InW == b.InW && a.Classes == b.Classes &&
		slices.Equal(a.Layers, b.Layers)
}

func (n *Node) effects(h *Header, txs []ledger.Tx, mints []ledger.Mint) ledger.BlockEffects {
	e := ledger.BlockEffects{Miner: h.Miner, Reward: n.cfg.BlockReward, Solves: h.Problem, Mints: mints, Txs: txs}
	if n.mkt != nil {
		n.marketEffects(h, &e)
	}
	return e
}

// chunkSize is the chunk size of the model commitment: 0 (flat SHA-256)
// without proof-of-storage.
func (n *Node) chunkSize() int {
	if !n.cfg.Storage.Enabled {
		return 0
	}
	return n.cfg.Storage.ChunkSize
}

// Rejection reasons (Event.Note of EvRejected).
var (
	errVersion    = errors.New("bad-version")
	errHeight     = errors.New("bad-height")
	errThresholdV = errors.New("bad-threshold")
	errAccuracy   = errors.New("bad-accuracy")
	errCommitment = errors.New("bad-commitment")
	errTxRoot     = errors.New("bad-txroot")
	errTx         = errors.New("bad-tx")
	errFuture     = errors.New("future-time")
	errTime       = errors.New("bad-time")
	errProblem    = errors.New("wrong-problem")
	errModel      = errors.New("bad-model")
	errArch       = errors.New("wrong-architecture")
	errDuplicate  = errors.New("duplicate-model")
	errLedger     = errors.New("bad-ledger")
	errBelow      = errors.New("below-threshold")
	errBadParent  = errors.New("bad-parent")
	errOverloaded = errors.New("overloaded")
	errTicket     = errors.New("losing-ticket")
	errTraining   = errors.New("bad-training")
)

// checkStateless is the validation that needs no parent, cheapest first.
func (n *Node) checkStateless(b *Block) error {
	h := &b.Header
	switch {
	case h.Version != Version:
		return errVersion
	case h.Height == 0 || h.Height > math.MaxInt32:
		return errHeight
	case h.Threshold > MaxThreshold:
		return errThresholdV
	case h.Accuracy > PPM:
		return errAccuracy
	case h.Time > n.env.Now()+n.cfg.MaxFutureDrift:
		return errFuture
	case n.headerModel(b) != h.Model:
		return errCommitment
	case TxRoot(b.Txs) != h.TxRoot:
		return errTxRoot
	}
	if err := verifySigMemo(h); err != nil {
		return err
	}
	if err := ledger.VerifyTxs(b.Txs); err != nil {
		return errTx
	}
	return nil
}

// checkContext validates p against its accepted parent and, on success,
// leaves the decoded model in p.model.
func (n *Node) checkContext(parent chain.Entry[*rec], p *pending) error {
	h := &p.blk.Header
	ph := parent.Payload.hdr
	switch {
	case int64(h.Height) != parent.Height+1:
		return errHeight
	case h.Time <= ph.Time:
		return errTime
	case h.Threshold != n.thresholdAt(parent, h.Time):
		return errThresholdV
	}
	if n.duplicate(parent, h.Model, p.id) {
		return errDuplicate
	}
	if n.cfg.Lottery.Enabled {
		// A hash, before the model is even decoded.
		p.diff = n.nextDifficulty(parent)
		if !TicketWins(Ticket(h.Prev, h.Miner, h.Model), p.diff) {
			return errTicket
		}
	}
	// Every problem this chain serves uses the default data (see
	// problemFor), so the architecture is checked before the ledger work:
	// a model for the wrong network is refused without replaying blocks.
	p.data = n.claimedData(parent, h.Problem)
	want, err := n.archFor(parent.ID, p.data)
	if err != nil {
		return errArch
	}
	m, err := decodeMemo(p.id, p.blk.Model)
	if err != nil {
		return errModel
	}
	if !archEqual(m.Arch, want) {
		return errArch
	}
	if n.stor != nil {
		p.reg, p.mints = n.nextRegistry(parent, h, p.id, int64(len(p.blk.Model)), p.blk.Txs)
	}
	err = n.withStateAt(parent, func(st *ledger.State) error {
		if problem, _ := n.problemFor(st, parent.ID); h.Problem != problem {
			return errProblem
		}
		u, err := st.Apply(n.effects(h, p.blk.Txs, p.mints))
		if err != nil {
			return errLedger
		}
		st.Revert(u)
		return nil
	})
	if err == nil {
		p.model = m
	}
	return err
}
