package pow

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
)

// The double-spend attacker (issue #12, after Nakamoto 2008 §11 and
// Rosenfeld 2014): a node with a share q of the hash rate pays a merchant,
// mines a private chain that holds a conflicting spend of the same coin,
// waits until the merchant has accepted the payment (Z confirmations on the
// public chain) and publishes its chain as soon as it is longer than the
// public one, which reverts the payment. It gives up when the public chain
// is MaxDeficit blocks ahead of its private chain, and starts again.
//
// What is real and what is declared ("pow.doublespend=declared-payment" in
// the run's fidelity list):
//   - The conflicting spend is real: the attacker's first private block
//     commits to it, its filler seed being ConflictMarker(attacker,
//     attempt), and the summary counts a success only if that block is on
//     the run's final main chain.
//   - The payment is declared: honest blocks carry declared filler only
//     (pow.body=declared-filler), so the payment is taken to be in the
//     first honest block above the fork point, and the merchant's Z
//     confirmations are counted on the public chain as the attacker's
//     node sees it (with negligible network delay, as the merchant sees
//     it).
//
// Honest nodes run none of this file's code.

// DoubleSpendFidelity is the fidelity note of a run with double-spend
// attackers (see above).
const DoubleSpendFidelity = "pow.doublespend=declared-payment: the payment is declared to be in the first honest block above the fork point (honest blocks carry declared filler only) and the merchant's confirmations are counted on the public chain as the attacker's node sees it; the conflicting spend is a marker committed in the attacker's first private block, and a success counts only if that block ends on the main chain"

// Race is the attacker's decision rule, shared by the node and by the
// event-level race of the calibration (scenarios/calibrate), so that both
// measure the same attacker. A race counts the attacker's private blocks
// and the honest blocks since the fork point.
type Race struct {
	// Z is the merchant's confirmations: it accepts the payment once the
	// public chain holds Z blocks above the fork point (the payment's
	// block and Z-1 more).
	Z int
	// Lead is how far the private chain must be ahead to publish: 1 in a
	// network that keeps the first-seen of equal chains (this one); 0 in
	// Nakamoto's model, in which catching up is enough.
	Lead int
	// MaxDeficit is the give-up cutoff: the attacker abandons the race
	// when the public chain is this many blocks ahead. Giving up at
	// deficit D loses the successes that would have come from there,
	// which happen with probability (q/p)^(D+Lead) (the gambler's ruin);
	// the measured rate is therefore low by at most that much
	// (CutoffBias).
	MaxDeficit int
	// Attacker and Honest are the blocks of each side since the fork.
	Attacker, Honest int
}

// Decision is what the attacker does after a block.
type Decision int

const (
	// Mine on: the race goes on.
	Mine Decision = iota
	// Publish the private chain: the merchant has accepted the payment
	// and the private chain leads by Lead.
	Publish
	// GiveUp the race: the deficit reached MaxDeficit.
	GiveUp
)

// Decide is the attacker's decision given the blocks so far.
func (r *Race) Decide() Decision {
	if r.Honest >= r.Z && r.Attacker-r.Honest >= r.Lead {
		return Publish
	}
	if r.MaxDeficit > 0 && r.Honest-r.Attacker >= r.MaxDeficit {
		return GiveUp
	}
	return Mine
}

// CutoffBias bounds how much the give-up cutoff lowers the success rate of
// an attacker with hash share q: (q/p)^(MaxDeficit+Lead), the chance of
// ever gaining MaxDeficit+Lead blocks on the honest chain.
func (r *Race) CutoffBias(q float64) float64 {
	if r.MaxDeficit <= 0 {
		return 0
	}
	return math.Pow(q/(1-q), float64(r.MaxDeficit+r.Lead))
}

// DoubleSpendConfig configures a double-spend attacker (scenario role
// "doublespend", table [group.doublespend]).
type DoubleSpendConfig struct {
	// Confirmations is the merchant's Z, >= 1.
	Confirmations int
	// MaxDeficit is the give-up cutoff (Race.MaxDeficit), >= 1.
	MaxDeficit int
	// Premine: the attacker first mines the block holding the conflicting
	// spend in private, and only then pays (Rosenfeld's assumption of one
	// pre-mined block); if an honest block comes first, it mines again on
	// it. Without it, the attacker pays at once and mines from the tip.
	Premine bool
}

func (c *DoubleSpendConfig) validate() error {
	switch {
	case c.Confirmations < 1:
		return fmt.Errorf("double spend: confirmations %d: want >= 1", c.Confirmations)
	case c.MaxDeficit < 1:
		return fmt.Errorf("double spend: max deficit %d: want >= 1", c.MaxDeficit)
	}
	return nil
}

// ConflictMarker is the id of the attacker's conflicting spend in its
// attempt: the filler seed of its first private block, which the Merkle
// root commits to.
func ConflictMarker(attacker nodes.PeerID, attempt uint64) uint64 {
	var b [32]byte
	copy(b[:], "coinai/doublespend/conflict")
	binary.LittleEndian.PutUint32(b[20:], uint32(attacker))
	binary.LittleEndian.PutUint64(b[24:], attempt)
	h := sha256d(b[:])
	return binary.LittleEndian.Uint64(h[:8])
}

// Notes of the double-spend attacker's EvNote events, which the observer
// counts (summary keys doublespend_*). A success carries the conflict
// block as Block.
const (
	NoteDoubleSpendStart   = "doublespend start"
	NoteDoubleSpendSuccess = "doublespend success"
	NoteDoubleSpendGiveUp  = "doublespend give-up"
)

// tagDoubleSpend is the attacker's private mining timer (the honest
// node's tags are tagMine and tagRequest).
const tagDoubleSpend = 3 << 56

// DoubleSpender is a double-spend attacker: an honest non-mining node
// that validates, stores and relays the public chain, plus a private miner.
type DoubleSpender struct {
	*Node
	ds       DoubleSpendConfig
	hashRate float64

	attempt uint64
	racing  bool             // the payment was made; else premining
	fork    chain.Entry[raw] // the fork point: the public tip at the start
	private []Message        // the private chain, oldest first
	race    Race
	pubTip  [32]byte

	timer nodes.Handle
	seq   uint64
}

var _ nodes.Node = (*DoubleSpender)(nil)

// NewDoubleSpender returns an attacker; cfg.Miner is ignored (the honest
// part does not mine) and cfg.HashRate is the attacker's private rate.
func NewDoubleSpender(cfg Config, ds DoubleSpendConfig) (*DoubleSpender, error) {
	if err := ds.validate(); err != nil {
		return nil, fmt.Errorf("pow config: %w", err)
	}
	if !(cfg.HashRate > 0) || math.IsInf(cfg.HashRate, 0) {
		return nil, fmt.Errorf("pow config: double spend: hash rate %v: want a positive finite rate", cfg.HashRate)
	}
	if cfg.RetargetWindow != 0 {
		return nil, fmt.Errorf("pow config: double spend: needs retarget window 0 (a private chain keeps the fork's difficulty)")
	}
	rate := cfg.HashRate
	cfg.Miner = false
	n, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &DoubleSpender{Node: n, ds: ds, hashRate: rate}, nil
}

// Start implements nodes.Node.
func (d *DoubleSpender) Start(env nodes.Env) {
	d.Node.Start(env)
	env.SetBusy(true)
	d.newAttempt()
}

// Restart implements nodes.Restarter: the private chain is lost with the
// crash; a new attempt starts.
func (d *DoubleSpender) Restart(env nodes.Env) {
	d.Node.Restart(env)
	env.SetBusy(true)
	d.timer = 0
	d.newAttempt()
}

// Receive implements nodes.Node.
func (d *DoubleSpender) Receive(from nodes.PeerID, msg []byte) {
	d.Node.Receive(from, msg)
	d.onPublic()
}

// OnTimer implements nodes.Node.
func (d *DoubleSpender) OnTimer(tag uint64) {
	if tag&^tagSeqMask != tagDoubleSpend {
		d.Node.OnTimer(tag)
		d.onPublic()
		return
	}
	if tag&tagSeqMask == d.seq&tagSeqMask {
		d.timer = 0
		d.minePrivate()
	}
}

// newAttempt starts an attempt on the public tip: premining, or paying at
// once.
func (d *DoubleSpender) newAttempt() {
	d.attempt++
	d.private = d.private[:0]
	d.fork = d.tree.Tip()
	d.pubTip = d.fork.ID
	d.race = Race{Z: d.ds.Confirmations, Lead: 1, MaxDeficit: d.ds.MaxDeficit}
	d.racing = !d.ds.Premine
	if d.racing {
		d.pay()
	}
	d.arm()
}

// pay broadcasts the payment (declared: see the file comment) and starts
// the race.
func (d *DoubleSpender) pay() {
	d.racing = true
	d.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: d.fork.ID, Height: d.fork.Height, Note: NoteDoubleSpendStart})
}

// arm draws the time to the next private block.
func (d *DoubleSpender) arm() {
	if d.timer != 0 {
		d.env.Cancel(d.timer)
	}
	bits := rawBits(d.fork.Payload)
	mean := d.work(bits).Float64() / d.hashRate * 1e9
	delay := int64(math.MaxInt64 / 2)
	if x := d.env.Rand().ExpFloat64() * mean; x < float64(delay) {
		delay = max(int64(x), 1)
	}
	d.seq++
	d.timer = d.env.After(delay, tagDoubleSpend|d.seq&tagSeqMask)
}

// onPublic follows the public chain after the honest part handled a
// message or timer.
func (d *DoubleSpender) onPublic() {
	tip := d.tree.Tip()
	if tip.ID == d.pubTip {
		return
	}
	d.pubTip = tip.ID
	if !d.racing { // premining: mine on the new tip instead
		d.fork = tip
		d.arm()
		return
	}
	if a, ok := d.tree.Ancestor(tip.ID, d.fork.Height); !ok || a.ID != d.fork.ID {
		d.giveUp() // the public chain left the fork point (a deep reorg)
		return
	}
	d.race.Honest = int(tip.Height - d.fork.Height)
	d.decide()
}

// minePrivate builds the next private block; the first of an attempt
// carries the conflicting spend.
func (d *DoubleSpender) minePrivate() {
	parentID, height, ptime := d.fork.ID, uint64(d.fork.Height)+1, rawTime(d.fork.Payload)
	if k := len(d.private); k > 0 {
		last := &d.private[k-1]
		parentID, height, ptime = last.ID, last.Block.Header.Height+1, last.Block.Header.Time
	}
	rnd := d.env.Rand()
	filler := max(d.cfg.BlockSize-blockMsgSize, 0)
	seed := rnd.Uint64()
	if len(d.private) == 0 {
		seed = ConflictMarker(d.cfg.ID, d.attempt)
	}
	miner := uint32(d.cfg.ID)
	b := Block{
		Header: Header{Version: Version, Prev: parentID, Height: height,
			Time: max(d.env.Now(), ptime+1), Bits: rawBits(d.fork.Payload), Miner: miner, Nonce: rnd.Uint64()},
		Coinbase: Coinbase{Miner: miner, Height: height, Reward: d.cfg.BlockReward},
		Filler:   Filler{Count: uint32(filler / d.cfg.TxSize), Bytes: uint64(filler), Seed: seed},
	}
	b.Header.Merkle = b.ComputeMerkle()
	m := Message{Type: MsgBlock, ID: b.Header.ID(), Block: b}
	d.private = append(d.private, m)
	d.env.Observe(d.event(nodes.EvMined, m.ID, raw(m.Append(make([]byte, 0, blockMsgSize)))))
	if !d.racing {
		d.pay() // the conflicting spend is mined: now pay
	}
	d.race.Attacker = len(d.private)
	d.arm()
	d.decide()
}

// decide acts on the race's decision.
func (d *DoubleSpender) decide() {
	switch d.race.Decide() {
	case Publish:
		d.publish()
	case GiveUp:
		d.giveUp()
	}
}

// giveUp abandons the attempt (its private blocks go stale) and starts
// another on the public tip.
func (d *DoubleSpender) giveUp() {
	d.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: d.fork.ID, Height: int64(d.race.Honest - d.race.Attacker), Note: NoteDoubleSpendGiveUp})
	d.newAttempt()
}

// publish hands the private chain to the honest part, which accepts it as
// the longer chain and announces it to its peers, then starts another
// attempt on it.
func (d *DoubleSpender) publish() {
	conflict := d.private[0].ID
	for i := range d.private {
		m := &d.private[i]
		msg := m.Append(make([]byte, 0, blockMsgSize))
		d.accept(d.cfg.ID, m, msg)
	}
	d.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: conflict, Height: int64(d.race.Attacker), Note: NoteDoubleSpendSuccess})
	d.newAttempt()
}

// Attempts returns the number of attempts started (the current one
// included).
func (d *DoubleSpender) Attempts() uint64 { return d.attempt }
