package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// The lottery above the threshold (Config.Lottery), after Permacoin
// (Miller et al., S&P 2014) and Ofelimos (Fitzi et al., CRYPTO 2022).
//
// Under the paper's rule the first model to reach the threshold wins the
// block. A training attempt takes long and, under a threshold it can
// reach, succeeds with high probability, so the race goes to the fastest
// hardware nearly every time, out of proportion to its share of the
// network's compute. With the lottery a model above the threshold earns
// one ticket,
//
//	Ticket = SHA-256("coinai/lottery/ticket" ‖ prev ‖ miner key ‖ model commitment),
//
// and the block is valid only if the ticket wins: its first 8 bytes, read
// big-endian, are below ⌊(2^64−1)/D⌋ for the ticket difficulty D of the
// block's height. A model passes with probability about 1/D, D models
// above the threshold are needed per block on average, and a miner's
// chance per block is its share of the models trained: its share of the
// compute.
//
// How many tickets a trained model gives is the question that decides
// whether this is still a proof of useful work. A ticket keyed by the
// model's bytes alone is not one per training: flipping one low-order
// weight byte (the re-use attack, attack.go) makes a new commitment and a
// new ticket without changing the accuracy, so after one training the
// lottery would be plain hashing. The nonce is therefore the attempt
// number, and the model must be the one that attempt trains: validators
// re-train the declared attempt (seed Seed(prev, miner, attempt), the
// run's SGD settings, which become consensus) and refuse a block whose
// model's commitment differs (RetrainJob, "bad-training"). Every ticket
// then costs a training, the model's bytes are fixed by the attempt, and
// neither byte flips nor re-used models give tickets. The price is the
// verification: one training per block per validator, on the path of
// every hop of the block's propagation (Ofelimos likewise re-runs the
// winning step of its search). A miner verifies its own block by
// evaluation only: it trained the model. Training must be bit-for-bit
// reproducible, which the simulator's serial kernel is (one kernel per
// run) and GPU training in general is not: a deployment would need a
// deterministic trainer.
//
// The lottery holds the interval: D is retargeted every Window blocks on
// the time the last Window blocks took, like proof-of-work's difficulty
// (RetargetDifficulty), and the threshold retarget is off
// (ThresholdWindow must be 0): the threshold is the usefulness floor,
// fixed at ThresholdInitial (its decay still applies). A block's weight
// in the fork choice is its threshold times D.

// MaxDifficulty bounds the ticket difficulty, so that a block's work
// (threshold × D) fits in 64 bits.
const MaxDifficulty = 1 << 40

// ticketDomain separates lottery tickets from every other hash.
const ticketDomain = "coinai/lottery/ticket"

// LotteryConfig configures the lottery above the threshold (consensus);
// the zero value is off.
type LotteryConfig struct {
	// Enabled turns the lottery on.
	Enabled bool
	// Difficulty is the genesis ticket difficulty D in [1,
	// MaxDifficulty]: a ticket wins with probability 1/D, so D is the
	// expected number of models above the threshold per block.
	Difficulty uint64
	// Window is the number of blocks between retargets of D; 0 keeps D.
	Window int
}

func (l *LotteryConfig) validate(c *Config) error {
	if !l.Enabled {
		if l.Difficulty != 0 || l.Window != 0 {
			return fmt.Errorf("lottery parameters set with the lottery off")
		}
		return nil
	}
	switch {
	case l.Difficulty < 1 || l.Difficulty > MaxDifficulty:
		return fmt.Errorf("lottery difficulty %d: want [1, %d]", l.Difficulty, uint64(MaxDifficulty))
	case l.Window < 0:
		return fmt.Errorf("lottery window %d: negative", l.Window)
	case l.Window > 0 && c.TargetInterval > math.MaxInt64/4/int64(l.Window):
		return fmt.Errorf("lottery window %d x interval %d ns: overflows", l.Window, c.TargetInterval)
	case c.ThresholdWindow != 0:
		return fmt.Errorf("lottery: threshold window %d: want 0 (the ticket difficulty holds the interval; a threshold retarget would fight it)", c.ThresholdWindow)
	case c.AttemptMode != "" && c.AttemptMode != ModeFreshSeed:
		return fmt.Errorf("lottery: attempt mode %q: want %q (validators re-train one attempt from its seed)", c.AttemptMode, ModeFreshSeed)
	}
	return nil
}

// Ticket is the lottery ticket of a model with commitment model, trained
// by miner for a child of prev.
func Ticket(prev [32]byte, miner ledger.Address, model [32]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(ticketDomain))
	h.Write(prev[:])
	h.Write(miner[:])
	h.Write(model[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// TicketWins reports whether ticket wins at difficulty d (d < 1 counts as
// 1): its first 8 bytes, big-endian, are below ⌊(2^64−1)/d⌋.
func TicketWins(ticket [32]byte, d uint64) bool {
	return binary.BigEndian.Uint64(ticket[:8]) < math.MaxUint64/max(d, 1)
}

// RetargetDifficulty is the ticket difficulty rule: given the old
// difficulty, the time actual (ns) the last window of blocks took and the
// time target (ns) it should have taken, the new difficulty is
// ⌊old × target / actual⌋, clamped to [⌊old/4⌋, 4·old] (proof-of-work's
// bound) and to [1, MaxDifficulty]. A non-positive actual counts as
// infinitely fast. Integer arithmetic only.
func RetargetDifficulty(old uint64, actual, target int64) uint64 {
	old = min(max(old, 1), MaxDifficulty)
	lo, hi := max(old/4, 1), min(old*4, MaxDifficulty)
	if target <= 0 {
		return old
	}
	if actual <= 0 {
		return hi
	}
	v := new(big.Int).SetUint64(old)
	v.Mul(v, big.NewInt(target))
	v.Quo(v, big.NewInt(actual))
	if !v.IsUint64() {
		return hi
	}
	return min(max(v.Uint64(), lo), hi)
}

// LotteryWindowStart is the height of the ancestor RequiredDifficulty
// reads for a child of a parent at parentHeight: max(parentHeight −
// Lottery.Window, 0).
func LotteryWindowStart(cfg *Config, parentHeight int64) int64 {
	return max(parentHeight-int64(cfg.Lottery.Window), 0)
}

// RequiredDifficulty is the difficulty rule as a pure function of the
// chain: the ticket difficulty of a child of parent, whose own difficulty
// is parentD (the genesis has Lottery.Difficulty). windowStart is parent's
// ancestor at LotteryWindowStart; it is read only when the child's height
// is a multiple of Lottery.Window.
func RequiredDifficulty(cfg *Config, parentD uint64, parent, windowStart *Header) uint64 {
	w := int64(cfg.Lottery.Window)
	ph := int64(parent.Height)
	if w <= 0 || (ph+1)%w != 0 {
		return parentD
	}
	from := LotteryWindowStart(cfg, ph)
	if from == ph {
		return parentD
	}
	return RetargetDifficulty(parentD, parent.Time-windowStart.Time, (ph-from)*cfg.TargetInterval)
}

// nextDifficulty is the ticket difficulty of a child of parent (0 without
// the lottery).
func (n *Node) nextDifficulty(parent chain.Entry[*rec]) uint64 {
	if !n.cfg.Lottery.Enabled {
		return 0
	}
	from := LotteryWindowStart(&n.cfg, parent.Height)
	start, ok := n.tree.Ancestor(parent.ID, from)
	if !ok {
		return parent.Payload.diff
	}
	return RequiredDifficulty(&n.cfg, parent.Payload.diff, parent.Payload.hdr, start.Payload.hdr)
}

// blockWork is a block's weight in the fork choice: its threshold in ppm,
// times its ticket difficulty d under the lottery.
func (n *Node) blockWork(threshold uint32, d uint64) chain.Work {
	if !n.cfg.Lottery.Enabled {
		return chain.WorkOf(uint64(threshold))
	}
	return chain.WorkOf(uint64(threshold) * max(d, 1))
}

// ticketWins reports whether the serialised model, mined by this node on
// parent, wins the lottery (always true without it).
func (n *Node) ticketWins(parent chain.Entry[*rec], model []byte) bool {
	if !n.cfg.Lottery.Enabled {
		return true
	}
	return TicketWins(Ticket(parent.ID, n.addr, ModelCommitment(model, n.chunkSize())), n.nextDifficulty(parent))
}

// RetrainJob is a validator's check of a lottery block: train the attempt
// the header declares, as its miner must have (Train), compare the
// result's commitment with the block's, and evaluate the model on the
// test split. It implements nodes.Job; it is verification (JobEval,
// charged at the evaluation cost scale) and Shareable.
type RetrainJob struct {
	// Train is the declared attempt: the grammar's architecture for the
	// parent, seed Seed(prev, miner, attempt), the run's SGD settings and
	// the binding rule's labels.
	Train TrainJob
	// Commitment is the block's model commitment, under ChunkSize
	// (ModelCommitment).
	Commitment [32]byte
	ChunkSize  int
	Test       *dataset.Set
}

// FLOPs implements nodes.Job: the training attempt and the evaluation.
func (j *RetrainJob) FLOPs() float64 {
	return j.Train.FLOPs() + j.Train.Arch.EvalFLOPs(j.Test.Len())
}

// Class implements nodes.Classed: re-training is verification.
func (j *RetrainJob) Class() nodes.JobClass { return nodes.JobEval }

// Shareable reports that nodes may share the result.
func (j *RetrainJob) Shareable() bool { return true }

// Key implements nodes.Job.
func (j *RetrainJob) Key() [32]byte {
	h := sha256.New()
	h.Write([]byte("coinai/retrain\x00"))
	k := j.Train.Key()
	h.Write(k[:])
	h.Write(j.Commitment[:])
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(j.ChunkSize)<<32|uint64(j.Test.Len())))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Run implements nodes.Job: an EvalResult of the re-trained model on the
// test split, or one with Mismatch set if its commitment is not the
// block's.
func (j *RetrainJob) Run() any {
	res := &EvalResult{N: j.Test.Len()}
	r := j.Train.Run().(*TrainResult)
	if r.Err != nil || ModelCommitment(r.Model, j.ChunkSize) != j.Commitment {
		res.Mismatch = true
		return res
	}
	m, err := nn.UnmarshalModel(r.Model)
	if err != nil {
		res.Mismatch = true
		return res
	}
	res.Correct = correctAs(m, j.Test, j.Train.Labels)
	return res
}

// retrainJob is the RetrainJob of p, a block that passed the contextual
// checks (its model has the architecture the grammar derives for its
// parent).
func (n *Node) retrainJob(p *pending) *RetrainJob {
	h := &p.blk.Header
	arch, err := n.archFor(h.Prev, &n.cfg.Default)
	if err != nil { // checkContext decoded it already
		arch = p.model.Arch
	}
	return &RetrainJob{
		Train: TrainJob{
			Arch: arch, Data: &n.cfg.Default, Problem: h.Problem,
			Seed:   Seed(h.Prev, h.Miner, h.Attempt),
			Train:  nn.TrainConfig{Epochs: n.cfg.Epochs, Batch: n.cfg.Batch, LR: n.cfg.LR, Momentum: n.cfg.Momentum, Serial: true},
			Labels: LabelsFor(&n.cfg, h.Prev),
		},
		Commitment: h.Model, ChunkSize: n.chunkSize(), Test: n.cfg.Default.Test,
	}
}

var (
	_ nodes.Job       = (*RetrainJob)(nil)
	_ nodes.Classed   = (*RetrainJob)(nil)
	_ nodes.Shareable = (*RetrainJob)(nil)
)
