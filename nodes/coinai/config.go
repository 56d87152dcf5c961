package coinai

import (
	"crypto/ed25519"
	"fmt"
	"math"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/relay"
)

// Attempt modes (Config.AttemptMode).
const (
	// ModeFreshSeed trains every attempt from scratch with a new seed.
	ModeFreshSeed = "fresh-seed"
	// ModeContinue trains the first attempt on a tip for Config.Epochs
	// epochs and every further attempt one more epoch on the previous
	// attempt's model (momentum restarts at each attempt).
	ModeContinue = "continue"
)

// Defaults for optional Config fields.
const (
	// DefaultMaxBlockTxs is the number of transactions a miner puts in a
	// block when Config.MaxBlockTxs is 0.
	DefaultMaxBlockTxs = 100
	// DefaultRequestTimeout is how long a node waits for a requested block
	// before asking the next peer that announced it (relay.DefaultTimeout,
	// as the PoW baseline).
	DefaultRequestTimeout = relay.DefaultTimeout
	// DefaultMaxFutureDrift is how far ahead of the node's clock a block
	// timestamp may be (Bitcoin's two hours).
	DefaultMaxFutureDrift = 2 * 3600e9
	// decayDriftDivisor sets the default drift when ThresholdDecay is on:
	// half a target interval, a quarter of the decay period. That bounds a
	// timestamp lie but does not stop it from buying a lower threshold: a
	// miner that stamps its block up to the drift ahead reaches each decay
	// step that much early (AttackTimestamp measures it; DecayClockVerifier
	// closes it).
	decayDriftDivisor = 2
	// DefaultPoolSize bounds the transaction pool.
	DefaultPoolSize = 10000
)

// Config configures a node. Fields marked consensus must be equal on all
// nodes of a run, or they will reject each other's blocks.
type Config struct {
	ID nodes.PeerID
	// Key is the node's ed25519 key; its public half is the miner address.
	// Required for miners.
	Key   ed25519.PrivateKey
	Miner bool
	// Default is the default problem's data (consensus), shared read-only
	// by all nodes.
	Default Data
	// Ranges is the architecture grammar's choice lists (consensus).
	Ranges grammar.Ranges
	// Epochs, Batch, LR and Momentum are the miner's SGD settings.
	Epochs, Batch int
	LR, Momentum  float64
	// TargetInterval is the planned mean block interval in ns (consensus).
	TargetInterval int64
	// ThresholdInitial is the genesis threshold and ThresholdMin the floor
	// of the rule, as fractions of test accuracy (consensus).
	ThresholdInitial, ThresholdMin float64
	// ThresholdWindow is the number of blocks between threshold updates;
	// 0 keeps the initial threshold (consensus).
	ThresholdWindow int
	// ThresholdMaxStep is the largest change per update, as a fraction
	// (0.01 = one percentage point) (consensus).
	ThresholdMaxStep float64
	// ThresholdDecay keeps the chain live when the architecture derived
	// from the tip cannot reach the threshold: for every 2 target intervals
	// a block's timestamp lies after its parent's, the threshold it must
	// pass drops by this fraction, down to ThresholdMin. 0 disables it
	// (consensus). Timestamps then matter to security: MaxFutureDrift
	// bounds how far a miner can lie forward, and under DecayClockTimestamp
	// a lie within it reaches a decay step early (see DecayClock).
	ThresholdDecay float64
	// BlockReward is the coinbase amount (consensus).
	BlockReward ledger.Amount
	// Verify makes the node evaluate every block's model on the test
	// split; false trusts the claimed accuracy (to measure what
	// verification costs).
	Verify bool
	// AttemptMode is ModeFreshSeed (the default when empty) or
	// ModeContinue.
	AttemptMode string
	// MaxBlockTxs bounds the transactions a miner includes; 0 means
	// DefaultMaxBlockTxs.
	MaxBlockTxs int
	// RequestTimeout and MaxFutureDrift in ns; 0 means the defaults.
	RequestTimeout, MaxFutureDrift int64
	// MaxOrphans bounds buffered blocks whose parent is unknown; 0 means
	// chain.DefaultMaxOrphans.
	MaxOrphans int
	// ExpectedBlocks sizes the block tree once (optional).
	ExpectedBlocks int
	// Storage configures proof-of-storage of the mined models (see the
	// package doc); the zero value disables it.
	Storage StorageConfig
	// Bind is the binding rule (consensus): BindNone (or empty) or
	// BindLabelPermutation; see bind.go.
	Bind string
	// DecayClock is when a block may take a decay step (consensus in
	// effect, though validity stays a function of the headers):
	// DecayClockTimestamp (or empty) or DecayClockVerifier; see
	// timestamp.go.
	DecayClock string
	// Lottery turns on the lottery above the threshold (consensus); the
	// zero value is off. See lottery.go.
	Lottery LotteryConfig
	// SpotCheck turns on spot-check re-training of a logged training
	// (consensus); the zero value is off. See spotcheck.go.
	SpotCheck SpotCheckConfig
	// Attack makes the node an attacker for measurement (see attack.go);
	// the zero value is an honest node.
	Attack AttackConfig
	// Market turns on the problem market (market.go); nil keeps every
	// block on the default problem unless a problem names its data.
	Market *Market
	// BanAfter is the number of invalid blocks (models that fail
	// evaluation or do not decode; see ban.go) a peer may send before the
	// node ignores it; 0 never bans (a node's local policy, not
	// consensus).
	BanAfter int
	// Duplicate is the duplicate-model rule (consensus):
	// DuplicateFirstSeen (or empty) or DuplicateChain; see dup.go.
	Duplicate string
	// Reveal is commit–reveal with a delayed test set (consensus); the
	// zero value is off. See reveal.go.
	Reveal RevealConfig
	// Sampler, if not nil, turns on the sampled training fidelity: the
	// run's cache of real attempt outcomes, shared by all its nodes (see
	// sampled.go). nil trains every completed attempt.
	Sampler *Sampler
}

func (c *Config) validate() error {
	if err := c.Default.check(); err != nil {
		return fmt.Errorf("default problem: %w", err)
	}
	t := c.Default.Train
	if err := c.Ranges.Validate(t.C, t.H, t.W); err != nil {
		return err
	}
	switch {
	case c.ID < 0:
		return fmt.Errorf("id %d: negative", c.ID)
	case c.Miner && len(c.Key) != ed25519.PrivateKeySize:
		return fmt.Errorf("miner key: %d bytes, want %d", len(c.Key), ed25519.PrivateKeySize)
	case c.Key != nil && len(c.Key) != ed25519.PrivateKeySize:
		return fmt.Errorf("key: %d bytes, want %d", len(c.Key), ed25519.PrivateKeySize)
	case c.Epochs < 1 || c.Batch < 1 || c.Batch > 1<<16:
		return fmt.Errorf("epochs %d, batch %d: want epochs >= 1 and batch in [1, 65536]", c.Epochs, c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0) || !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("lr %v, momentum %v: want lr > 0 and momentum in [0, 1)", c.LR, c.Momentum)
	case c.TargetInterval <= 0:
		return fmt.Errorf("target interval %d ns: must be positive", c.TargetInterval)
	case !(c.ThresholdInitial > 0 && c.ThresholdInitial < 1):
		return fmt.Errorf("initial threshold %v: want (0, 1)", c.ThresholdInitial)
	case !(c.ThresholdMin >= 0 && c.ThresholdMin <= c.ThresholdInitial):
		return fmt.Errorf("minimum threshold %v: want [0, initial %v]", c.ThresholdMin, c.ThresholdInitial)
	case c.ThresholdWindow < 0:
		return fmt.Errorf("threshold window %d: negative", c.ThresholdWindow)
	case c.ThresholdWindow > 0 && c.TargetInterval > math.MaxInt64/4/int64(c.ThresholdWindow):
		return fmt.Errorf("threshold window %d x interval %d ns: overflows", c.ThresholdWindow, c.TargetInterval)
	case !(c.ThresholdMaxStep >= 0 && c.ThresholdMaxStep < 1):
		return fmt.Errorf("threshold max step %v: want [0, 1)", c.ThresholdMaxStep)
	case c.AttemptMode != "" && c.AttemptMode != ModeFreshSeed && c.AttemptMode != ModeContinue:
		return fmt.Errorf("attempt mode %q: want %q or %q", c.AttemptMode, ModeFreshSeed, ModeContinue)
	case c.MaxBlockTxs < 0 || c.MaxBlockTxs > MaxBlockTxs:
		return fmt.Errorf("max block txs %d: want [0, %d]", c.MaxBlockTxs, MaxBlockTxs)
	case !(c.ThresholdDecay >= 0 && c.ThresholdDecay < 1):
		return fmt.Errorf("threshold decay %v: want [0, 1)", c.ThresholdDecay)
	case c.RequestTimeout < 0 || c.MaxFutureDrift < 0:
		return fmt.Errorf("negative timeout or drift")
	}
	if err := validBind(c.Bind); err != nil {
		return err
	}
	if c.DecayClock != "" && c.DecayClock != DecayClockTimestamp && c.DecayClock != DecayClockVerifier {
		return fmt.Errorf("decay clock %q: want %q or %q", c.DecayClock, DecayClockTimestamp, DecayClockVerifier)
	}
	if err := c.Lottery.validate(c); err != nil {
		return err
	}
	if err := c.SpotCheck.validate(c); err != nil {
		return err
	}
	if err := c.Attack.validate(); err != nil {
		return err
	}
	if c.Market != nil {
		if err := c.Market.validate(c); err != nil {
			return err
		}
	}
	if err := c.validateMore(); err != nil {
		return err
	}
	if err := c.validSampler(); err != nil {
		return err
	}
	if c.Attack.Kind != AttackNone && !c.Miner {
		return fmt.Errorf("attack %q: the node must be a miner (it publishes blocks)", c.Attack.Kind)
	}
	if c.Attack.Kind == AttackSpoof && !c.SpotCheck.Enabled() {
		return fmt.Errorf("attack %q: fabricates a spot-check log: needs spot-checking on", c.Attack.Kind)
	}
	return c.Storage.validate()
}

// Genesis returns the genesis header shared by all nodes of a run: version,
// height 0, time 0, the initial threshold, and nothing else (no model, no
// miner, no signature). Its id is therefore a function of
// cfg.ThresholdInitial alone.
func Genesis(cfg Config) Header {
	return Header{Version: Version, Threshold: toPPM(cfg.ThresholdInitial)}
}
