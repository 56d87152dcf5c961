package coinai

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/ledger"
)

// Commit–reveal with a delayed test set (Config.Reveal), after PoDL
// (Chenli et al., 2019).
//
// Under the paper's rule a block carries its model in the clear, so a
// node that receives it can copy the model, sign a block of its own
// around it and race it to other nodes (the theft attack, steal.go), and
// the whole test split that decides validity is known to miners before
// they train (the leakage attack, leak.go).
//
// Under RevealDelayedTest a miner whose model passes first floods a
// commitment, a small signed message
//
//	Commit{prev, miner, attempt, K = SHA-256("coinai/commit" ‖ W ‖ miner ‖ prev)},
//
// W being the model's commitment (the header's Model field), and
// publishes the block itself (the reveal) only Delay later. Validators
// accept a reveal only against a commitment they hold: K recomputed from
// the block's header must be one they received ("no-commitment" holds the
// block until it arrives, bounded like the other held blocks), and no
// commitment by another miner on the same parent that reached them before
// the block's own may open to the same W ("stolen-model"). A thief learns
// a model only at its reveal, Delay after the victim's commitment had
// flooded the network, so its own commitment always comes second and its
// block is refused everywhere; the binding of K to the miner key and the
// parent means the victim's commitment cannot be re-used for another key
// or another parent.
//
// The test samples that decide validity are Subset of the test split,
// drawn by RevealSubset from K: they are known only once the model is
// fixed, and the samples of a block are revealed with it. A miner that
// trains on test samples (leak.go) can use only those already revealed by
// the blocks of its chain, not the ones that will judge its model.
//
// Known limits. "Earlier" is the order in which a node received the two
// commitments (a relay rule like Bitcoin's first-seen, not a function of
// the chain): it agrees across nodes as long as Delay exceeds the time a
// commitment takes to flood the network, which is a few link latencies
// (commitments are not verified beyond their signature). The subset is a
// function of K, which the miner computes before committing, so a miner
// can grind it offline (flip a weight byte, recompute K, evaluate on the
// subset) for a subset its model does well on; that costs an evaluation
// of Subset samples per try, and a beacon that the miner cannot predict
// (a later block's hash) would close it at the price of validity that is
// final only a block later. A fixed test split is revealed Subset samples
// at a time: after enough blocks a leaking miner knows all of it, and
// PoDL's answer is fresh test data per block, which the digits data set
// is too small to give.
const (
	// RevealNone is today's rule: the block carries its model and the
	// whole test split decides (the default).
	RevealNone = "none"
	// RevealDelayedTest is commit–reveal with the deciding test subset
	// drawn from the commitment.
	RevealDelayedTest = "delayed-test"
)

// MsgCommit is a commitment message (RevealDelayedTest).
const MsgCommit MsgType = 0x20

// commitMsgSize is the size of a MsgCommit: type, prev, miner, attempt,
// K, signature.
const commitMsgSize = 1 + 32 + 32 + 4 + 32 + ed25519.SignatureSize

// commitSigDomain separates commitment signatures from block and
// transaction signatures.
const commitSigDomain = "coinai/commit/v1"

// RevealConfig configures commit–reveal (consensus).
type RevealConfig struct {
	// Mode is RevealNone (or empty) or RevealDelayedTest.
	Mode string
	// Delay is the time in ns between a miner's commitment and its
	// reveal (> 0 with RevealDelayedTest).
	Delay int64
	// Subset is the number of test samples that decide a block's
	// validity (in [1, the test split's size]).
	Subset int
}

// Enabled reports whether commit–reveal is on.
func (r *RevealConfig) Enabled() bool { return r.Mode == RevealDelayedTest }

func (r *RevealConfig) validate(c *Config) error {
	switch r.Mode {
	case "", RevealNone:
		if r.Delay != 0 || r.Subset != 0 {
			return fmt.Errorf("reveal %q: delay or subset set", r.Mode)
		}
		return nil
	case RevealDelayedTest:
	default:
		return fmt.Errorf("reveal %q: want %q or %q", r.Mode, RevealNone, RevealDelayedTest)
	}
	switch {
	case r.Delay <= 0:
		return fmt.Errorf("reveal %q: delay %d ns: want > 0", r.Mode, r.Delay)
	case r.Subset < 1 || r.Subset > c.Default.Test.Len():
		return fmt.Errorf("reveal %q: subset %d: want [1, %d] (the test split)", r.Mode, r.Subset, c.Default.Test.Len())
	case c.Lottery.Enabled:
		return fmt.Errorf("reveal %q: not with the lottery (its re-training is checked on the whole test split)", r.Mode)
	}
	return nil
}

// CommitKey is K = SHA-256("coinai/commit" ‖ model ‖ miner ‖ prev), the
// commitment to a model (its commitment, as in the header) by a miner
// for a parent.
func CommitKey(model [32]byte, miner ledger.Address, prev [32]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("coinai/commit"))
	h.Write(model[:])
	h.Write(miner[:])
	h.Write(prev[:])
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// RevealSubset is the deciding test subset of a block whose commitment is
// key: k distinct indices of [0, n), by a partial Fisher–Yates shuffle
// driven by SHA-256("coinai/reveal/subset" ‖ key ‖ counter), counter a
// little-endian u32 from 0, each digest read as four little-endian u64,
// index i drawn as i + u64 mod (n−i). Ascending order. nil if k < 1 or
// k > n.
func RevealSubset(key [32]byte, n, k int) []int {
	if k < 1 || k > n {
		return nil
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var buf [32]byte
	var counter uint32
	used := len(buf)
	for i := range k {
		if used == len(buf) {
			h := sha256.New()
			h.Write([]byte("coinai/reveal/subset"))
			h.Write(key[:])
			h.Write(binary.LittleEndian.AppendUint32(nil, counter))
			h.Sum(buf[:0])
			counter++
			used = 0
		}
		j := i + int(binary.LittleEndian.Uint64(buf[used:])%uint64(n-i))
		used += 8
		perm[i], perm[j] = perm[j], perm[i]
	}
	out := perm[:k:k]
	slices.Sort(out)
	return out
}

// DecidingTest is the test data that decides the validity of a block with
// header h under cfg: the whole test split, or under RevealDelayedTest its
// subset drawn from the block's commitment (a copy). Validators and
// checkers outside the node call it alike.
func DecidingTest(cfg *Config, h *Header) *dataset.Set {
	if !cfg.Reveal.Enabled() {
		return cfg.Default.Test
	}
	k := CommitKey(h.Model, h.Miner, h.Prev)
	return cfg.Default.Test.Subset(RevealSubset(k, cfg.Default.Test.Len(), cfg.Reveal.Subset))
}

// Rejection reasons of commit–reveal.
var (
	errNoCommit = errors.New("no-commitment")
	errStolen   = errors.New("stolen-model")
)

// commitRec is a commitment a node received.
type commitRec struct {
	prev, key [32]byte
	miner     ledger.Address
	seq       uint64 // arrival order at this node
}

// revealWait is a block of the node's own waiting for its reveal: either
// the arguments of publish, or (a thief's) a ready block message.
type revealWait struct {
	tag     uint64
	tip     [32]byte
	problem [32]byte
	model   []byte
	t       int64
	acc     uint32
	thr     uint32
	attempt uint32
	note    string
	push    []byte // a ready block message (steal.go), else nil
}

// maxCommits bounds the commitments a node keeps (the oldest go first).
const maxCommits = 4096

// tagReveal is the timer of a reveal.
const tagReveal = 10 << 56

// revealState is a node's commit–reveal state.
type revealState struct {
	commits []commitRec         // in arrival order
	seen    map[[32]byte]uint64 // key -> seq
	seq     uint64
	waits   []*revealWait // own reveals due
	await   []*pending    // blocks waiting for their commitment
	now     bool          // publish is revealing (not committing)
}

func newRevealState() *revealState { return &revealState{seen: map[[32]byte]uint64{}} }

// appendCommit appends a signed MsgCommit.
func appendCommit(dst []byte, prev [32]byte, key [32]byte, attempt uint32, priv ed25519.PrivateKey) []byte {
	start := len(dst)
	dst = append(dst, byte(MsgCommit))
	dst = append(dst, prev[:]...)
	addr := ledger.AddressOfKey(priv)
	dst = append(dst, addr[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, attempt)
	dst = append(dst, key[:]...)
	signed := append([]byte(commitSigDomain), dst[start+1:]...)
	return append(dst, ed25519.Sign(priv, signed)...)
}

// decodeCommit decodes and checks the signature of a MsgCommit.
func decodeCommit(b []byte) (commitRec, error) {
	var c commitRec
	if len(b) != commitMsgSize || MsgType(b[0]) != MsgCommit {
		return c, fmt.Errorf("decoding commit: %d bytes, want %d", len(b), commitMsgSize)
	}
	copy(c.prev[:], b[1:33])
	copy(c.miner[:], b[33:65])
	copy(c.key[:], b[69:101])
	signed := append([]byte(commitSigDomain), b[1:101]...)
	if !ed25519.Verify(c.miner[:], signed, b[101:]) {
		return c, errBadSignature
	}
	return c, nil
}

// sendCommit records and floods the node's commitment to model for a
// child of prev.
func (n *Node) sendCommit(prev, model [32]byte, attempt uint32) {
	msg := appendCommit(nil, prev, CommitKey(model, n.addr, prev), attempt, n.cfg.Key)
	n.onCommit(n.cfg.ID, msg)
}

// onCommit records a commitment the node has not seen, floods it, and
// hands over any block that was waiting for it.
func (n *Node) onCommit(from nodes.PeerID, msg []byte) {
	c, err := decodeCommit(msg)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: "commit: " + err.Error()})
		return
	}
	r := n.reveal
	if _, ok := r.seen[c.key]; ok {
		return
	}
	r.seq++
	c.seq = r.seq
	r.seen[c.key] = c.seq
	r.commits = append(r.commits, c)
	if len(r.commits) > maxCommits {
		delete(r.seen, r.commits[0].key)
		r.commits = slices.Delete(r.commits, 0, 1)
	}
	n.flood(msg, from)
	for i := 0; i < len(r.await); i++ {
		p := r.await[i]
		h := &p.blk.Header
		if CommitKey(h.Model, h.Miner, h.Prev) == c.key {
			r.await = slices.Delete(r.await, i, i+1)
			n.verify(p)
			return
		}
	}
}

// revealReady checks a block against the commitments the node holds: it
// returns true if the block may be verified, false if it was held (no
// commitment yet) or rejected (stolen).
func (n *Node) revealReady(p *pending) bool {
	err := n.checkReveal(&p.blk.Header)
	switch {
	case err == nil:
		return true
	case errors.Is(err, errNoCommit):
		r := n.reveal
		if len(r.await) >= maxPending {
			n.reject(p.id, errOverloaded)
			return false
		}
		r.await = append(r.await, p)
		return false
	}
	n.reject(p.id, err)
	return false
}

// checkReveal is the commit–reveal rule for header h: its commitment K
// must be held, and no commitment by another miner for the same parent
// that arrived before it may open to the same model.
func (n *Node) checkReveal(h *Header) error {
	r := n.reveal
	k := CommitKey(h.Model, h.Miner, h.Prev)
	own, ok := r.seen[k]
	if !ok {
		return errNoCommit
	}
	for _, c := range r.commits {
		if c.seq >= own {
			break
		}
		if c.prev == h.Prev && c.miner != h.Miner && CommitKey(h.Model, c.miner, h.Prev) == c.key {
			return errStolen
		}
	}
	return nil
}

// commitLater commits to a block the node would publish now and sets the
// timer of its reveal.
func (n *Node) commitLater(tip chain.Entry[*rec], problem [32]byte, model []byte, t int64, acc, thr, attempt uint32, note string) {
	w := &revealWait{tag: n.nextTag(tagReveal), tip: tip.ID, problem: problem, model: model, t: t,
		acc: acc, thr: thr, attempt: attempt, note: note}
	n.sendCommit(tip.ID, ModelCommitment(model, n.chunkSize()), attempt)
	n.reveal.waits = append(n.reveal.waits, w)
	n.env.After(n.cfg.Reveal.Delay, w.tag)
}

// onRevealTimer publishes a committed block if its parent is still the
// tip (a block on an old tip would be stale), or pushes a thief's ready
// block.
func (n *Node) onRevealTimer(tag uint64) {
	r := n.reveal
	i := slices.IndexFunc(r.waits, func(w *revealWait) bool { return w.tag == tag })
	if i < 0 {
		return
	}
	w := r.waits[i]
	r.waits = slices.Delete(r.waits, i, i+1)
	if w.push != nil {
		n.pushStolen(w.push)
		return
	}
	tip := n.tree.Tip()
	if tip.ID != w.tip {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Parent: w.tip, Note: "reveal dropped: the tip moved"})
		return
	}
	r.now = true
	n.publish(tip, w.problem, w.model, w.t, w.acc, w.thr, w.attempt, w.note)
	r.now = false
}

// SubsetEvalJob is a validator's check of a block's model on its deciding
// test subset (RevealDelayedTest): an EvalJob on the subset whose key also
// names the commitment K, which decides the subset: two blocks with the
// same model and different miners are judged on different samples.
type SubsetEvalJob struct {
	EvalJob          // Test is the subset
	K       [32]byte // the commitment that drew the subset
}

// Key implements nodes.Job.
func (j *SubsetEvalJob) Key() [32]byte {
	h := sha256.New()
	h.Write([]byte("eval/subset"))
	h.Write(j.Commitment[:])
	h.Write(j.K[:])
	h.Write(j.Problem[:])
	if j.Labels != nil {
		h.Write([]byte("labels"))
		h.Write(j.Labels)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

var (
	_ nodes.Job       = (*SubsetEvalJob)(nil)
	_ nodes.Shareable = (*SubsetEvalJob)(nil)
	_ nodes.Classed   = (*SubsetEvalJob)(nil)
)

// revealJob is the verification of p under RevealDelayedTest.
func (n *Node) revealJob(p *pending) nodes.Job {
	h := &p.blk.Header
	return &SubsetEvalJob{EvalJob: EvalJob{Model: p.model, Commitment: h.Model, Problem: h.Problem,
		Test: DecidingTest(&n.cfg, h), Labels: LabelsFor(&n.cfg, h.Prev)}, K: CommitKey(h.Model, h.Miner, h.Prev)}
}
