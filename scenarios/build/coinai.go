package build

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/scenarios"
)

// Split of the default digits problem: a consensus constant, so that every
// node holds the same train, validation and test samples.
const (
	digitsSplitSeed = 1
	digitsValFrac   = 0.15
	digitsTestFrac  = 0.20
)

// problemData loads a scenario's default problem, split into the train and
// validation sets miners see and the test set that decides validity.
func problemData(name string) (coinai.Data, error) {
	switch name {
	case "digits":
		d, err := dataset.Digits()
		if err != nil {
			return coinai.Data{}, err
		}
		tr, va, te := d.Split(digitsSplitSeed, digitsValFrac, digitsTestFrac)
		return coinai.Data{Name: "digits/split1", Train: tr, Val: va, Test: te}, nil
	default:
		return coinai.Data{}, fmt.Errorf("unknown problem %q", name)
	}
}

// ranges converts the scenario's grammar table.
func ranges(g scenarios.Grammar) (grammar.Ranges, error) {
	r := grammar.Ranges{MinConvs: g.MinConvs, MaxConvs: g.MaxConvs, FilterChoices: g.Filters,
		KernelChoices: g.Kernels, MinFCs: g.MinFCs, MaxFCs: g.MaxFCs, UnitChoices: g.Units}
	if g.Pool > 0 {
		r.PoolChoices = []int{0, g.Pool}
	}
	for _, a := range g.Activations {
		switch a {
		case "relu":
			r.Activations = append(r.Activations, nn.ActReLU)
		case "tanh":
			r.Activations = append(r.Activations, nn.ActTanh)
		case "sigmoid":
			r.Activations = append(r.Activations, nn.ActSigmoid)
		default:
			return r, fmt.Errorf("coinai.grammar.activations: unknown activation %q", a)
		}
	}
	return r, nil
}

// NodeKey is node i's ed25519 key in a run with the given seed: derived by
// hashing, so that keys are reproducible and independent of other streams.
func NodeKey(seed uint64, i int) [32]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(i))
	h := sha256.New()
	h.Write([]byte("coinai/node-key"))
	h.Write(b[:])
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// costArchs is the number of architectures costRatio averages over.
const costArchs = 256

// costRatio is the virtual time of a mining attempt (a fresh-seed
// training job) over that of a verification (evaluating the model on the
// test split) on the same hardware, with the run's cost scales: the ratio
// of the mean FLOPs of the two jobs over costArchs architectures that the
// grammar derives from fixed hashes, times workScale / verifyScale. It
// returns the ratio and the number of architectures decoded.
func costRatio(rg grammar.Ranges, d coinai.Data, epochs int, workScale, verifyScale float64) (float64, int) {
	t := d.Train
	var train, eval float64
	n := 0
	for i := range costArchs {
		h := sha256.Sum256(binary.LittleEndian.AppendUint64([]byte("coinai/cost-ratio"), uint64(i)))
		a, err := grammar.Decode(h, rg, t.C, t.H, t.W, t.Classes)
		if err != nil {
			continue
		}
		train += a.TrainFLOPs(t.Len(), epochs) + a.EvalFLOPs(d.Val.Len()) // TrainJob.FLOPs
		eval += a.EvalFLOPs(d.Test.Len())                                 // EvalJob.FLOPs
		n++
	}
	if n == 0 || eval == 0 {
		return math.NaN(), n
	}
	return train * scaleOf(workScale) / (eval * scaleOf(verifyScale)), n
}

// scaleOf is a cost scale as the host applies it (0 means 1).
func scaleOf(s float64) float64 {
	if s == 0 {
		return 1
	}
	return s
}

func coinaiNodes(s *scenarios.Scenario, p *Plan) error {
	c := s.CoinAI
	data, err := problemData(c.Problem)
	if err != nil {
		return fmt.Errorf("%s: coinai.problem: %w", s.File, err)
	}
	data.StandIn = standInOf(s, c.Problem)
	rg, err := ranges(c.Grammar)
	if err != nil {
		return fmt.Errorf("%s: %w", s.File, err)
	}
	if err := rg.Validate(data.Train.C, data.Train.H, data.Train.W); err != nil {
		return fmt.Errorf("%s: coinai.grammar: %w", s.File, err)
	}
	var attackers []int
	for i, n := range p.Nodes {
		if (n.hashes() || n.Attack.Kind != "") && n.FLOPS <= 0 {
			return fmt.Errorf("%s: coinai: hardware %q of a miner has no flops", s.File, n.Hardware)
		}
		if n.Attack.Kind != "" {
			attackers = append(attackers, i)
		}
	}
	base := coinai.Config{
		Default:          data,
		Ranges:           rg,
		Epochs:           c.EpochsPerAttempt,
		Batch:            c.Batch,
		LR:               c.LR,
		Momentum:         c.Momentum,
		TargetInterval:   int64(c.Interval),
		ThresholdInitial: c.ThresholdInitial,
		ThresholdMin:     c.ThresholdMin,
		ThresholdWindow:  c.ThresholdWindow,
		ThresholdMaxStep: c.ThresholdMaxStep,
		ThresholdDecay:   c.ThresholdDecay,
		BlockReward:      ledger.Amount(c.BlockReward * float64(ledger.Coin)),
		Verify:           c.Verify,
		AttemptMode:      c.AttemptMode,
		Bind:             c.Bind,
		DecayClock:       c.DecayClock,
		BanAfter:         c.BanAfter,
		Duplicate:        c.Duplicate,
	}
	if c.Reveal == coinai.RevealDelayedTest {
		base.Reveal = coinai.RevealConfig{Mode: c.Reveal, Delay: int64(c.RevealDelay), Subset: c.RevealSubset}
		if c.RevealSubset > data.Test.Len() {
			return fmt.Errorf("%s: coinai.reveal_subset: %d is more than the %d samples of the test split", s.File, c.RevealSubset, data.Test.Len())
		}
	}
	p.Fidelity = append(p.Fidelity, attackFidelity(c, p.Nodes)...)
	if c.Lottery {
		base.Lottery = coinai.LotteryConfig{Enabled: true, Difficulty: uint64(c.LotteryDifficulty), Window: c.LotteryWindow}
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.lottery: a model above the threshold is one ticket, SHA-256(parent ‖ miner key ‖ model commitment), "+
			"valid below the target of difficulty %d (retargeted every %d blocks); validators re-train the declared attempt "+
			"(one training per block per validator, charged as verification at verify_scale) to check that the model is the one it trains, "+
			"which needs bit-for-bit reproducible training: true of the simulator's serial trainer, not of GPU training in general",
			c.LotteryDifficulty, c.LotteryWindow))
	}
	if c.SpotCheckEvery > 0 {
		base.SpotCheck = coinai.SpotCheckConfig{Every: c.SpotCheckEvery, Segments: c.SpotCheckSegments}
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.spot_check: miners log a checkpoint (parameters and momentum) every %d SGD steps, "+
			"committed by a Merkle root in the block; every verifier re-runs the %d segments drawn from the block id (real training, charged as "+
			"verification at verify_scale) and checks the end checkpoints bit for bit, which needs bit-for-bit reproducible training "+
			"(true of the simulator's serial trainer, not of GPU training in general); the block carries every leaf and the drawn segments' "+
			"checkpoints, charged on every hop; the draw is known to the miner before it publishes (grindable: see DESIGN.md)",
			c.SpotCheckEvery, c.SpotCheckSegments))
	}
	if c.DecayClock == coinai.DecayClockVerifier {
		p.Fidelity = append(p.Fidelity, "coinai.decay_clock=verifier: a block that takes a threshold decay step is held until the verifier's clock "+
			"reaches its timestamp (nodes' clocks agree exactly in the simulator; a deployment's skew between clocks would delay such blocks by as much)")
	}
	p.CostScale[nodes.JobTrain] = c.WorkScale
	p.CostScale[nodes.JobEval] = c.VerifyScale
	p.TargetInterval = int64(c.Interval)
	if s.Run.StopHeight > 0 {
		base.ExpectedBlocks = s.Run.StopHeight + 16
	}
	p.Fidelity = append(p.Fidelity, coinai.Fidelity()...)
	if c.Fidelity == "sampled" {
		if err := sampledTraining(s, &base, p); err != nil {
			return err
		}
	} else {
		p.Fidelity = append(p.Fidelity, "coinai.training=real: every completed attempt is trained and every block's model evaluated; "+
			"an attempt cancelled by a new tip is charged only its busy time up to the cancellation, and a result computed ahead on a spare core "+
			"and then cancelled is discarded (summary.json attempts_speculative: wall-clock work, never virtual time or energy)")
	}
	ratio, n := costRatio(rg, data, c.EpochsPerAttempt, c.WorkScale, c.VerifyScale)
	standInFidelity(s, p)
	if st := data.StandIn; st != nil {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.cost: the %s problem is charged its stand-in's FLOPs: "+
			"a mining attempt costs %.3g× a verification on the same hardware", c.Problem, st.TrainFLOPs/st.EvalFLOPs))
	} else {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.cost: training charged ×%g, evaluation ×%g of counted FLOPs; "+
			"a mining attempt costs %.3g× a verification on the same hardware (mean over %d architectures of the grammar: "+
			"%d epochs on %d training samples plus %d validation samples, against %d test samples)",
			scaleOf(c.WorkScale), scaleOf(c.VerifyScale), ratio, n, c.EpochsPerAttempt, data.Train.Len(), data.Val.Len(), data.Test.Len()))
	}
	if c.WorkScale != 1 {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.work_scale=%g: each training attempt is charged %g times its counted FLOPs in virtual time and energy, standing in for a larger training job", c.WorkScale, c.WorkScale))
	}
	if c.VerifyScale != 1 {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.verify_scale=%g: each evaluation is charged %g times its counted FLOPs", c.VerifyScale, c.VerifyScale))
	}
	if !c.Verify {
		p.Fidelity = append(p.Fidelity, "coinai.verify=false: nodes trust claimed accuracies")
	}
	if c.Bind == coinai.BindLabelPermutation {
		p.Fidelity = append(p.Fidelity, "coinai.bind=label-permutation: the classes of a child of P are relabelled by a permutation keyed by P's hash, "+
			"in training, validation and test; a model re-used from another parent scores about chance, "+
			"but a miner that permutes its output units defeats the rule (not modelled unless an attacker sets relabel)")
	}
	var reusers, stampers, spoofers []int
	for _, i := range attackers {
		switch p.Nodes[i].Attack.Kind {
		case coinai.AttackReuse:
			reusers = append(reusers, i)
		case coinai.AttackTimestamp:
			stampers = append(stampers, i)
		case coinai.AttackSpoof:
			spoofers = append(spoofers, i)
		}
	}
	if len(reusers) > 0 {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("attack.reuse: nodes %s re-use models they have seen instead of training "+
			"(a perturbed copy of the best seen model of the tip's architecture); each re-use is charged one evaluation on the test split, "+
			"the check every node makes of its own block, and no training", intList(reusers)))
	}
	if len(stampers) > 0 {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("attack.timestamp: nodes %s mine honestly but stamp a block at the next threshold decay step "+
			"when it falls at most group.timestamp.forward after their clock", intList(stampers)))
	}
	if len(spoofers) > 0 {
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("attack.spoof: nodes %s copy seen models as attack.reuse does and fabricate the spot-check log "+
			"(a share group.spoof.real_fraction of the segments trained for real, charged as training; the other checkpoints interpolated)", intList(spoofers)))
	}
	withStorage, err := storageNodes(s, p)
	if err != nil {
		return err
	}
	subs, err := workloadNodes(s, p, &base, rg)
	if err != nil {
		return err
	}
	shared := base
	if st, ok := withStorage(-1); ok {
		shared.Storage = st
	}
	p.CoinAI = &shared
	seed := p.Seed
	p.NewNode = func(i int, n Node) (nodes.Node, error) {
		nc := base
		nc.ID = nodes.PeerID(i)
		nc.Key = ledger.KeyFromSeed(NodeKey(seed, i))
		nc.Miner = n.hashes() || n.Attack.Kind != ""
		nc.Attack = n.Attack
		if st, ok := withStorage(i); ok {
			nc.Storage = st
		}
		if nc.Market != nil {
			m := *nc.Market
			m.Submit = subs[i]
			nc.Market = &m
		}
		return coinai.New(nc)
	}
	return nil
}

// intList writes node indices as "3, 4, 7".
func intList(v []int) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}
