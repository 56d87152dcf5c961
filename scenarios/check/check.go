// Package check asserts the testbed's invariants while the network runs
// and at its end, in the manner of TigerBeetle's and FoundationDB's
// simulators: a run that breaks one stops, fails, and its seed is a bug
// report. Each checker works from what it can verify on its own, never
// from a node's word:
//
//   - chains-agree-below-fork-depth: the online honest nodes hold the same
//     block ForkDepth below the lowest of their tips;
//   - accepted-models-pass-threshold (Coin.AI): every block a node accepted
//     carries the threshold the rule gives on its chain, and its model,
//     re-evaluated here on the test split, passes it and scores what the
//     node reported;
//   - node-invariants: whatever a node checks of its own state
//     (nodes.InvariantChecker: coins conserved in its ledger);
//   - coins-conserved (Coin.AI with a [[workload]] market): every node's
//     main chain, replayed by bookkeeping written apart from the ledger
//     (genesis funds, rewards, transfers, fees, escrows, refunds), adds up,
//     and the node's ledger holds the same balances and escrow (coins.go);
//   - liveness: the highest tip of the online nodes grows at least every
//     LivenessIntervals target intervals while half of the miners are
//     online;
//   - progress: the run does not stall (no higher tip for StallIntervals
//     target intervals, whoever is online) and no online node stays below
//     the stop height while the others run far past it.
//
// The checkers run at every growth of the highest tip and at the end; the
// liveness and progress rules are looked at after every event, at the
// cost of a comparison.
package check

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/sim"
)

const (
	// ForkDepth is the depth below the lowest tip under which all online
	// honest nodes must hold the same block.
	ForkDepth = 6
	// RejoinIntervals is how long, in target intervals, a node must have
	// been online to count in the agreement check: a node that was cut off
	// catches up (or abandons what it mined alone) after it rejoins.
	RejoinIntervals = 10
	// LivenessIntervals is the longest wait for a higher tip, in target
	// intervals, while at least half of the miners are online throughout.
	LivenessIntervals = 20
	// StallIntervals is the longest wait for a higher tip, in target
	// intervals, whoever is online: a run that waits longer cannot make
	// progress and stops.
	StallIntervals = 50
	// OverrunBlocks is how far the highest tip may run past the stop
	// height while an online node is still below it.
	OverrunBlocks = 50
)

// Result is one checker's verdict.
type Result = observe.CheckResult

// Host is what the checkers read of the run (package host implements it).
type Host interface {
	NumNodes() int
	Node(i int) nodes.Node
	Now() sim.Time
	Events() uint64
	// OnlineThrough reports whether node i was connected at every
	// instant of [from, until].
	OnlineThrough(i int32, from, until sim.Time) bool
}

// Parts is implemented by a Host whose fault plan can cut the network
// into parts that cannot hear each other (package host implements it).
// Nodes of different parts may hold different chains for as long as the
// cut lasts, and for a while after it heals: the agreement check asks
// each part to agree within itself, and leaves out the nodes of a part
// that rejoined within RejoinIntervals target intervals; the liveness
// rule asks each part that holds half of the miners to grow.
type Parts interface {
	// Partitioned reports whether the plan has cuts at all.
	Partitioned() bool
	// Part returns node i's part now (-1: offline or crashed).
	Part(i int32) int32
	// Rejoined returns the last time node i's part was formed by
	// joining parts that had been apart, or -1.
	Rejoined(i int32) sim.Time
	// Split reports whether the online nodes form several parts now.
	Split() bool
	// PartsVersion changes whenever the parts may have changed.
	PartsVersion() int
}

// Config is what the checkers need to know of the run.
type Config struct {
	Protocol string
	// TargetInterval is the planned block interval, the time scale of the
	// liveness and progress checks (0: they are off).
	TargetInterval sim.Time
	StopHeight     int64
	// Miners marks the nodes that mine (the liveness quorum).
	Miners []bool
	// HonestShare is the honest miners' share of the run's mining power
	// (hash rate or FLOP/s, attackers' included); 0 means 1. The liveness
	// rule counts honest nodes' tips only, so it waits LivenessIntervals
	// of the honest miners' own expected interval, TargetInterval /
	// HonestShare: a selfish pool of a third of the power that withholds
	// its blocks leaves the honest tips growing at two thirds of the rate,
	// and a 20-interval honest gap then comes once in a few 10,000-block
	// runs (the calibration's alpha = 0.35 case hit it at seed 1).
	HonestShare float64
	// Cheats marks the nodes that misbehave (not honest): they are left
	// out of the agreement check.
	Cheats map[int32]string
	// AgreementOff, if not empty, is why the agreement check does not
	// apply to the run (a selfish pool's releases legitimately split the
	// honest nodes for as long as its lead lasts); the check then passes
	// with this note.
	AgreementOff string
	// CoinAI is the consensus configuration of a Coin.AI run (rules, test
	// data), for the accepted-model checker; nil for other protocols.
	CoinAI *coinai.Config
	// PoWTxs is the consensus part of a PoW run's transactions (nil
	// without a workload), for the coins-conserved checker.
	PoWTxs *pow.TxConfig
	// PoWReward is the PoW coinbase in base units.
	PoWReward uint64
}

// Suite is the run's checkers.
type Suite struct {
	cfg Config
	h   Host
	o   *observe.Observer

	failed *Result // the failure that stopped the run
	rounds int     // periodic rounds run

	// parts is the host's view of the cuts (nil: the plan has none).
	parts Parts
	pg    partGrowth

	grow   growth
	models models
}

// New returns the checkers of a run, reading h and o.
func New(cfg Config, h Host, o *observe.Observer) *Suite {
	s := &Suite{cfg: cfg, h: h, o: o}
	if p, ok := h.(Parts); ok && p.Partitioned() {
		s.parts = p
	}
	s.grow.rejected = map[[32]byte]string{}
	if cfg.CoinAI != nil {
		s.models.init(cfg.CoinAI)
	}
	return s
}

// Observe records what the checkers need of one event; it runs no check.
func (s *Suite) Observe(node int32, at sim.Time, ev nodes.Event) {
	switch ev.Kind {
	case nodes.EvTip:
		// A node cut off from the network may extend a chain of its own:
		// only online nodes' tips count as the network's growth. So may
		// an attacker (a selfish pool's private branch) or an eclipse
		// victim: only honest nodes' tips count.
		if _, cheat := s.cfg.Cheats[node]; !cheat && s.h.OnlineThrough(node, at, at) {
			s.grow.tip(at, ev.Height)
			if s.parts != nil {
				s.pg.tip(s, node, at, ev.Height)
			}
		}
	case nodes.EvMined:
		s.grow.mined++
	case nodes.EvRejected:
		if len(s.grow.rejected) < 10000 {
			s.grow.rejected[ev.Block] = ev.Note
		}
	case nodes.EvAccepted:
		if s.cfg.CoinAI != nil {
			s.models.queue = append(s.models.queue, acceptance{node, ev.Block, ev.Value})
		}
	}
}

// Stopped returns the failure that stopped the run, or nil.
func (s *Suite) Stopped() *Result { return s.failed }

// Tick runs after every event: the liveness and progress rules, and a
// round of every checker when the highest tip has grown. An error stops
// the run; its verdict is kept for Final.
func (s *Suite) Tick() error {
	if s.failed != nil {
		return nil
	}
	if name, reason := s.grow.stalled(s); reason != "" {
		return s.fail(name, reason)
	}
	if !s.grow.dirty {
		return nil
	}
	s.grow.dirty = false
	s.rounds++
	if name, reason := s.round(); reason != "" {
		return s.fail(name, reason)
	}
	return nil
}

// round runs the checkers on the run as it stands.
func (s *Suite) round() (name, reason string) {
	if _, reason := s.agreement(); reason != "" {
		return nameAgreement, reason
	}
	if s.cfg.CoinAI != nil {
		if reason := s.models.drain(s.h); reason != "" {
			return nameModels, reason
		}
	}
	if _, reason := s.invariants(); reason != "" {
		return nameInvariants, reason
	}
	if reason := s.grow.overrun(s); reason != "" {
		return nameProgress, reason
	}
	return "", ""
}

// fail records the failure of checker name, with the time and the event
// count, and returns it as an error.
func (s *Suite) fail(name, reason string) error {
	s.failed = &Result{Name: name, OK: false,
		Note: fmt.Sprintf("at t=%.3fs after event %d: %s", float64(s.h.Now())/1e9, s.h.Events(), reason)}
	return fmt.Errorf("%s: %s", name, reason)
}

const (
	nameAgreement  = "chains-agree-below-fork-depth"
	nameModels     = "accepted-models-pass-threshold"
	nameInvariants = "node-invariants"
	nameLiveness   = "liveness"
	nameProgress   = "progress"
)

// Final returns every checker's verdict at the end of the run (a checker
// that stopped the run keeps the verdict it stopped it with).
func (s *Suite) Final() []Result {
	verdict := func(name string, f func() (ok, reason string)) Result {
		if s.failed != nil && s.failed.Name == name {
			return *s.failed
		}
		ok, reason := f()
		if reason != "" {
			return Result{Name: name, OK: false, Note: reason}
		}
		return Result{Name: name, OK: true, Note: ok}
	}
	var out []Result
	out = append(out, verdict(nameAgreement, s.agreement))
	if s.cfg.CoinAI != nil {
		out = append(out, verdict(nameModels, func() (string, string) {
			if reason := s.models.drain(s.h); reason != "" {
				return "", reason
			}
			return s.models.summary(), ""
		}))
	}
	if n := s.invariantNodes(); n > 0 {
		out = append(out, verdict(nameInvariants, s.invariants))
	}
	if s.cfg.CoinAI != nil && s.cfg.CoinAI.Market != nil {
		out = append(out, verdict(nameCoins, s.coins))
	}
	if s.cfg.PoWTxs != nil {
		out = append(out, verdict(nameCoins, s.powCoins))
	}
	if s.cfg.TargetInterval > 0 {
		out = append(out, verdict(nameLiveness, func() (string, string) { return s.grow.summary(s), "" }))
		out = append(out, verdict(nameProgress, func() (string, string) {
			return fmt.Sprintf("no stall of %d target intervals; %d check rounds during the run", StallIntervals, s.rounds), ""
		}))
	}
	return out
}

// invariantNodes is the number of nodes that check their own state.
func (s *Suite) invariantNodes() int {
	n := 0
	for i := range s.h.NumNodes() {
		if _, ok := s.h.Node(i).(nodes.InvariantChecker); ok {
			n++
		}
	}
	return n
}

// invariants asks every node that can to check its own state.
func (s *Suite) invariants() (ok, reason string) {
	checked := 0
	for i := range s.h.NumNodes() {
		c, is := s.h.Node(i).(nodes.InvariantChecker)
		if !is {
			continue
		}
		checked++
		if err := c.Invariants(); err != nil {
			return "", fmt.Sprintf("node %d: %v", i, err)
		}
	}
	return fmt.Sprintf("%d nodes checked", checked), ""
}
