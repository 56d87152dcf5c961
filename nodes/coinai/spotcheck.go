package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

// Spot-check re-training (Config.SpotCheck), after Proof-of-Learning (Jia
// et al., IEEE S&P 2021).
//
// Under the paper's rule a validator evaluates a block's model: it learns
// that the model is useful, not that its miner trained it (the re-use
// attack, attack.go). Proof-of-Learning adds a log of the training: the
// miner records a checkpoint every Every SGD steps (the parameters and the
// momentum buffer; the data order is a function of the attempt's seed
// Seed(prev, miner, attempt), so it need not be logged) and commits to
// the log; a verifier re-runs a few segments of Every steps from their
// start checkpoint and checks that it reaches their end checkpoint. The
// simulator's serial trainer is bit-for-bit deterministic, so the check is
// exact (nn.TrainSegment); PoL's tolerance for GPU non-determinism, which
// Fang et al. (2023) exploit to pass fabricated checkpoints, is zero here.
//
// The commitment. Leaf i of the log is SHA-256(parameters) ‖
// SHA-256(momentum) of checkpoint i (64 bytes, float32 little-endian), the
// log's root is the Merkle commitment (nodes/storage/merkle, chunks of one
// leaf) of the leaves, and the header's model field is SpotCommitment(flat
// model hash, root), so the block id fixes the whole log. The first leaf
// must be the attempt's initial model (nn.NewModel from its seed) with zero
// momentum and the last leaf's parameters the block's model.
//
// Which segments. The Segments segments a verifier re-runs are drawn from
// the block id (SpotSegments): every node checks the same ones, so
// validity stays a function of the block and honest nodes cannot split on
// it. The price is that the miner knows the draw before it publishes: a
// spoofer that fabricated part of its log can re-stamp its block until the
// draw misses the fabricated segments (AttackSpoof with Grind > 1), at
// the cost of one signature per try. Per-verifier draws would stop that
// but make validity differ from node to node (a spoofed block accepted by
// some honest nodes and not others); randomness from a later block would
// stop it too, at the price of accepting a block one block late. Neither
// is modelled; the measurement of the grinding is (DESIGN.md).
//
// What travels. Only what the draw needs: the block message
// (MsgSpotBlock) carries every leaf (64 bytes each) and the full start and
// end checkpoints of the drawn segments, so the bytes a verifier fetches
// are charged on every hop of the block's propagation. A verifier thus
// needs no Merkle paths (it holds every leaf and recomputes the root).

// MsgSpotBlock is a block with its spot-check proof: the proof (see
// AppendBlock) followed by what a MsgBlock carries. DecodeMessage returns
// it as a Message of Type MsgBlock whose Block.Spot is set.
const MsgSpotBlock MsgType = 32

// Limits of the proof decoder.
const (
	// MaxSpotLeaves bounds the checkpoints of a log.
	MaxSpotLeaves = 1 << 16
	spotLeafSize  = 64
)

// Domain tags.
const (
	spotModelDomain  = "coinai/spot/model"
	spotSampleDomain = "coinai/spot/sample"
)

// SpotCheckConfig configures spot-check re-training (consensus); the zero
// value is off.
type SpotCheckConfig struct {
	// Every is the number of SGD steps between checkpoints (>= 1 when on).
	Every int
	// Segments is the number q of segments every verifier re-runs (>= 1);
	// as many as the log has re-runs the whole training.
	Segments int
}

// Enabled reports whether spot-checking is on.
func (s *SpotCheckConfig) Enabled() bool { return s.Every > 0 }

func (s *SpotCheckConfig) validate(c *Config) error {
	if !s.Enabled() {
		if s.Segments != 0 || s.Every < 0 {
			return fmt.Errorf("spot-check segments %d set with spot-checking off", s.Segments)
		}
		return nil
	}
	switch {
	case s.Segments < 1 || s.Segments > MaxSpotLeaves:
		return fmt.Errorf("spot-check segments %d: want [1, %d]", s.Segments, MaxSpotLeaves)
	case c.Lottery.Enabled:
		return fmt.Errorf("spot-check: with the lottery validators re-train the whole attempt already")
	case c.Storage.Enabled:
		return fmt.Errorf("spot-check: the header's model field commits to the training log, not to the model's chunks (proof-of-storage)")
	case c.AttemptMode != "" && c.AttemptMode != ModeFreshSeed:
		return fmt.Errorf("spot-check: attempt mode %q: want %q (the log starts at the attempt's seeded initial model)", c.AttemptMode, ModeFreshSeed)
	case !c.Verify:
		return fmt.Errorf("spot-check: needs verification on (Verify)")
	}
	return nil
}

// SpotCheckpoint is the training state at a step boundary.
type SpotCheckpoint struct {
	Step        int
	Params, Vel []float32
}

// leaf is the checkpoint's leaf: SHA-256(params) ‖ SHA-256(momentum).
func (c *SpotCheckpoint) leaf() [spotLeafSize]byte {
	var l [spotLeafSize]byte
	p, v := hashFloats(c.Params), hashFloats(c.Vel)
	copy(l[:32], p[:])
	copy(l[32:], v[:])
	return l
}

func floatBytes(dst []byte, v []float32) []byte {
	for _, f := range v {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
	}
	return dst
}

func hashFloats(v []float32) [32]byte { return sha256.Sum256(floatBytes(make([]byte, 0, 4*len(v)), v)) }

// SpotProof is what a block carries for its verifiers: every leaf of the
// log and the checkpoints the draw needs, by index, ascending.
type SpotProof struct {
	Leaves [][spotLeafSize]byte
	Ckpts  []SpotProofCkpt
}

// SpotProofCkpt is one checkpoint of a proof.
type SpotProofCkpt struct {
	Index       int
	Params, Vel []float32
}

// Root is the Merkle commitment of the leaves.
func (p *SpotProof) Root() [32]byte { return SpotLogRoot(p.Leaves) }

// SpotLogRoot is the Merkle commitment (merkle.Commit, one leaf a chunk)
// of a log's leaves.
func SpotLogRoot(leaves [][spotLeafSize]byte) [32]byte {
	data := make([]byte, 0, len(leaves)*spotLeafSize)
	for _, l := range leaves {
		data = append(data, l[:]...)
	}
	c, _, err := merkle.Commit(data, spotLeafSize)
	if err != nil {
		return [32]byte{}
	}
	return c
}

// SpotCommitment is the header's model field under spot-checking:
// SHA-256(domain ‖ SHA-256(model) ‖ log root).
func SpotCommitment(model []byte, root [32]byte) [32]byte {
	m := sha256.Sum256(model)
	h := sha256.New()
	h.Write([]byte(spotModelDomain))
	h.Write(m[:])
	h.Write(root[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// SpotSegments is the draw of a block: min(q, segments) distinct segment
// indices in [0, segments), ascending, each SHA-256(domain ‖ block id ‖
// counter) mod segments, duplicates drawn again.
func SpotSegments(id [32]byte, segments, q int) []int {
	if segments <= 0 || q <= 0 {
		return nil
	}
	q = min(q, segments)
	var out []int
	for c := uint64(0); len(out) < q; c++ {
		h := sha256.New()
		h.Write([]byte(spotSampleDomain))
		h.Write(id[:])
		h.Write(binary.LittleEndian.AppendUint64(nil, c))
		var s [32]byte
		h.Sum(s[:0])
		i := int(binary.LittleEndian.Uint64(s[:8]) % uint64(segments))
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// SpotSteps is the number of SGD steps of an attempt and the step of
// checkpoint i: min(i × every, total).
func SpotSteps(nTrain, batch, epochs int) int { return nn.StepsPerEpoch(nTrain, batch) * epochs }

func spotStep(i, every, total int) int { return min(i*every, total) }

// spotCount is the number of checkpoints of a log of total steps.
func spotCount(total, every int) int { return (total+every-1)/every + 1 }

// buildSpotProof is the proof of log for the block id: every leaf, and the
// start and end checkpoints of the drawn segments.
func buildSpotProof(id [32]byte, log []SpotCheckpoint, leaves [][spotLeafSize]byte, q int) *SpotProof {
	p := &SpotProof{Leaves: leaves}
	var need []int
	for _, s := range SpotSegments(id, len(log)-1, q) {
		for _, i := range []int{s, s + 1} {
			if !slices.Contains(need, i) {
				need = append(need, i)
			}
		}
	}
	slices.Sort(need)
	for _, i := range need {
		p.Ckpts = append(p.Ckpts, SpotProofCkpt{Index: i, Params: log[i].Params, Vel: log[i].Vel})
	}
	return p
}

func spotLeaves(log []SpotCheckpoint) [][spotLeafSize]byte {
	out := make([][spotLeafSize]byte, len(log))
	for i := range log {
		out[i] = log[i].leaf()
	}
	return out
}

// appendSpotProof appends the proof's encoding: u32 leaf count, the
// leaves, u32 checkpoint count, and per checkpoint u32 index, u32 value
// count n, n parameters and n momentum values (float32 LE).
func appendSpotProof(dst []byte, p *SpotProof) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p.Leaves)))
	for _, l := range p.Leaves {
		dst = append(dst, l[:]...)
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p.Ckpts)))
	for _, c := range p.Ckpts {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(c.Index))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(c.Params)))
		dst = floatBytes(dst, c.Params)
		dst = floatBytes(dst, c.Vel)
	}
	return dst
}

var errSpotShort = errors.New("truncated spot-check proof")

// decodeSpotProof decodes a proof at the start of b and returns the rest.
// It allocates nothing the input does not hold.
func decodeSpotProof(b []byte) (*SpotProof, []byte, error) {
	le := binary.LittleEndian
	if len(b) < 4 {
		return nil, nil, errSpotShort
	}
	nl := int(le.Uint32(b))
	b = b[4:]
	if nl < 1 || nl > MaxSpotLeaves || len(b) < nl*spotLeafSize {
		return nil, nil, fmt.Errorf("spot-check proof: %d leaves with %d bytes left", nl, len(b))
	}
	p := &SpotProof{Leaves: make([][spotLeafSize]byte, nl)}
	for i := range p.Leaves {
		copy(p.Leaves[i][:], b[i*spotLeafSize:])
	}
	b = b[nl*spotLeafSize:]
	if len(b) < 4 {
		return nil, nil, errSpotShort
	}
	nc := int(le.Uint32(b))
	b = b[4:]
	if nc > nl || nc*8 > len(b) {
		return nil, nil, fmt.Errorf("spot-check proof: %d checkpoints of %d leaves with %d bytes left", nc, nl, len(b))
	}
	floats := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
		b = b[4*n:]
		return v
	}
	for range nc {
		if len(b) < 8 {
			return nil, nil, errSpotShort
		}
		idx, n := int(le.Uint32(b)), int(le.Uint32(b[4:]))
		b = b[8:]
		if uint64(n)*8 > uint64(len(b)) {
			return nil, nil, fmt.Errorf("spot-check proof: checkpoint of %d values with %d bytes left", n, len(b))
		}
		c := SpotProofCkpt{Index: idx}
		c.Params = floats(n)
		c.Vel = floats(n)
		p.Ckpts = append(p.Ckpts, c)
	}
	return p, b, nil
}

// commitModel is the header's model field for model: ModelCommitment, or
// under spot-checking SpotCommitment of the model and the log n.spotLog.
func (n *Node) commitModel(model []byte) [32]byte {
	if !n.cfg.SpotCheck.Enabled() {
		return ModelCommitment(model, n.chunkSize())
	}
	return SpotCommitment(model, SpotLogRoot(spotLeaves(n.spotLog)))
}

// headerModel is what a block's header must carry as its model field
// given its body; the zero hash (never a commitment) if the body's form
// does not fit the chain's rule.
func (n *Node) headerModel(b *Block) [32]byte {
	if !n.cfg.SpotCheck.Enabled() {
		if b.Spot != nil {
			return [32]byte{}
		}
		return ModelCommitment(b.Model, n.chunkSize())
	}
	if b.Spot == nil {
		return [32]byte{}
	}
	return SpotCommitment(b.Model, b.Spot.Root())
}

// BlockModelCommitment is the header model field a block's body commits
// to under cfg's rule (for checkers outside the package).
func BlockModelCommitment(cfg *Config, b *Block) [32]byte {
	n := Node{cfg: *cfg}
	return n.headerModel(b)
}

// SpotCheckJob is a validator's spot-check of a block: the log's form
// (leaf count, initial and final leaf, the drawn checkpoints against their
// leaves), the re-run of each drawn segment from its start checkpoint
// (real SGD steps, nn.TrainSegment) against its end checkpoint, then the
// evaluation of the model on the test split. It implements nodes.Job; it
// is verification (JobEval) and Shareable.
type SpotCheckJob struct {
	// Train is the declared attempt (architecture, data, seed, SGD
	// settings, labels), as RetrainJob's.
	Train TrainJob
	Every int
	// ID is the block's id (the draw's seed) and Commitment its header's
	// model field.
	ID, Commitment [32]byte
	Q              int
	Proof          *SpotProof
	Model          *nn.Model
	Test           *dataset.Set
}

// total is the attempt's SGD steps.
func (j *SpotCheckJob) total() int {
	return SpotSteps(j.Train.Data.Train.Len(), j.Train.Train.Batch, j.Train.Train.Epochs)
}

// Segments is the draw: the segment indices this job re-runs.
func (j *SpotCheckJob) Segments() []int {
	return SpotSegments(j.ID, spotCount(j.total(), j.Every)-1, j.Q)
}

// FLOPs implements nodes.Job: the drawn segments' training steps and the
// evaluation on the test split (hashing is not counted).
func (j *SpotCheckJob) FLOPs() float64 {
	total := j.total()
	var samples int
	for _, s := range j.Segments() {
		samples += nn.SegmentSamples(j.Train.Data.Train.Len(), j.Train.Train.Batch, spotStep(s, j.Every, total), spotStep(s+1, j.Every, total))
	}
	return j.Train.Arch.TrainFLOPs(samples, 1) + j.Train.Arch.EvalFLOPs(j.Test.Len())
}

// Class implements nodes.Classed: spot-checking is verification.
func (j *SpotCheckJob) Class() nodes.JobClass { return nodes.JobEval }

// Shareable reports that nodes may share the result: every node checks
// the same draw of the same block.
func (j *SpotCheckJob) Shareable() bool { return true }

// Key implements nodes.Job.
func (j *SpotCheckJob) Key() [32]byte {
	h := sha256.New()
	h.Write([]byte("coinai/spotcheck\x00"))
	k := j.Train.Key()
	h.Write(k[:])
	h.Write(j.ID[:])
	h.Write(j.Commitment[:])
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(j.Every)<<32|uint64(j.Q)))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Check is the spot-check without the evaluation: nil if the log has the
// right form and every drawn segment re-runs to its end checkpoint.
func (j *SpotCheckJob) Check() error {
	p, total := j.Proof, j.total()
	count := spotCount(total, j.Every)
	if p == nil {
		return fmt.Errorf("spot-check: no log")
	}
	if len(p.Leaves) != count {
		return fmt.Errorf("spot-check: log of %d checkpoints, want %d", len(p.Leaves), count)
	}
	init, err := nn.NewModel(j.Train.Arch, j.Train.Seed)
	if err != nil {
		return fmt.Errorf("spot-check: %w", err)
	}
	zero := make([]float32, len(init.Params))
	if first := (&SpotCheckpoint{Params: init.Params, Vel: zero}).leaf(); first != p.Leaves[0] {
		return fmt.Errorf("spot-check: the first checkpoint is not the attempt's initial model")
	}
	if hashFloats(j.Model.Params) != [32]byte(p.Leaves[count-1][:32]) {
		return fmt.Errorf("spot-check: the last checkpoint is not the block's model")
	}
	byIdx := map[int]*SpotProofCkpt{}
	for i := range p.Ckpts {
		c := &p.Ckpts[i]
		if c.Index < 0 || c.Index >= count || len(c.Params) != len(init.Params) ||
			(&SpotCheckpoint{Params: c.Params, Vel: c.Vel}).leaf() != p.Leaves[c.Index] {
			return fmt.Errorf("spot-check: checkpoint %d does not match its leaf", c.Index)
		}
		byIdx[c.Index] = c
	}
	cfg := j.Train.Train
	cfg.Seed = j.Train.Seed
	tr := j.Train.Data.Train
	y := relabel(tr.Y, j.Train.Labels)
	for _, s := range j.Segments() {
		a, b := byIdx[s], byIdx[s+1]
		if a == nil || b == nil {
			return fmt.Errorf("spot-check: segment %d: checkpoint missing", s)
		}
		m := init.Clone()
		copy(m.Params, a.Params)
		vel := slices.Clone(a.Vel)
		if err := nn.TrainSegment(m, vel, tr.X, y, tr.Len(), cfg, spotStep(s, j.Every, total), spotStep(s+1, j.Every, total)); err != nil {
			return fmt.Errorf("spot-check: segment %d: %w", s, err)
		}
		if !slices.Equal(m.Params, b.Params) || !slices.Equal(vel, b.Vel) {
			return fmt.Errorf("spot-check: segment %d does not re-run to its end checkpoint", s)
		}
	}
	return nil
}

// Run implements nodes.Job: an EvalResult of the model on the test split,
// or one with Mismatch set if the spot-check fails.
func (j *SpotCheckJob) Run() any {
	res := &EvalResult{N: j.Test.Len()}
	if err := j.Check(); err != nil {
		res.Mismatch = true
		return res
	}
	res.Correct = correctAs(j.Model, j.Test, j.Train.Labels)
	return res
}

// spotCheckJob is the SpotCheckJob of p, a block that passed the
// contextual checks.
func (n *Node) spotCheckJob(p *pending) *SpotCheckJob {
	h := &p.blk.Header
	arch, err := n.archFor(h.Prev, &n.cfg.Default)
	if err != nil {
		arch = p.model.Arch
	}
	return &SpotCheckJob{
		Train: TrainJob{
			Arch: arch, Data: &n.cfg.Default, Problem: h.Problem,
			Seed:   Seed(h.Prev, h.Miner, h.Attempt),
			Train:  nn.TrainConfig{Epochs: n.cfg.Epochs, Batch: n.cfg.Batch, LR: n.cfg.LR, Momentum: n.cfg.Momentum, Serial: true},
			Labels: LabelsFor(&n.cfg, h.Prev),
		},
		Every: n.cfg.SpotCheck.Every, ID: p.id, Commitment: h.Model, Q: n.cfg.SpotCheck.Segments,
		Proof: p.blk.Spot, Model: p.model, Test: n.cfg.Default.Test,
	}
}

// spotFinish completes a block under spot-checking once its header is
// signed: it attaches the proof of n.spotLog for the block's draw. A
// spoofer (AttackSpoof) first re-stamps the block (one nanosecond later
// per try, re-signed) until the draw misses its fabricated segments, up
// to Grind tries, and gives up (false) if none does; with Grind 0 it
// publishes the first draw blind. Without spot-checking it does nothing.
func (n *Node) spotFinish(h *Header, blk *Block) bool {
	if !n.cfg.SpotCheck.Enabled() {
		return true
	}
	log := n.spotLog
	n.spotLog = nil
	if log == nil {
		return false
	}
	leaves := spotLeaves(log)
	if n.spoof != nil {
		fake, tries := n.spoof.fake, max(n.cfg.Attack.Grind, 1)
		passed := false
		for try := 0; try < tries; try++ {
			if try > 0 {
				h.Time++
				if err := h.Sign(n.cfg.Key); err != nil {
					return false
				}
			}
			n.spoof.tries++
			if n.cfg.Attack.Grind == 0 || !slices.ContainsFunc(SpotSegments(h.ID(), len(log)-1, n.cfg.SpotCheck.Segments),
				func(s int) bool { return fake[s] }) {
				passed = true
				break
			}
		}
		if !passed {
			n.env.Observe(nodes.Event{Kind: nodes.EvNote, Note: fmt.Sprintf("spoof: no passing draw in %d tries", tries)})
			return false
		}
	}
	blk.Header = *h
	blk.Spot = buildSpotProof(h.ID(), log, leaves, n.cfg.SpotCheck.Segments)
	return true
}
