package scenarios

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestValidate mutates the default scenario and checks the one problem each
// mutation causes. Built in Go, the scenario has no file, so problems carry
// no file or line.
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Scenario)
		want   string
	}{
		{"protocol", func(s *Scenario) { s.Run.Protocol = "pos" }, `run.protocol: "pos" is not one of "pow", "coinai"`},
		{"no stop", func(s *Scenario) { s.Run.StopHeight = 0 }, "run: no stop condition: set stop_height, stop_time or max_events"},
		{"negative stop time", func(s *Scenario) { s.Run.StopTime = -Second }, "run.stop_time: -1s must be >= 0"},
		{"negative events", func(s *Scenario) { s.Run.MaxEvents = -1 }, "run.max_events: -1 must be >= 0"},
		{"latency rows", func(s *Scenario) { s.Network.LatencyMs = s.Network.LatencyMs[:5] }, "network.latency_ms: has 5 rows; want 6 (one per region, 6x6)"},
		{"latency cols", func(s *Scenario) { s.Network.LatencyMs[2] = []float64{1, 2} }, "network.latency_ms.2: row 2 has 2 columns; want 6 (latency_ms must be 6x6)"},
		{"latency negative", func(s *Scenario) { s.Network.LatencyMs[1][3] = -1 }, "network.latency_ms.1.3: -1 must be >= 0"},
		{"download zero", func(s *Scenario) { s.Network.Download[4] = 0 }, "network.download.4: 0bps must be > 0"},
		{"upload negative", func(s *Scenario) { s.Network.Upload[0] = -1e6 }, "network.upload.0: -1Mbps must be > 0"},
		{"upload NaN", func(s *Scenario) { s.Network.Upload[0] = BitRate(math.NaN()) }, "network.upload.0: NaNbps must be > 0"},
		{"share sum", func(s *Scenario) { s.Network.RegionShare[0] = 30 }, "network.region_share: sums to 96.84 percent; want 100"},
		{"share count", func(s *Scenario) { s.Network.RegionShare = []float64{100} }, "network.region_share: has 1 entries; want 6 (one per region)"},
		{"duplicate region", func(s *Scenario) { s.Network.Regions[5] = "NA" }, `network.regions.5: duplicate region "NA"`},
		{"jitter", func(s *Scenario) { s.Network.Jitter = "gauss" }, `network.jitter: "gauss" is not one of "pareto", "none"`},
		{"degree", func(s *Scenario) { s.Network.Degree = 0 }, "network.degree: 0 must be >= 1"},
		{"degree vs nodes", func(s *Scenario) { s.Groups[0].Count = 8 }, "network.degree: 8 outbound peers need more than 8 nodes"},
		{"relay", func(s *Scenario) { s.Network.Relay = "graphene" }, `network.relay: "graphene" is not one of "compact", "full"`},
		{"fail rate", func(s *Scenario) { s.Network.CompactFailRate = 1.5 }, "network.compact_fail_rate: 1.5 must be <= 1"},
		{"hardware dup", func(s *Scenario) { s.Hardware[1].Name = "laptop-cpu" }, `hardware.1.name: duplicate hardware name "laptop-cpu"`},
		{"hardware flops", func(s *Scenario) { s.Hardware[0].FLOPS = -1 }, "hardware.0.flops: -1FLOPS must be >= 0"},
		{"no groups", func(s *Scenario) { s.Groups = nil }, "group: no [[group]] of nodes"},
		{"zero count", func(s *Scenario) {
			s.Groups = append(s.Groups, Group{Count: 0, Hardware: "asic", Role: "user", Regions: "default"})
		}, "group.1.count: 0 must be > 0"},
		{"huge count", func(s *Scenario) { s.Groups[0].Count = 20_000_000 }, "group.0.count: 20000000 is more than the 10000000 nodes supported"},
		{"unknown hardware", func(s *Scenario) { s.Groups[0].Hardware = "tpu" }, `group.0.hardware: unknown hardware "tpu" (known: laptop-cpu, rtx4090, h100, asic)`},
		{"doublespend with retargeting", func(s *Scenario) {
			s.Groups = append(s.Groups, Group{Count: 1, Hardware: "asic", Role: "doublespend", Regions: "default", DoubleSpend: DoubleSpend{Confirmations: 6, MaxDeficit: 10}})
		}, `group.1.role: "doublespend" needs pow.retarget_window = 0 (its private chain keeps the fork's difficulty), not 2016`},
		{"doublespend confirmations", func(s *Scenario) {
			s.PoW.RetargetWindow = 0
			s.Groups = append(s.Groups, Group{Count: 1, Hardware: "asic", Role: "doublespend", Regions: "default", DoubleSpend: DoubleSpend{Confirmations: 0, MaxDeficit: 10}})
		}, "group.1.doublespend.confirmations: 0 must be in [1, 1000]"},
		{"doublespend cutoff", func(s *Scenario) {
			s.PoW.RetargetWindow = 0
			s.Groups = append(s.Groups, Group{Count: 1, Hardware: "asic", Role: "doublespend", Regions: "default", DoubleSpend: DoubleSpend{Confirmations: 6, MaxDeficit: 0}})
		}, "group.1.doublespend.max_deficit: 0 must be in [1, 1000]"},
		{"doublespend without hashrate", func(s *Scenario) {
			s.PoW.RetargetWindow = 0
			s.Groups = append(s.Groups, Group{Count: 1, Hardware: "laptop-cpu", Role: "doublespend", Regions: "default", DoubleSpend: DoubleSpend{Confirmations: 6, MaxDeficit: 10}})
		}, `group.1.hardware: "laptop-cpu" has no hashrate and cannot mine proof-of-work blocks`},
		{"eclipse without victims", func(s *Scenario) {
			s.Groups = append(s.Groups, Group{Name: "ecl", Count: 2, Hardware: "asic", Role: "eclipse", Regions: "default", Eclipse: Eclipse{Mode: "delay"}})
		}, `group.1.eclipse.victims: empty: an eclipse attacker needs at least one victim (node selectors as in [[fault]] nodes)`},
		{"eclipse mode", func(s *Scenario) {
			s.Groups = append(s.Groups, Group{Name: "ecl", Count: 2, Hardware: "asic", Role: "eclipse", Regions: "default", Eclipse: Eclipse{Victims: []string{"0"}, Mode: "drop"}})
		}, `group.1.eclipse.mode: "drop" is not one of "delay", "withhold"`},
		{"eclipse own group", func(s *Scenario) {
			s.Groups = append(s.Groups, Group{Name: "ecl", Count: 2, Hardware: "asic", Role: "eclipse", Regions: "default", Eclipse: Eclipse{Victims: []string{"ecl"}, Mode: "delay"}})
		}, `group.1.eclipse.victims: names the attacker's own group "ecl"`},
		{"selfish reach", func(s *Scenario) {
			s.Groups = append(s.Groups, Group{Name: "pool", Count: 1, Hardware: "asic", Role: "selfish", Regions: "default", Selfish: Selfish{Reach: []string{"500"}}})
		}, `group.1.selfish.reach.0: "500": node 500 is beyond the last node 100`},
		{"role", func(s *Scenario) { s.Groups[0].Role = "validator" }, `group.0.role: "validator" is not one of "miner", "storage", "user", "relay", "reuse", "timestamp", "doublespend", "selfish", "eclipse", "spam", "leak", "steal", "spoof"`},
		{"timestamp under pow", func(s *Scenario) {
			s.Groups[0].Role = "timestamp"
			s.Groups = append(s.Groups, Group{Count: 1, Hardware: "asic", Role: "miner", Regions: "default"})
		}, `group.0.role: "timestamp" games Coin.AI's threshold decay: it needs run.protocol = "coinai"`},
		{"timestamp beyond drift", func(s *Scenario) {
			s.Run.Protocol = "coinai"
			s.Groups[0].Hardware = "laptop-cpu"
			s.Groups = append(s.Groups, Group{Count: 2, Hardware: "laptop-cpu", Role: "timestamp", Regions: "default", Timestamp: Timestamp{Forward: 31 * Second}})
		}, "group.1.timestamp.forward: 31s must be in (0, 30s], the drift nodes allow (half of coinai.interval with threshold_decay > 0, else 2h)"},
		{"timestamp zero", func(s *Scenario) {
			s.Run.Protocol = "coinai"
			s.Groups[0].Hardware = "laptop-cpu"
			s.Groups = append(s.Groups, Group{Count: 2, Hardware: "laptop-cpu", Role: "timestamp", Regions: "default"})
		}, "group.1.timestamp.forward: 0s must be in (0, 30s], the drift nodes allow (half of coinai.interval with threshold_decay > 0, else 2h)"},
		{"decay clock", func(s *Scenario) { s.CoinAI.DecayClock = "arrival" }, `coinai.decay_clock: "arrival" is not one of "timestamp", "verifier"`},
		{"lottery threshold window", func(s *Scenario) { s.CoinAI.Lottery = true }, "coinai.threshold_window: 10: with lottery = true the ticket difficulty holds the interval; set 0 (the threshold stays at threshold_initial, a usefulness floor)"},
		{"lottery attempt mode", func(s *Scenario) {
			s.CoinAI.Lottery, s.CoinAI.ThresholdWindow, s.CoinAI.AttemptMode = true, 0, "continue"
		}, `coinai.attempt_mode: "continue": with lottery = true validators re-train the declared attempt from its seed; want "fresh-seed"`},
		{"lottery difficulty", func(s *Scenario) {
			s.CoinAI.Lottery, s.CoinAI.ThresholdWindow, s.CoinAI.LotteryDifficulty = true, 0, 0
		}, "coinai.lottery_difficulty: 0 must be >= 1"},
		{"lottery window", func(s *Scenario) {
			s.CoinAI.Lottery, s.CoinAI.ThresholdWindow, s.CoinAI.LotteryWindow = true, 0, -1
		}, "coinai.lottery_window: -1 must be >= 0"},
		{"reuse under pow", func(s *Scenario) {
			s.Groups[0].Role = "reuse"
			s.Groups = append(s.Groups, Group{Count: 1, Hardware: "asic", Role: "miner", Regions: "default"})
		},
			`group.0.role: "reuse" re-uses trained models: it needs run.protocol = "coinai"`},
		{"reuse bytes", func(s *Scenario) {
			s.Run.Protocol = "coinai"
			s.Groups[0].Hardware = "laptop-cpu"
			s.Groups = append(s.Groups, Group{Count: 2, Hardware: "laptop-cpu", Role: "reuse", Regions: "default", Reuse: Reuse{PerturbBytes: 0, Source: "any", Fallback: "idle"}})
		}, "group.1.reuse.perturb_bytes: 0 must be in [1, 1048576]"},
		{"reuse source", func(s *Scenario) {
			s.Run.Protocol = "coinai"
			s.Groups[0].Hardware = "laptop-cpu"
			s.Groups = append(s.Groups, Group{Count: 2, Hardware: "laptop-cpu", Role: "reuse", Regions: "default", Reuse: Reuse{PerturbBytes: 1, Source: "theirs", Fallback: "idle"}})
		}, `group.1.reuse.source: "theirs" is not one of "any", "own"`},
		{"reuse fallback", func(s *Scenario) {
			s.Run.Protocol = "coinai"
			s.Groups[0].Hardware = "laptop-cpu"
			s.Groups = append(s.Groups, Group{Count: 2, Hardware: "laptop-cpu", Role: "reuse", Regions: "default", Reuse: Reuse{PerturbBytes: 1, Source: "own", Fallback: "sleep"}})
		}, `group.1.reuse.fallback: "sleep" is not one of "mine", "idle"`},
		{"reuse without flops", func(s *Scenario) {
			s.Run.Protocol = "coinai"
			s.Groups[0].Hardware = "laptop-cpu"
			s.Groups = append(s.Groups, Group{Count: 2, Hardware: "asic", Role: "reuse", Regions: "default", Reuse: Reuse{PerturbBytes: 1, Source: "any", Fallback: "mine"}})
		}, `group.1.hardware: "asic" has no flops and cannot train models`},
		{"bind", func(s *Scenario) { s.CoinAI.Bind = "labels" }, `coinai.bind: "labels" is not one of "none", "label-permutation"`},
		{"region", func(s *Scenario) { s.Groups[0].Regions = "EU,NA" }, `group.0.regions: "EU,NA" is neither "default" nor a region of network.regions (NA, EU, SA, AP, JP, AU)`},
		{"spread", func(s *Scenario) { s.Groups[0].HashrateSpread = -0.1 }, "group.0.hashrate_spread: -0.1 must be >= 0"},
		{"pow without hashrate", func(s *Scenario) { s.Groups[0].Hardware = "h100" }, `group.0.hardware: "h100" has no hashrate and cannot mine proof-of-work blocks`},
		{"coinai without flops", func(s *Scenario) { s.Run.Protocol = "coinai" }, `group.0.hardware: "asic" has no flops and cannot train models`},
		{"interval", func(s *Scenario) { s.PoW.Interval = 0 }, "pow.interval: 0s must be > 0"},
		{"block above max", func(s *Scenario) { s.PoW.BlockSize = 2_000_000 }, "pow.block_size: 2MB is above max_block_size 1MB"},
		{"tx above block", func(s *Scenario) { s.PoW.TxSize = 600_000 }, "pow.tx_size: 600KB is above block_size 535KB"},
		{"pow fidelity", func(s *Scenario) { s.PoW.Fidelity = "real" }, `pow.fidelity: "real" is not one of "sampled-exponential"`},
		{"threshold", func(s *Scenario) { s.CoinAI.ThresholdInitial = 0 }, "coinai.threshold_initial: 0 must be > 0"},
		{"momentum", func(s *Scenario) { s.CoinAI.Momentum = 1 }, "coinai.momentum: 1 never forgets a gradient; want < 1"},
		{"attempt mode", func(s *Scenario) { s.CoinAI.AttemptMode = "resume" }, `coinai.attempt_mode: "resume" is not one of "fresh-seed", "continue"`},
		{"sampled k", func(s *Scenario) { s.CoinAI.SampledRealAttempts = 0 }, "coinai.sampled_real_attempts: 0 must be >= 1"},
		{"sampled continue", func(s *Scenario) { s.CoinAI.Fidelity, s.CoinAI.AttemptMode = "sampled", "continue" },
			`coinai.fidelity: "sampled" with attempt_mode = "continue": a continued attempt is not a draw of its architecture's outcomes; use attempt_mode = "fresh-seed"`},
		{"grammar range", func(s *Scenario) { s.CoinAI.Grammar.MaxConvs = -1 }, "coinai.grammar.max_convs: -1 must be >= 0"},
		{"grammar empty", func(s *Scenario) { s.CoinAI.Grammar.Kernels = nil }, "coinai.grammar.kernels: needs at least one choice"},
		{"activation", func(s *Scenario) { s.CoinAI.Grammar.Activations[1] = "gelu" }, `coinai.grammar.activations.1: "gelu" is not one of "relu", "tanh", "sigmoid"`},
		{"storage", func(s *Scenario) { s.Storage.Replication = 0 }, "storage.replication: 0 must be >= 1"},
		{"deadline", func(s *Scenario) { s.Storage.Deadline = -Second }, "storage.deadline: -1s must be > 0"},
		{"output", func(s *Scenario) { s.Output.Dir = "" }, "output.dir: must not be empty"},
		{"negative seed", func(s *Scenario) { s.Run.Seed = -3 }, "run.seed: -3 is negative; a seed is an integer from 0 to 9223372036854775807"},
		{"block reward above the ledger", func(s *Scenario) { coinAI(s); s.CoinAI.BlockReward = 2e11 },
			"coinai.block_reward: 2e+11 coins a block is more than the ledger can hold (184467440737.09551615 coins: amounts are uint64 counts of 1e-8 coin)"},
		{"block rewards of the run above the ledger", func(s *Scenario) { coinAI(s); s.CoinAI.BlockReward = 1e9; s.Run.StopHeight = 200 },
			"coinai.block_reward: 1e+09 coins a block over up to 216 blocks (run.stop_height 200 + 16) mint 2.16e+11 coins, more than the ledger can hold (184467440737.09551615 coins); lower the reward or the number of blocks"},
		{"block rewards of a timed run", func(s *Scenario) {
			coinAI(s)
			s.CoinAI.BlockReward = 1e9
			s.Run.StopHeight, s.Run.StopTime = 0, 100*60*Second
		}, "coinai.block_reward: 1e+09 coins a block over up to 200 blocks (twice run.stop_time 6000s / interval 60s) mint 2e+11 coins, more than the ledger can hold (184467440737.09551615 coins); lower the reward or the number of blocks"},
		{"storage reward above the ledger", func(s *Scenario) { storage(s, 3); s.Storage.Reward = 1e12 },
			"storage.reward: 1e+12 coins a proof is more than the ledger can hold (184467440737.09551615 coins: amounts are uint64 counts of 1e-8 coin)"},
		{"storage rewards of the run above the ledger", func(s *Scenario) { storage(s, 3); s.Storage.Reward = 2e7 },
			"storage.reward: 2e+07 coins a proof over up to 18315 proofs (every model challenged on its 3 holders at each round, a round every 1 blocks, up to 116 blocks: run.stop_height 100 + 16) plus 5800 coins of block rewards mint 3.663e+11 coins, more than the ledger can hold (184467440737.09551615 coins); lower the rewards or the number of blocks"},
		{"replication above the storage nodes", func(s *Scenario) { storage(s, 2) },
			`storage.replication: 3 copies of each model need 3 storage nodes; the scenario has 2 (nodes of groups with role = "storage" whose hardware has storage capacity)`},
		{"storage without storage nodes", func(s *Scenario) { storage(s, 2); s.Groups[1].Hardware = "asic" },
			`storage.enabled: no node can keep models: no [[group]] with role = "storage" has hardware with storage capacity`},
	}
	for _, tt := range tests {
		s := Default()
		tt.mutate(&s)
		err := s.Validate()
		var errs *Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: Validate() = %v, want *Errors", tt.name, err)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("%s: Validate() =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{"a.toml", 3, "run.seed", "bad"}, "a.toml:3: run.seed: bad"},
		{Problem{"a.toml", 0, "run.seed", "bad"}, "a.toml: run.seed: bad"},
		{Problem{"a.toml", 3, "", "bad"}, "a.toml:3: bad"},
		{Problem{"", 3, "k", "bad"}, "line 3: k: bad"},
		{Problem{"", 0, "k", "bad"}, "k: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
	e := &Errors{Problems: []Problem{{"f", 1, "a", "x"}, {"f", 2, "b", "y"}}}
	if got := e.Error(); got != "f:1: a: x\nf:2: b: y" {
		t.Errorf("Errors.Error() = %q", got)
	}
	if !strings.Contains(e.Error(), "\n") {
		t.Error("problems not on separate lines")
	}
}

// coinAI makes the default scenario a Coin.AI network.
func coinAI(s *Scenario) {
	s.Run.Protocol = "coinai"
	s.Groups[0].Hardware = "laptop-cpu"
}

// storage makes the default scenario a Coin.AI network with proof-of-storage
// and n storage nodes.
func storage(s *Scenario, n int) {
	coinAI(s)
	s.Storage.Enabled = true
	s.Groups = append(s.Groups, Group{Name: "storage", Count: n, Hardware: "laptop-cpu", Role: "storage", Regions: "default"})
}

func TestStorageProofs(t *testing.T) {
	// Brute force over the rule: rounds at multiples of p challenge the
	// models recorded at least max(1, lag) blocks earlier, on each holder.
	for _, blocks := range []int{0, 1, 2, 5, 17, 116} {
		for _, p := range []int{1, 2, 3, 7} {
			for _, lag := range []int{0, 1, 2, 6, 40} {
				want := 0
				for h := p; h <= blocks; h += p {
					want += 3 * max(0, h-max(1, lag))
				}
				if got := storageProofs(float64(blocks), p, lag, 3); got != float64(want) {
					t.Errorf("storageProofs(%d, %d, %d, 3) = %v, want %d", blocks, p, lag, got, want)
				}
			}
		}
	}
}
