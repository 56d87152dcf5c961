package coinai

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/nn"
)

// Attacker roles (AttackConfig.Kind). An attacker is a Coin.AI node hosted
// like any other, whose behaviour departs from the protocol's in one
// named way, so that the testbed can measure what an attack wins; honest
// nodes (the zero AttackConfig) run none of this file's code but the
// bookkeeping guards.
const (
	// AttackNone is an honest node.
	AttackNone = ""
	// AttackReuse re-uses models instead of training: on every new tip it
	// looks among the models of the blocks it has accepted (its own, or
	// any) for one whose architecture is the one the tip's hash decodes
	// to, flips PerturbBytes bytes of its weights so that the commitment
	// is new, and publishes it as a block on the tip. Its only compute is
	// the verification of its own block (an evaluation on the test split,
	// the check every node makes before announcing a block), charged as
	// such; no training. If no seen model fits, it mines honestly or idles
	// (Fallback).
	AttackReuse = "reuse"
	// AttackTimestamp mines honestly but stamps a block up to Forward
	// ahead of its clock when that earns a decay step (ThresholdDecay) the
	// honest timestamp would not yet earn: the block's threshold is then
	// one step lower. See timestamp.go.
	AttackTimestamp = "timestamp"
)

// Re-use sources (AttackConfig.Source) and fallbacks (AttackConfig.Fallback).
const (
	// SourceAny re-uses the model of any block the attacker accepted.
	SourceAny = "any"
	// SourceOwn re-uses only models of blocks the attacker mined itself.
	SourceOwn = "own"
	// FallbackMine trains honestly on a tip for which no model fits.
	FallbackMine = "mine"
	// FallbackIdle does nothing on such a tip.
	FallbackIdle = "idle"
)

// NoteReuse is the note of the EvMined event of a block whose model an
// AttackReuse attacker re-used, so that an observer can tell the attempts
// apart from the attacker's honest blocks.
const NoteReuse = "reuse"

// AttackConfig makes a node an attacker; the zero value is honest.
type AttackConfig struct {
	// Kind is AttackNone, AttackReuse or AttackTimestamp.
	Kind string
	// PerturbBytes is the number of weight bytes a re-use flips (>= 1
	// for AttackReuse): each is the low-order byte of a parameter drawn
	// from the node's random stream, XORed with a non-zero byte, so the
	// weight moves by less than 2^-15 of itself and the model keeps its
	// accuracy.
	PerturbBytes int
	// Source is SourceAny (the default when empty) or SourceOwn.
	Source string
	// Fallback is FallbackMine (the default when empty) or FallbackIdle.
	Fallback string
	// Relabel also permutes the re-used model's output units from the
	// label permutation of the model's own parent to that of the new
	// parent (BindLabelPermutation), with no training: model surgery that
	// the label permutation cannot tell from a model trained for the new
	// parent. Without binding the two permutations are the identity and
	// it changes nothing.
	Relabel bool
	// Forward is how far ahead of its clock, in ns, an AttackTimestamp
	// attacker may stamp a block (> 0, at most the run's MaxFutureDrift,
	// beyond which every node refuses the block).
	Forward int64
	// Spam holds the AttackSpam parameters (spam.go), Leak the
	// AttackLeak ones (leak.go); AttackSteal has none (steal.go).
	Spam SpamConfig
	Leak LeakConfig
	// Grind and RealFraction are AttackSpoof's parameters (spoof.go).
	Grind        int
	RealFraction float64
}

func (a *AttackConfig) validate() error {
	switch a.Kind {
	case AttackNone:
		if a.PerturbBytes != 0 || a.Source != "" || a.Fallback != "" || a.Relabel || a.Forward != 0 ||
			a.Spam != (SpamConfig{}) || a.Leak != (LeakConfig{}) || a.Grind != 0 || a.RealFraction != 0 {
			return fmt.Errorf("attack parameters set for an honest node")
		}
		return nil
	case AttackSpam, AttackLeak, AttackSteal:
		if a.Grind != 0 || a.RealFraction != 0 {
			return fmt.Errorf("attack %q: another role's parameters set", a.Kind)
		}
		return a.validateMore()
	case AttackTimestamp:
		switch {
		case a.PerturbBytes != 0 || a.Source != "" || a.Fallback != "" || a.Relabel ||
			a.Spam != (SpamConfig{}) || a.Leak != (LeakConfig{}) || a.Grind != 0 || a.RealFraction != 0:
			return fmt.Errorf("attack %q: another role's parameters set", a.Kind)
		case a.Forward <= 0:
			return fmt.Errorf("attack %q: forward %d ns: want > 0", a.Kind, a.Forward)
		}
		return nil
	case AttackSpoof:
		if err := a.validateSpoof(); err != nil {
			return err
		}
	case AttackReuse:
		if a.Forward != 0 || a.Spam != (SpamConfig{}) || a.Leak != (LeakConfig{}) || a.Grind != 0 || a.RealFraction != 0 {
			return fmt.Errorf("attack %q: another role's parameters set", a.Kind)
		}
	default:
		return fmt.Errorf("attack %q: want %q, %q, %q, %q, %q, %q or %q", a.Kind, AttackNone, AttackReuse, AttackTimestamp,
			AttackSpam, AttackLeak, AttackSteal, AttackSpoof)
	}
	switch {
	case a.PerturbBytes < 1 || a.PerturbBytes > 1<<20:
		return fmt.Errorf("attack %q: perturb bytes %d: want [1, %d]", a.Kind, a.PerturbBytes, 1<<20)
	case a.Source != "" && a.Source != SourceAny && a.Source != SourceOwn:
		return fmt.Errorf("attack %q: source %q: want %q or %q", a.Kind, a.Source, SourceAny, SourceOwn)
	case a.Fallback != "" && a.Fallback != FallbackMine && a.Fallback != FallbackIdle:
		return fmt.Errorf("attack %q: fallback %q: want %q or %q", a.Kind, a.Fallback, FallbackMine, FallbackIdle)
	}
	return nil
}

// reuseState is an AttackReuse attacker's memory: the blocks it accepted,
// by the architecture of their models, and the tip it last tried.
type reuseState struct {
	byArch map[string][]reuseCand
	tried  [32]byte
}

// reuseCand is an accepted block whose model may be re-used.
type reuseCand struct {
	id, prev [32]byte
	acc      float64 // its test accuracy as the attacker verified it
}

func newReuseState() *reuseState { return &reuseState{byArch: map[string][]reuseCand{}} }

// recordReuse remembers an accepted block's model as a re-use candidate:
// its architecture is the grammar's for its parent (checkContext checked
// it), so the candidate is filed under that without decoding the model.
func (n *Node) recordReuse(id [32]byte, h *Header, acc float64) {
	if n.cfg.Attack.Source == SourceOwn && h.Miner != n.addr {
		return
	}
	a, err := n.archFor(h.Prev, &n.cfg.Default)
	if err != nil {
		return
	}
	k := a.String()
	n.reuse.byArch[k] = append(n.reuse.byArch[k], reuseCand{id: id, prev: h.Prev, acc: acc})
}

// tryReuse publishes a block on tip whose model is a perturbed copy of
// the best seen model (highest verified accuracy, the first seen on ties)
// of the architecture tip's hash decodes to, if one reaches the threshold
// as the attacker last measured it. The block then goes through the
// node's own verification like any it mines: an evaluation on the test
// split, the attacker's only compute.
func (n *Node) tryReuse(tip chain.Entry[*rec]) {
	problem, d := n.problemFor(n.state, tip.ID)
	want, err := n.archFor(tip.ID, d)
	if err != nil {
		return
	}
	t := n.blockTime(tip)
	thr := n.thresholdAt(tip, t)
	cands := n.reuse.byArch[want.String()]
	best := -1
	for i, c := range cands {
		if best < 0 || c.acc > cands[best].acc {
			best = i
		}
	}
	if best < 0 || !(cands[best].acc*PPM >= float64(thr)) {
		return
	}
	src := cands[best]
	e, ok := n.tree.Get(src.id)
	if !ok {
		return
	}
	msg, err := DecodeMessage(e.Payload.msg)
	if err != nil || msg.Type != MsgBlock {
		return
	}
	m, err := nn.UnmarshalModel(msg.Block.Model)
	if err != nil || !archEqual(m.Arch, want) {
		return
	}
	if n.cfg.Attack.Relabel {
		if err := relabelOutput(m, LabelsFor(&n.cfg, src.prev), LabelsFor(&n.cfg, tip.ID)); err != nil {
			return
		}
	}
	var raw []byte
	for range 8 { // a perturbation that hits a known commitment is drawn again
		perturb(m.Params, n.cfg.Attack.PerturbBytes, n.env.Rand())
		if raw, err = m.MarshalBinary(); err != nil {
			return
		}
		if _, dup := n.models[ModelCommitment(raw, n.chunkSize())]; !dup {
			break
		}
		raw = nil
	}
	if raw == nil {
		return
	}
	if n.spoof != nil {
		// A spoofer fabricates a training log for the copy (spoof.go).
		n.startSpoof(tip, problem, raw, src.acc)
		return
	}
	n.publish(tip, problem, raw, t, uint32(math.Round(src.acc*PPM)), thr, 0, NoteReuse)
}

// perturb flips k weight bytes of params: each the low-order byte of a
// parameter drawn from rng, XORed with a non-zero byte from rng.
func perturb(params []float32, k int, rng *rand.Rand) {
	if len(params) == 0 {
		return
	}
	for range k {
		i := rng.IntN(len(params))
		bits := math.Float32bits(params[i]) ^ uint32(1+rng.IntN(255))
		params[i] = math.Float32frombits(bits)
	}
}

// relabelOutput permutes m's output units so that a model fitted to labels
// mapped by from (nil: as they are) predicts labels mapped by to: output
// unit to[c] takes the weights and bias of unit from[c]. The output layer
// is the last of m.Params: its weights W[i*classes+j], input i to unit j,
// then its biases.
func relabelOutput(m *nn.Model, from, to []uint8) error {
	c := m.Arch.Classes
	last, err := m.Arch.OutShape(len(m.Arch.Layers) - 1)
	if err != nil {
		return err
	}
	in := last.Size()
	if len(m.Params) < (in+1)*c || (from != nil && len(from) != c) || (to != nil && len(to) != c) {
		return fmt.Errorf("relabel: %d parameters, %d classes, %d inputs", len(m.Params), c, in)
	}
	at := func(p []uint8, k int) int {
		if p == nil {
			return k
		}
		return int(p[k])
	}
	out := m.Params[len(m.Params)-(in+1)*c:]
	old := append([]float32(nil), out...)
	for k := range c {
		dst, src := at(to, k), at(from, k)
		for i := range in + 1 { // in weight rows, then the bias row
			out[i*c+dst] = old[i*c+src]
		}
	}
	return nil
}
