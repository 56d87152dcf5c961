package coinai

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/nn"
)

// Invalid-model spam (issue #13). A block's model is checked by
// evaluating it on the test split, and that is the costly part of
// verification: a sender that floods blocks whose models miss the
// threshold makes every node that receives them pay an evaluation per
// block, and, since such a block claims the tip's threshold and so would
// become the new tip, cancel the training attempt it had in progress
// (verify pauses mining for a would-be tip). The spammer itself pays
// next to nothing: an untrained model of the right architecture and a
// signature.
const (
	// AttackSpam publishes, on every new tip, SpamConfig.PerTip blocks
	// (and one more every SpamConfig.Interval) whose models are untrained
	// networks of the tip's architecture, so their accuracy is about
	// chance, far below any threshold, while their headers claim the
	// threshold as their accuracy. It sends each block in full to all its
	// peers at once (a push, not an announcement), never verifies it and
	// never trains.
	AttackSpam = "spam"
	// NoteSpam is the note of the EvNote an AttackSpam attacker reports
	// for every block it sends (Block: its id; Value: the counted FLOPs of
	// a full evaluation of its model on the test split, what each node
	// that evaluates it pays), so that observers can attribute the
	// verification the spam costs.
	NoteSpam = "spam"
)

// SpamConfig is the AttackSpam parameters.
type SpamConfig struct {
	// PerTip is the number of spam blocks sent on every new tip (>= 0).
	PerTip int
	// Interval, in ns, sends one more spam block on the current tip every
	// Interval (0: none). PerTip and Interval must not both be 0.
	Interval int64
	// Malformed sends model bytes that do not decode (garbage of the
	// right size) instead of untrained models: the cheap-to-reject case.
	Malformed bool
}

// validateMore checks the parameters of the roles spam, leak and steal.
func (a *AttackConfig) validateMore() error {
	if a.PerturbBytes != 0 || a.Source != "" || a.Fallback != "" || a.Relabel || a.Forward != 0 {
		return fmt.Errorf("attack %q: another role's parameters set", a.Kind)
	}
	switch a.Kind {
	case AttackSpam:
		s := a.Spam
		switch {
		case a.Leak != (LeakConfig{}):
			return fmt.Errorf("attack %q: leak parameters set", a.Kind)
		case s.PerTip < 0 || s.PerTip > 1<<16:
			return fmt.Errorf("attack %q: per tip %d: want [0, %d]", a.Kind, s.PerTip, 1<<16)
		case s.Interval < 0:
			return fmt.Errorf("attack %q: interval %d ns: negative", a.Kind, s.Interval)
		case s.Interval > 0 && s.Interval < 1e6:
			return fmt.Errorf("attack %q: interval %d ns: want at least 1 ms", a.Kind, s.Interval)
		case s.PerTip == 0 && s.Interval == 0:
			return fmt.Errorf("attack %q: per tip and interval both 0: it would send nothing", a.Kind)
		}
	case AttackLeak:
		if a.Spam != (SpamConfig{}) {
			return fmt.Errorf("attack %q: spam parameters set", a.Kind)
		}
		if f := a.Leak.Fraction; !(f > 0 && f <= 1) {
			return fmt.Errorf("attack %q: fraction %v: want (0, 1]", a.Kind, f)
		}
	case AttackSteal:
		if a.Spam != (SpamConfig{}) || a.Leak != (LeakConfig{}) {
			return fmt.Errorf("attack %q: another role's parameters set", a.Kind)
		}
	}
	return nil
}

// tagSpam is the timer of AttackSpam's Interval.
const tagSpam = 9 << 56

// spamState is an AttackSpam attacker's memory.
type spamState struct {
	tip   [32]byte // the last tip it spammed
	count uint32   // blocks sent, the attempt number of the next
}

// spamResume is resume for an AttackSpam attacker: PerTip blocks on a new
// tip, no training.
func (n *Node) spamResume() {
	tip := n.tree.Tip()
	if n.spam.tip == tip.ID && n.spam.count > 0 {
		return
	}
	n.spam.tip = tip.ID
	for range n.cfg.Attack.Spam.PerTip {
		n.sendSpam(tip)
	}
	if n.spam.count == 0 {
		n.spam.count = 1 // the tip is marked as spammed even with PerTip 0
	}
}

// onSpamTimer sends one spam block on the current tip and sets the next
// timer.
func (n *Node) onSpamTimer() {
	n.sendSpam(n.tree.Tip())
	n.env.After(n.cfg.Attack.Spam.Interval, tagSpam)
}

// sendSpam builds, signs and pushes one spam block on tip to every peer.
func (n *Node) sendSpam(tip chain.Entry[*rec]) {
	problem, d := n.problemFor(n.state, tip.ID)
	arch, err := n.archFor(tip.ID, d)
	if err != nil {
		return
	}
	m, err := nn.NewModel(arch, n.env.Rand().Uint64())
	if err != nil {
		return
	}
	raw, err := m.MarshalBinary()
	if err != nil {
		return
	}
	if n.cfg.Attack.Spam.Malformed {
		// Garbage of the model's size: the header field the decoder reads
		// first is overwritten so that it never decodes.
		for i := range raw {
			raw[i] = byte(n.env.Rand().Uint32())
		}
		copy(raw, "junk")
	}
	t := n.blockTime(tip)
	thr := n.thresholdAt(tip, t)
	h := Header{Version: Version, Prev: tip.ID, Height: uint64(tip.Height + 1), Time: t,
		Problem: problem, Model: ModelCommitment(raw, n.chunkSize()), TxRoot: TxRoot(nil),
		Accuracy: thr, Threshold: thr, Attempt: n.spam.count}
	n.spam.count++
	if err := h.Sign(n.cfg.Key); err != nil {
		return
	}
	blk := Block{Header: h, Model: raw}
	msg := AppendBlock(nil, &blk)
	var flops float64
	if !n.cfg.Attack.Spam.Malformed {
		flops = arch.EvalFLOPs(n.cfg.Default.Test.Len())
	}
	n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: h.ID(), Parent: tip.ID, Height: int64(h.Height),
		Miner: n.cfg.ID, Size: len(msg), Value: flops, Note: NoteSpam})
	if n.reveal != nil {
		n.sendCommit(tip.ID, h.Model, h.Attempt)
	}
	for _, p := range n.peers {
		n.env.Send(p, msg, 0)
	}
}
