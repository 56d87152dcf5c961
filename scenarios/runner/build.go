package runner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// FromScenario resolves a validated scenario into a runner configuration:
// the network tables, every node's region, hardware and hash rate (drawn
// from named random streams), and the protocol's node constructor.
func FromScenario(s *scenarios.Scenario) (Config, error) {
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
		return Config{}, fmt.Errorf("%s: %w", s.File, err)
	}
	cfg := Config{
		Name:       s.Run.Name,
		Seed:       seed,
		Protocol:   s.Run.Protocol,
		Net:        net,
		Degree:     s.Network.Degree,
		StopHeight: int64(s.Run.StopHeight),
		StopTime:   sim.Time(s.Run.StopTime),
		MaxEvents:  uint64(s.Run.MaxEvents),
	}
	if cfg.Name == "" {
		cfg.Name = s.File
	}
	total := s.NodeCount()
	regionRng := sim.Stream(seed, "setup/regions")
	hashRng := sim.Stream(seed, "setup/hashrate")
	flopsRng := sim.Stream(seed, "setup/flops")
	for gi, g := range s.Groups {
		hw, ok := s.HardwareByName(g.Hardware)
		if !ok {
			return Config{}, fmt.Errorf("%s: group %d: unknown hardware %q", s.File, gi, g.Hardware)
		}
		var regions []int8
		if g.Regions == "" || g.Regions == "default" {
			regions = sim.AssignRegions(net.Share, g.Count, regionRng)
		} else {
			r := slices.Index(net.Regions, g.Regions)
			if r < 0 {
				return Config{}, fmt.Errorf("%s: group %d: unknown region %q", s.File, gi, g.Regions)
			}
			regions = make([]int8, g.Count)
			for i := range regions {
				regions[i] = int8(r)
			}
		}
		for i := 0; i < g.Count; i++ {
			h := spread(float64(hw.Hashrate), g.HashrateSpread, hashRng)
			f := spread(float64(hw.FLOPS), g.FlopsSpread, flopsRng)
			cfg.Nodes = append(cfg.Nodes, NodeSpec{Group: g.Name, Role: g.Role, Region: regions[i],
				Hardware: hw.Name, FLOPS: f, HashRate: h,
				BusyW: float64(hw.BusyWatts), IdleW: float64(hw.IdleWatts), StorageBytes: int64(hw.Storage)})
		}
	}
	if len(cfg.Nodes) != total || total == 0 {
		return Config{}, fmt.Errorf("%s: no nodes", s.File)
	}
	switch s.Run.Protocol {
	case "pow":
		if err := powNodes(s, &cfg); err != nil {
			return Config{}, err
		}
	case "coinai":
		if err := coinaiNodes(s, &cfg); err != nil {
			return Config{}, err
		}
	default:
		return Config{}, fmt.Errorf("%s: unknown protocol %q", s.File, s.Run.Protocol)
	}
	return cfg, nil
}

func powNodes(s *scenarios.Scenario, cfg *Config) error {
	var hashTotal float64
	for _, n := range cfg.Nodes {
		if n.Role == "miner" || n.Role == "" {
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
		BlockReward:       50 * 1e8,
		Relay:             pow.RelayCompact,
	}
	if s.Network.Relay == "full" {
		base.Relay = pow.RelayFull
	}
	if s.Run.StopHeight > 0 {
		base.ExpectedBlocks = s.Run.StopHeight + 16
	}
	// Which nodes fail compact reconstruction is a fixed draw per node, a
	// property of the simulated network (their mempools), not of the
	// protocol: the host answers nodes.Mempool from it.
	if s.Network.CompactFailRate > 0 {
		rng := sim.Stream(cfg.Seed, "setup/compact-fail")
		for i := range cfg.Nodes {
			cfg.Nodes[i].MissesTxs = rng.Float64() < s.Network.CompactFailRate
		}
	}
	cfg.Fidelity = append(cfg.Fidelity, pow.Fidelity()...)
	cfg.Fidelity = append(cfg.Fidelity, fmt.Sprintf("pow.genesis-difficulty=%.6g (total hash rate %.4g H/s, target interval %gs)",
		base.GenesisDifficulty, hashTotal, float64(interval)/1e9))
	cfg.NewNode = func(i int, spec NodeSpec) (nodes.Node, error) {
		c := base
		c.ID = nodes.PeerID(i)
		c.Miner = (spec.Role == "miner" || spec.Role == "") && spec.HashRate > 0
		c.HashRate = spec.HashRate
		return pow.New(c)
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
