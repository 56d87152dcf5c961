package coinai

import (
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
)

// Decay clocks (Config.DecayClock): when a block may take a step of the
// threshold decay (ThresholdDecay).
//
// The threshold a child of P must pass drops one step for every two
// target intervals its timestamp lies after P's, and a node accepts a
// timestamp up to MaxFutureDrift ahead of its own clock (half an interval
// when the decay is on). The timestamp is the miner's claim: a miner that
// stamps its block up to the drift ahead reaches every decay step that
// much before it is due, and mines against a threshold one step lower
// than an honest miner at the same instant (AttackTimestamp;
// TestTimestampAttackEarnsDecayStepEarly).
const (
	// DecayClockTimestamp counts the decay to the block's timestamp as
	// soon as the block arrives (the rule of the paper's testbed; the
	// default, so that chains without the option are unchanged).
	DecayClockTimestamp = "timestamp"
	// DecayClockVerifier counts a decay step only once the verifier's own
	// clock has reached it: a block whose threshold is decayed
	// (thresholdAt(P, t) below P's undecayed threshold) and whose
	// timestamp t lies ahead of the node's clock is held, neither accepted
	// nor relayed nor rejected, until the clock reaches t, and is then
	// verified as usual. Validity stays a function of the headers (a node
	// that sees the block later judges it the same), only the moment of
	// acceptance moves: a step claimed early is honoured when it falls
	// due, when an honest miner earns it too. Honest blocks are stamped
	// with the miner's clock, which no node's clock trails by more than
	// the skew between clocks (none in the simulator): they are never
	// held, and honest mining is unchanged. Blocks that do not take a
	// decay step keep the drift rule, so an honest child stamped just
	// after a forward-stamped parent is not held either.
	DecayClockVerifier = "verifier"
)

// NoteTimestamp is the note of the EvMined event of a block that an
// AttackTimestamp attacker stamped ahead of its clock.
const NoteTimestamp = "timestamp"

// tagHold tags the timer of a held block (DecayClockVerifier).
const tagHold = 8 << 56

// forwardStamp is the stamp and threshold an AttackTimestamp attacker
// would give a block on parent now whose model misses the honest
// threshold: the next decay step's boundary, if it lies at most Forward
// ahead of the honest stamp, with the step's lower threshold. That is the
// least lie that earns the step early. The attacker stamps ahead only for
// such a model, and mines honestly otherwise: a decayed threshold is also
// less work in the fork choice, so a model that passes the honest
// threshold gains nothing by it. For an honest node, or when the step is
// out of reach, it returns the honest stamp and threshold.
func (n *Node) forwardStamp(parent chain.Entry[*rec]) (int64, uint32) {
	t := n.blockTime(parent)
	thr := n.thresholdAt(parent, t)
	if n.cfg.Attack.Kind != AttackTimestamp || n.cfg.ThresholdDecay == 0 {
		return t, thr
	}
	period := 2 * n.cfg.TargetInterval
	pt := parent.Payload.hdr.Time
	next := pt + ((t-pt)/period+1)*period
	if next-t <= n.cfg.Attack.Forward {
		if lower := n.thresholdAt(parent, next); lower < thr {
			return next, lower
		}
	}
	return t, thr
}

// holdEarly holds p, a block that passed the contextual checks against
// parent, if the decay clock is the verifier's, p's threshold takes a
// decay step and p's timestamp is ahead of the node's clock; it reports
// whether it did. A held block is released to verify when its time comes.
func (n *Node) holdEarly(parent chain.Entry[*rec], p *pending) bool {
	h := &p.blk.Header
	now := n.env.Now()
	if n.cfg.DecayClock != DecayClockVerifier || h.Time <= now || h.Threshold >= n.nextThreshold(parent) {
		return false
	}
	if len(n.held) >= maxPending {
		n.reject(p.id, errOverloaded)
		return true
	}
	p.tag = n.nextTag(tagHold)
	n.env.After(h.Time-now, p.tag)
	n.held = append(n.held, p)
	n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: p.id, Parent: h.Prev, Height: int64(h.Height),
		Note: "held: decay step before its time"})
	return true
}

// onHold releases the held block whose timer fired to verification.
func (n *Node) onHold(tag uint64) {
	i := slices.IndexFunc(n.held, func(p *pending) bool { return p.tag == tag })
	if i < 0 {
		return
	}
	p := n.held[i]
	n.held = slices.Delete(n.held, i, i+1)
	p.tag = 0
	n.verify(p)
}
