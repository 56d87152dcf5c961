package scenarios

import (
	"slices"

	"github.com/coinai/coinai/sim"
)

// This file is the one place where defaults live. The loader starts from
// Default() and decodes the file over it, so a key the file leaves out keeps
// the value below; reference.toml lists the same values with explanations.

// Default returns the default scenario: a 100-node proof-of-work network of
// ASIC miners on SimBlock's 2019 Bitcoin topology, stopping at height 100.
// Each call returns a fresh value that the caller may modify.
func Default() Scenario {
	net := sim.SimBlock2019() // the tables live in one place: the simulator
	rates := func(bps []float64) []BitRate {
		out := make([]BitRate, len(bps))
		for i, v := range bps {
			out[i] = BitRate(v)
		}
		return out
	}
	return Scenario{
		Run: Run{
			Seed:       1,
			Protocol:   "pow",
			StopHeight: 100,
		},
		Network: Network{
			// SimBlock 2019: mean latencies (ms, row = from, column = to),
			// bandwidths per region and the share of nodes per region.
			Regions:         net.Regions,
			LatencyMs:       net.LatencyMs,
			Download:        rates(net.DownBps),
			Upload:          rates(net.UpBps),
			RegionShare:     net.Share,
			Jitter:          "pareto",
			Degree:          8,
			Relay:           "compact",
			CompactFailRate: 0,
			CompactFail:     "node",
			Refetch:         "block",
			CompactShare:    1,
			// Empty, not nil: a file's `[]` decodes to an empty slice.
			RefetchShareChurn:  []float64{},
			RefetchShareStable: []float64{},
			DegreeCDF:          []float64{},
		},
		Hardware: BuiltinHardware(),
		Groups: []Group{{
			Name:           "miners",
			Count:          100,
			Hardware:       "asic",
			Role:           "miner",
			Regions:        "default",
			HashrateSpread: 0.25,
			Reuse:          defaultReuse(),
			Timestamp:      defaultTimestamp(),
			DoubleSpend:    defaultDoubleSpend(),
			Selfish:        defaultSelfish(),
			Eclipse:        defaultEclipse(),
			Spam:           defaultSpam(),
			Leak:           defaultLeak(),
			Spoof:          defaultSpoof(),
		}},
		PoW: PoW{
			Interval:       600 * Second,
			BlockSize:      535_000,
			MaxBlockSize:   1_000_000,
			TxSize:         180,
			RetargetWindow: 2016,
			Fidelity:       "sampled-exponential",
		},
		CoinAI: CoinAI{
			Interval:         60 * Second,
			ThresholdInitial: 0.80,
			ThresholdWindow:  10,
			ThresholdMaxStep: 0.02,
			ThresholdMin:     0.5,
			ThresholdDecay:   0.01,
			WorkScale:        1,
			VerifyScale:      1,
			EpochsPerAttempt: 2,
			AttemptMode:      "fresh-seed",
			Batch:            32,
			LR:               0.05,
			Momentum:         0.9,
			Problem:          "digits",
			Fidelity:         "real",
			BlockReward:      50,
			Verify:           true,
			// The digits ranges of nodes/grammar.DefaultRanges(1, 8, 8).
			Grammar: Grammar{
				MinConvs:    0,
				MaxConvs:    1,
				Filters:     []int{4, 8, 12, 16},
				Kernels:     []int{3},
				Pool:        2,
				MinFCs:      1,
				MaxFCs:      2,
				Units:       []int{16, 32, 48, 64},
				Activations: []string{"relu", "tanh"},
			},
			Bind:                "none",
			DecayClock:          "timestamp",
			LotteryDifficulty:   100,
			LotteryWindow:       4,
			BanAfter:            0,
			Duplicate:           "first-seen",
			Reveal:              "none",
			RevealDelay:         2 * Second,
			RevealSubset:        128,
			SampledRealAttempts: 8, // coinai.DefaultSampledRealAttempts
			SpotCheckSegments:   2,
		},
		Storage: Storage{
			Enabled:           false,
			ChunkSize:         256,
			Replication:       3,
			ChallengeLag:      6,
			ChallengeChunks:   4,
			Deadline:          30 * Second,
			Reward:            1,
			MaxMisses:         3,
			ChallengeInterval: 1,
			FetchTimeout:      10 * Second,
			RetrievalInterval: 0,
		},
		Output: Output{
			Dir:         "runs",
			Trace:       false,
			Propagation: true,
			Report:      true,
		},
	}
}

// DefaultRegression is the [regression] section of a scenario that has
// none, and the start of one that sets only some keys: a family-wise
// false-alarm rate of 1%, replications as many as the baseline has (0), no
// declared metrics.
func DefaultRegression() Regression {
	return Regression{Alpha: 0.01}
}

// BuiltinHardware returns the hardware profiles that every scenario can
// name without declaring them. A [[hardware]] entry with the same name
// overrides a profile, starting from its values. The rates are effective
// rates chosen for simulation, not datasheet peaks: a laptop CPU sustains
// about 100 GFLOP/s on small dense/conv training, an RTX 4090 about 80
// TFLOP/s and an H100 about 400 TFLOP/s on mixed-precision training, and an
// Antminer S9-class ASIC hashes SHA-256d at 14 TH/s for about 1350 W.
func BuiltinHardware() []Hardware {
	return []Hardware{
		{Name: "laptop-cpu", FLOPS: 100e9, BusyWatts: 45, IdleWatts: 8, Storage: 100_000_000_000},
		{Name: "rtx4090", FLOPS: 80e12, BusyWatts: 450, IdleWatts: 30, Storage: 1_000_000_000_000},
		{Name: "h100", FLOPS: 400e12, BusyWatts: 700, IdleWatts: 60, Storage: 4_000_000_000_000},
		{Name: "asic", Hashrate: 14e12, BusyWatts: 1350, IdleWatts: 10},
	}
}

// defaultGroup is the starting value of every [[group]] entry.
func defaultGroup() Group {
	return Group{Role: "miner", Regions: "default", Reuse: defaultReuse(), Timestamp: defaultTimestamp(),
		DoubleSpend: defaultDoubleSpend(), Selfish: defaultSelfish(), Eclipse: defaultEclipse(),
		Spam: defaultSpam(), Leak: defaultLeak(), Spoof: defaultSpoof()}
}

// defaultDoubleSpend is the starting value of every [group.doublespend]
// table: Bitcoin's customary six confirmations, one pre-mined block as
// Rosenfeld assumes, and a give-up cutoff of 10 blocks, which biases the
// success rate by at most (q/p)^11 (below 1e-4 for q <= 0.3).
func defaultDoubleSpend() DoubleSpend {
	return DoubleSpend{Confirmations: 6, MaxDeficit: 10, Premine: true}
}

// defaultSelfish is the starting value of every [group.selfish] table:
// ties reach no one (γ = 0).
func defaultSelfish() Selfish { return Selfish{Reach: []string{}} }

// defaultEclipse is the starting value of every [group.eclipse] table:
// no victim; messages held for a minute.
func defaultEclipse() Eclipse {
	return Eclipse{Victims: []string{}, Mode: "delay", Delay: 60 * Second}
}

// defaultSpam is the starting value of every [group.spam] table: four
// well-formed models per tip, no timer.
func defaultSpam() Spam { return Spam{PerTip: 4, WellFormed: true} }

// defaultLeak is the starting value of every [group.leak] table: the
// whole test split.
func defaultLeak() Leak { return Leak{Fraction: 1} }

// defaultSpoof is the starting value of every [group.spoof] table: half
// the segments trained for real, one draw tried.
func defaultSpoof() Spoof { return Spoof{RealFraction: 0.5, Grind: 1} }

// defaultTimestamp is the starting value of every [group.timestamp]
// table: the whole drift of the default 60 s interval.
func defaultTimestamp() Timestamp {
	return Timestamp{Forward: 30 * Second}
}

// defaultReuse is the starting value of every [group.reuse] table: one
// byte flipped, any seen model, honest mining when none fits.
func defaultReuse() Reuse {
	return Reuse{PerturbBytes: 1, Source: "any", Fallback: "mine"}
}

// baseHardware is the starting value of a [[hardware]] entry: the built-in
// profile of that name, or zero.
func baseHardware(name string) Hardware {
	for _, h := range BuiltinHardware() {
		if h.Name == name {
			return h
		}
	}
	return Hardware{Name: name}
}

// mergeHardware returns the file's profiles in file order followed by the
// built-in profiles the file does not override. Keeping the file's entries
// first keeps their indices equal to those in the file (so error keys such
// as hardware.1.flops point at the right entry), and makes a resolved
// scenario, which lists every profile, load back identically.
func mergeHardware(file []Hardware) []Hardware {
	out := slices.Clone(file)
	for _, b := range BuiltinHardware() {
		if !slices.ContainsFunc(file, func(h Hardware) bool { return h.Name == b.Name }) {
			out = append(out, b)
		}
	}
	return out
}

// Choices for the string enums, in the order documented.
var (
	protocols   = []string{"pow", "coinai"}
	jitters     = []string{"pareto", "none"}
	relays      = []string{"compact", "full"}
	compactFail = []string{"node", "reception"}
	refetches   = []string{"block", "missing"}
	roles       = []string{"miner", "storage", "user", "relay", "reuse", "timestamp", "doublespend", "selfish", "eclipse", "spam", "leak", "steal", "spoof"}
	eclipseMode = []string{"delay", "withhold"}
	reuseSource = []string{"any", "own"}
	reuseFall   = []string{"mine", "idle"}
	binds       = []string{"none", "label-permutation"}
	decayClocks = []string{"timestamp", "verifier"}
	reveals     = []string{"none", "delayed-test"}
	duplicates  = []string{"first-seen", "chain"}
	powFidelity = []string{"sampled-exponential"}
	attemptMode = []string{"fresh-seed", "continue"}
	problems    = []string{"digits"}
	aiFidelity  = []string{"real", "sampled"}
	activations = []string{"relu", "tanh", "sigmoid"}
	faultKinds  = []string{"disk-loss", "offline", "lazy", "outsource", "sybil"}
	// Kinds of the scenario-level [[fault]] tables, and crash states.
	netFaultKinds = []string{"partition", "link-loss", "latency-spike", "crash"}
	crashStates   = []string{"kept", "lost"}
)
