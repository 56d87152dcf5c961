// Package build resolves a validated scenario into a Plan: every node's
// region, hardware, FLOP and hash rates (drawn from named random streams),
// the network tables, the stop conditions, the per-class cost scale, the
// mempool model, the fault plan, the protocol's node constructor, the
// fidelity notes, and what observers and checkers need to know of the
// protocol (target interval, replication, cheaters, consensus rules).
//
// It decides; it runs nothing. Package host runs a Plan's Host
// configuration.
package build

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/attack"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/host"
	"github.com/coinai/coinai/sim"
)

// Node describes one node of the run.
type Node struct {
	Group    string
	Role     string // miner, storage, user, relay...
	Region   int8   // index into the network's regions
	Hardware string
	FLOPS    float64 // effective FLOP/s for compute jobs
	HashRate float64 // H/s for proof-of-work
	BusyW    float64
	IdleW    float64
	// StorageBytes is the capacity the node offers for proof-of-storage.
	StorageBytes int64
	// MissesTxs: the node's mempool lacks the transactions of blocks, so
	// it cannot rebuild compact blocks (nodes.Mempool).
	MissesTxs bool
	// The 2019 network model (see network2019.go): whether the node
	// churns, does not use compact relay, its per-reception rebuild
	// failure probability and its refetch distribution.
	Churn       bool
	NoCompact   bool
	RebuildFail float64
	Refetch     []float64
	// Attack is the node's attacker role (Coin.AI; the zero value is an
	// honest node): the group's role "reuse" or "timestamp" and its
	// [group.reuse] or [group.timestamp] parameters.
	Attack coinai.AttackConfig
	// DoubleSpend is the [group.doublespend] configuration of a PoW node
	// of role "doublespend" (Attack.Kind is then "doublespend" too).
	DoubleSpend pow.DoubleSpendConfig
	// Adversary is the node's attacker role when package attack wraps an
	// honest node for it ("selfish", "eclipse"; see attack.go), "" else.
	Adversary string
	// Victim: an eclipse attacker controls all of the node's peers.
	Victim bool
}

// Mines reports whether the node's role is mining (honestly: attacker
// roles are not counted as miners, even those that fall back to mining).
func (n *Node) Mines() bool { return n.Role == "miner" || n.Role == "" }

// attackOf is the attacker configuration of a node of group g.
func attackOf(g scenarios.Group) coinai.AttackConfig {
	if g.Role == "doublespend" {
		return coinai.AttackConfig{Kind: "doublespend"}
	}
	if g.Role == "timestamp" {
		return coinai.AttackConfig{Kind: coinai.AttackTimestamp, Forward: int64(g.Timestamp.Forward)}
	}
	switch g.Role {
	case "spam":
		return coinai.AttackConfig{Kind: coinai.AttackSpam, Spam: coinai.SpamConfig{PerTip: g.Spam.PerTip,
			Interval: int64(g.Spam.Interval), Malformed: !g.Spam.WellFormed}}
	case "leak":
		return coinai.AttackConfig{Kind: coinai.AttackLeak, Leak: coinai.LeakConfig{Fraction: g.Leak.Fraction}}
	case "steal":
		return coinai.AttackConfig{Kind: coinai.AttackSteal}
	}
	if g.Role == "spoof" {
		r := g.Reuse
		return coinai.AttackConfig{Kind: coinai.AttackSpoof, PerturbBytes: r.PerturbBytes, Source: r.Source,
			Fallback: r.Fallback, Relabel: r.Relabel, Grind: g.Spoof.Grind, RealFraction: g.Spoof.RealFraction}
	}
	if g.Role != "reuse" {
		return coinai.AttackConfig{}
	}
	r := g.Reuse
	return coinai.AttackConfig{Kind: coinai.AttackReuse, PerturbBytes: r.PerturbBytes, Source: r.Source,
		Fallback: r.Fallback, Relabel: r.Relabel}
}

// doubleSpendOf is the double-spend configuration of a node of group g.
func doubleSpendOf(g scenarios.Group) pow.DoubleSpendConfig {
	if g.Role != "doublespend" {
		return pow.DoubleSpendConfig{}
	}
	d := g.DoubleSpend
	return pow.DoubleSpendConfig{Confirmations: d.Confirmations, MaxDeficit: d.MaxDeficit, Premine: d.Premine}
}

// Plan is a run resolved from a scenario.
type Plan struct {
	Name       string
	Seed       uint64
	Protocol   string // "pow" or "coinai"
	Net        sim.NetConfig
	Degree     int
	Nodes      []Node
	StopHeight int64    // stop when every node's tip is at least this high
	StopTime   sim.Time // virtual time limit (0: none)
	MaxEvents  uint64   // event budget (0: none)
	// Degrees is each node's outbound degree when the scenario gives a
	// degree distribution (nil: Degree for all).
	Degrees []int
	// Delay is the receiver's time on a message before it handles it
	// (block validation; nil: none).
	Delay func(msg []byte, padding int) sim.Time
	// CostScale multiplies the counted FLOPs of each class of job in
	// virtual time and energy (0 means 1): the simulation's cost model,
	// never the protocol's.
	CostScale [nodes.NumJobClasses]float64
	// Faults is the fault plan: offline windows and disk losses of
	// [[storage.fault]], and the cuts, losses, delays and crashes of the
	// [[fault]] tables (nil: none), for any protocol.
	Faults *sim.Faults
	// FaultInfo describes each [[fault]] table; the plan's link faults
	// and crashes name theirs by index (sim.LinkFault.Source).
	FaultInfo []FaultInfo
	// NewNode builds node i from its description.
	NewNode func(i int, n Node) (nodes.Node, error)
	// NewNodes, if not nil, is used by Host instead of NewNode: it is
	// called once per run and returns the builder of that run's nodes, for
	// nodes that share state within a run (the PoW nodes' block store;
	// see pow.Shared). Runs of one plan, even at once, share nothing.
	NewNodes func() func(i int, n Node) (nodes.Node, error)
	// Rewire, if not nil, edits the random topology before the nodes
	// are built (the eclipse attackers' links; see attack.go).
	Rewire func(adj [][]int32)
	// Fidelity lists the run's simplifications, by name.
	Fidelity []string
	// TargetInterval is the protocol's planned block interval (0: none),
	// the time scale of the liveness checks.
	TargetInterval sim.Time
	// Storage is proof-of-storage (nil without it).
	Storage *Storage
	// SilentBlockReward is the reward, in coins, that a main-chain block
	// pays its miner without the protocol reporting it as an EvReward
	// (the PoW coinbase), for observers to credit; 0 when the protocol
	// reports its rewards (Coin.AI).
	SilentBlockReward float64
	// CoinAI is the consensus configuration every Coin.AI node shares
	// (rules, data), for checkers that recompute them; nil for other
	// protocols.
	CoinAI *coinai.Config
	// Workload is the users' submissions of the [[workload]] tables (nil
	// without any), for observers that match them against the chain.
	Workload *Workload
	// PoWTxs is the consensus part of the PoW nodes' transactions (genesis
	// funds, miner addresses) of a PoW run with a workload, for the
	// coins-conserved checker; nil otherwise.
	PoWTxs *pow.TxConfig
}

// Storage is what observers need to know of proof-of-storage.
type Storage struct {
	Replication int
	Cheats      map[int32]string // node -> fault kind (lazy, outsource, sybil)
}

// Host is the host configuration of the plan.
func (p *Plan) Host() host.Config {
	specs := make([]host.NodeSpec, len(p.Nodes))
	for i, n := range p.Nodes {
		specs[i] = host.NodeSpec{Region: n.Region, FLOPS: n.FLOPS, BusyW: n.BusyW, IdleW: n.IdleW, MissesTxs: n.MissesTxs,
			RebuildFail: n.RebuildFail, Refetch: n.Refetch}
	}
	cfg := host.Config{Seed: p.Seed, Net: p.Net, Degree: p.Degree, Degrees: p.Degrees, Delay: p.Delay, Nodes: specs,
		StopHeight: p.StopHeight, StopTime: p.StopTime, MaxEvents: p.MaxEvents,
		CostScale: p.CostScale, Faults: p.Faults, Rewire: p.Rewire}
	newNode, all := p.NewNode, p.Nodes
	if p.NewNodes != nil {
		newNode = p.NewNodes()
	}
	if newNode != nil {
		cfg.NewNode = func(i int) (nodes.Node, error) { return newNode(i, all[i]) }
	}
	return cfg
}

// FromScenario resolves a validated scenario into a plan: the network
// tables, every node's region, hardware and hash rate (drawn from named
// random streams), the faults, and the protocol's node constructor.
func FromScenario(s *scenarios.Scenario) (*Plan, error) {
	seed := uint64(s.Run.Seed)
	net := sim.NetConfig{
		Regions:   s.Network.Regions,
		LatencyMs: s.Network.LatencyMs,
		Share:     s.Network.RegionShare,
		Jitter:    s.Network.Jitter == "pareto",
	}
	for _, v := range s.Network.Upload {
		net.UpBps = append(net.UpBps, float64(v))
	}
	for _, v := range s.Network.Download {
		net.DownBps = append(net.DownBps, float64(v))
	}
	if err := net.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	p := &Plan{
		Name:       s.Run.Name,
		Seed:       seed,
		Protocol:   s.Run.Protocol,
		Net:        net,
		Degree:     s.Network.Degree,
		StopHeight: int64(s.Run.StopHeight),
		StopTime:   sim.Time(s.Run.StopTime),
		MaxEvents:  uint64(s.Run.MaxEvents),
	}
	if p.Name == "" {
		p.Name = s.File
	}
	total := s.NodeCount()
	regionRng := sim.Stream(seed, "setup/regions")
	hashRng := sim.Stream(seed, "setup/hashrate")
	flopsRng := sim.Stream(seed, "setup/flops")
	for gi, g := range s.Groups {
		hw, ok := s.HardwareByName(g.Hardware)
		if !ok {
			return nil, fmt.Errorf("%s: group %d: unknown hardware %q", s.File, gi, g.Hardware)
		}
		var regions []int8
		if g.Regions == "" || g.Regions == "default" {
			regions = sim.AssignRegions(net.Share, g.Count, regionRng)
		} else {
			r := slices.Index(net.Regions, g.Regions)
			if r < 0 {
				return nil, fmt.Errorf("%s: group %d: unknown region %q", s.File, gi, g.Regions)
			}
			regions = make([]int8, g.Count)
			for i := range regions {
				regions[i] = int8(r)
			}
		}
		for i := 0; i < g.Count; i++ {
			h := spread(float64(hw.Hashrate), g.HashrateSpread, hashRng)
			f := spread(float64(hw.FLOPS), g.FlopsSpread, flopsRng)
			p.Nodes = append(p.Nodes, Node{Group: g.Name, Role: g.Role, Region: regions[i],
				Hardware: hw.Name, FLOPS: f, HashRate: h,
				BusyW: float64(hw.BusyWatts), IdleW: float64(hw.IdleWatts), StorageBytes: int64(hw.Storage),
				Attack: attackOf(g), DoubleSpend: doubleSpendOf(g), Adversary: adversaryOf(g)})
		}
	}
	if len(p.Nodes) != total || total == 0 {
		return nil, fmt.Errorf("%s: no nodes", s.File)
	}
	if len(s.Network.DegreeCDF) > 0 {
		p.Degrees = sim.DrawDegrees(s.Network.DegreeCDF, total, sim.Stream(seed, "setup/degree"))
	}
	switch s.Run.Protocol {
	case "pow":
		if err := powNodes(s, p); err != nil {
			return nil, err
		}
		if err := adversaries(s, p, attack.PoWWire()); err != nil {
			return nil, fmt.Errorf("%s: %w", s.File, err)
		}
	case "coinai":
		if err := coinaiNodes(s, p); err != nil {
			return nil, err
		}
		if err := adversaries(s, p, attack.CoinAIWire()); err != nil {
			return nil, fmt.Errorf("%s: %w", s.File, err)
		}
	default:
		return nil, fmt.Errorf("%s: unknown protocol %q", s.File, s.Run.Protocol)
	}
	if err := faults(s, p); err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return p, nil
}

// faults turns the scenario's network and disk faults into the plan's
// sim faults, whatever the protocol: an offline window cuts the node off
// the network (the host drops its messages both ways; the node keeps
// running), a disk loss makes the host wipe the node's disk
// (nodes.DiskLoser). Cheats are node behaviours (see storageNodes).
func faults(s *scenarios.Scenario, p *Plan) error {
	var f sim.Faults
	any := false
	for _, sf := range s.Storage.Faults {
		i := int32(sf.Node)
		switch sf.Kind {
		case "offline":
			f.AddOffline(i, sim.Window{From: sim.Time(sf.At), Until: sim.Time(sf.Until)})
			any = true
		case "disk-loss":
			f.AddEvent(sim.Fault{Node: i, At: sim.Time(sf.At), Kind: sim.FaultDiskLoss})
			any = true
		}
	}
	storageOffline := f.HasOffline()
	if len(s.Faults) > 0 {
		if err := runFaults(s, p, &f); err != nil {
			return err
		}
		any = true
		p.Fidelity = append(p.Fidelity, "faults=drop: messages across a cut or lost on a link are dropped unsent; a cut's nodes announce their tips to each other when it heals, as a crashed node's peers do when it restarts")
	}
	if !any {
		return nil
	}
	p.Faults = &f
	if p.Storage == nil && storageOffline {
		p.Fidelity = append(p.Fidelity, "churn=network-cut: an offline node keeps running; the host drops its messages in both directions")
	}
	return nil
}

// powBlockReward is the PoW coinbase in base units (50 coins, Bitcoin's
// first era).
const powBlockReward = 50 * uint64(ledger.Coin)

func powNodes(s *scenarios.Scenario, p *Plan) error {
	var hashTotal float64
	for _, n := range p.Nodes {
		if n.hashes() {
			hashTotal += n.HashRate
		}
	}
	if hashTotal <= 0 {
		return fmt.Errorf("%s: pow: no miner has a hash rate", s.File)
	}
	interval := int64(s.PoW.Interval)
	base := pow.Config{
		TargetInterval:    interval,
		GenesisDifficulty: pow.DifficultyFor(hashTotal, interval),
		RetargetWindow:    s.PoW.RetargetWindow,
		BlockSize:         int(s.PoW.BlockSize),
		TxSize:            int(s.PoW.TxSize),
		MaxBlockSize:      int(s.PoW.MaxBlockSize),
		BlockReward:       powBlockReward,
		Relay:             pow.RelayCompact,
	}
	if s.Network.Relay == "full" {
		base.Relay = pow.RelayFull
	}
	if s.Run.StopHeight > 0 {
		base.ExpectedBlocks = s.Run.StopHeight + 16
	}
	p.TargetInterval = interval
	p.SilentBlockReward = float64(powBlockReward) / float64(ledger.Coin)
	// Which nodes fail compact reconstruction is a fixed draw per node, a
	// property of the simulated network (their mempools), not of the
	// protocol: the host answers nodes.Mempool from it.
	if s.Network.CompactFailRate > 0 {
		rng := sim.Stream(p.Seed, "setup/compact-fail")
		for i := range p.Nodes {
			p.Nodes[i].MissesTxs = rng.Float64() < s.Network.CompactFailRate
		}
	}
	network2019(s, p, &base)
	p.Fidelity = append(p.Fidelity, pow.Fidelity()...)
	subs, err := powWorkload(s, p, &base)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(p.Nodes, func(n Node) bool { return n.Role == "doublespend" }) {
		p.Fidelity = append(p.Fidelity, pow.DoubleSpendFidelity)
	}
	p.Fidelity = append(p.Fidelity, fmt.Sprintf("pow.genesis-difficulty=%.6g (total hash rate %.4g H/s, target interval %gs)",
		base.GenesisDifficulty, hashTotal, float64(interval)/1e9))
	newNode := func(shared *pow.Shared) func(i int, n Node) (nodes.Node, error) {
		return func(i int, n Node) (nodes.Node, error) {
			c := base
			c.ID = nodes.PeerID(i)
			c.Miner = n.hashes() && n.HashRate > 0
			c.HashRate = n.HashRate
			c.Shared = shared
			if subs != nil {
				txs := *base.Txs
				txs.Submit = subs[i]
				c.Txs = &txs
			}
			if n.NoCompact {
				c.Relay, c.NoCompact = pow.RelayFull, true
			}
			if n.Role == "doublespend" {
				return pow.NewDoubleSpender(c, n.DoubleSpend)
			}
			return pow.New(c)
		}
	}
	p.NewNode = newNode(nil)
	// The nodes of a run share their block store and decoded blocks: the
	// same results in a fraction of the memory (pow.Shared).
	p.NewNodes = func() func(i int, n Node) (nodes.Node, error) {
		return newNode(pow.NewShared(base.ExpectedBlocks))
	}
	return nil
}

// spread draws a node's rate from Normal(mean, frac*mean), redrawn until
// positive, as SimBlock draws mining power; frac 0 gives the mean.
func spread(mean, frac float64, rng *rand.Rand) float64 {
	if frac <= 0 || mean <= 0 {
		return mean
	}
	for {
		if v := mean * (1 + frac*rng.NormFloat64()); v > 0 {
			return v
		}
	}
}

// mustFinite guards float parameters that reach consensus code.
func mustFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s must be a finite number", name)
	}
	return nil
}
