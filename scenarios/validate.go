package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits that keep a scenario within what the simulator can hold in memory.
const (
	maxNodes   = 10_000_000
	maxRegions = 1000
	// shareTolerance is how far region_share may be from 100 percent, to
	// allow for published shares that were rounded.
	shareTolerance = 0.5
)

// Validate checks that the scenario is possible: counts and sizes in range,
// per-region tables shaped like network.regions, shares summing to 100,
// known protocol, roles and hardware names, at least one stop condition. It
// returns an *Errors listing every problem, located in the scenario's file
// when it was loaded from one.
func (s *Scenario) Validate() error {
	v := &validator{s: s}
	v.run()
	v.network()
	v.hardware()
	v.groups()
	v.pow()
	v.coinai()
	v.storage()
	v.storageNodes()
	v.faults()
	v.workloads()
	v.standins()
	v.supply()
	v.regression()
	if s.Output.Dir == "" {
		v.add("output.dir", "must not be empty")
	}
	return errorsOrNil(v.problems)
}

type validator struct {
	s        *Scenario
	problems []Problem
}

func (v *validator) add(key, format string, args ...any) {
	p := Problem{File: v.s.File, Line: v.s.src.lineOf(key), Key: key, Msg: fmt.Sprintf(format, args...)}
	if v.s.src.overridden(key) {
		p.File, p.Line = overrideFile, 0
	}
	v.problems = append(v.problems, p)
}

// defaulted explains, for a per-region table the file does not set, that
// its default is shaped for the default regions.
func (v *validator) defaulted(key string) string {
	if v.s.src == nil {
		return ""
	}
	if _, ok := v.s.src.lines[key]; ok {
		return ""
	}
	return "; the default is for the default regions, so set it with network.regions"
}

func (v *validator) oneOf(key, value string, choices []string) {
	if !slices.Contains(choices, value) {
		v.add(key, "%q is not one of %s", value, quoteAll(choices))
	}
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func (v *validator) atLeast(key string, x, min int64) {
	if x < min {
		v.add(key, "%d must be >= %d", x, min)
	}
}

// inRange checks lo <= x <= hi (or lo < x when open is set) and finiteness.
func (v *validator) inRange(key string, x, lo, hi float64, openLo bool) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		v.add(key, "%v must be a finite number", x)
	case openLo && x <= lo:
		v.add(key, "%v must be > %v", x, lo)
	case !openLo && x < lo:
		v.add(key, "%v must be >= %v", x, lo)
	case x > hi:
		v.add(key, "%v must be <= %v", x, hi)
	}
}

func (v *validator) positive(key string, x float64, what fmt.Stringer) {
	if !(x > 0) || math.IsInf(x, 0) {
		v.add(key, "%s must be > 0", what)
	}
}

func (v *validator) nonNegative(key string, x float64, what fmt.Stringer) {
	if !(x >= 0) || math.IsInf(x, 0) {
		v.add(key, "%s must be >= 0", what)
	}
}

func (v *validator) run() {
	r := v.s.Run
	if r.Seed < 0 {
		// The runner uses uint64(seed): -3 would silently run seed 2^64-3.
		v.add("run.seed", "%d is negative; a seed is an integer from 0 to %d", r.Seed, int64(math.MaxInt64))
	}
	v.oneOf("run.protocol", r.Protocol, protocols)
	v.atLeast("run.stop_height", int64(r.StopHeight), 0)
	v.nonNegative("run.stop_time", float64(r.StopTime), r.StopTime)
	v.atLeast("run.max_events", r.MaxEvents, 0)
	if r.StopHeight <= 0 && r.StopTime <= 0 && r.MaxEvents <= 0 {
		v.add("run", "no stop condition: set stop_height, stop_time or max_events")
	}
}

func (v *validator) network() {
	n := v.s.Network
	k := len(n.Regions)
	switch {
	case k == 0:
		v.add("network.regions", "at least one region is needed")
	case k > maxRegions:
		v.add("network.regions", "%d regions is more than the %d supported", k, maxRegions)
		return
	}
	for i, r := range n.Regions {
		key := fmt.Sprintf("network.regions.%d", i)
		switch {
		case r == "" || r == "default":
			v.add(key, "%q cannot name a region", r)
		case slices.Index(n.Regions, r) < i:
			v.add(key, "duplicate region %q", r)
		}
	}
	if len(n.LatencyMs) != k {
		v.add("network.latency_ms", "has %d rows; want %d (one per region, %dx%d)%s", len(n.LatencyMs), k, k, k, v.defaulted("network.latency_ms"))
	}
	for i, row := range n.LatencyMs {
		key := fmt.Sprintf("network.latency_ms.%d", i)
		if len(row) != k && len(n.LatencyMs) == k { // else the row count was reported
			v.add(key, "row %d has %d columns; want %d (latency_ms must be %dx%d)", i, len(row), k, k, k)
		}
		for j, ms := range row {
			v.inRange(fmt.Sprintf("%s.%d", key, j), ms, 0, math.MaxFloat64, false)
		}
	}
	for _, t := range []struct {
		key   string
		rates []BitRate
	}{{"network.download", n.Download}, {"network.upload", n.Upload}} {
		if len(t.rates) != k {
			v.add(t.key, "has %d entries; want %d (one per region)%s", len(t.rates), k, v.defaulted(t.key))
		}
		for i, r := range t.rates {
			v.positive(fmt.Sprintf("%s.%d", t.key, i), float64(r), r)
		}
	}
	if len(n.RegionShare) != k {
		v.add("network.region_share", "has %d entries; want %d (one per region)%s", len(n.RegionShare), k, v.defaulted("network.region_share"))
	}
	sum := 0.0
	for i, x := range n.RegionShare {
		v.inRange(fmt.Sprintf("network.region_share.%d", i), x, 0, 100, false)
		sum += x
	}
	if math.Abs(sum-100) > shareTolerance {
		v.add("network.region_share", "sums to %.6g percent; want 100", sum)
	}
	v.oneOf("network.jitter", n.Jitter, jitters)
	v.atLeast("network.degree", int64(n.Degree), 1)
	if nodes := v.s.NodeCount(); n.Degree >= 1 && nodes > 1 && n.Degree >= nodes {
		v.add("network.degree", "%d outbound peers need more than %d nodes", n.Degree, nodes)
	}
	v.oneOf("network.relay", n.Relay, relays)
	v.inRange("network.compact_fail_rate", n.CompactFailRate, 0, 1, false)
	v.network2019()
}

func (v *validator) hardware() {
	for i, h := range v.s.Hardware {
		key := fmt.Sprintf("hardware.%d", i)
		switch {
		case h.Name == "":
			v.add(key+".name", "missing name")
		case slices.IndexFunc(v.s.Hardware, func(o Hardware) bool { return o.Name == h.Name }) < i:
			v.add(key+".name", "duplicate hardware name %q", h.Name)
		}
		v.nonNegative(key+".flops", float64(h.FLOPS), h.FLOPS)
		v.nonNegative(key+".hashrate", float64(h.Hashrate), h.Hashrate)
		v.nonNegative(key+".busy_watts", float64(h.BusyWatts), h.BusyWatts)
		v.nonNegative(key+".idle_watts", float64(h.IdleWatts), h.IdleWatts)
		v.nonNegative(key+".storage", float64(h.Storage), h.Storage)
	}
}

func (v *validator) groups() {
	s := v.s
	if len(s.Groups) == 0 {
		v.add("group", "no [[group]] of nodes")
		return
	}
	names := make([]string, len(s.Hardware))
	for i, h := range s.Hardware {
		names[i] = h.Name
	}
	total, miners := 0, 0
	for i, g := range s.Groups {
		key := fmt.Sprintf("group.%d", i)
		switch {
		case g.Count <= 0:
			v.add(key+".count", "%d must be > 0", g.Count)
		case g.Count > maxNodes:
			v.add(key+".count", "%d is more than the %d nodes supported", g.Count, maxNodes)
		default:
			total += g.Count
		}
		v.oneOf(key+".role", g.Role, roles)
		if g.Regions != "default" && !slices.Contains(s.Network.Regions, g.Regions) {
			v.add(key+".regions", "%q is neither \"default\" nor a region of network.regions (%s)", g.Regions, strings.Join(s.Network.Regions, ", "))
		}
		v.inRange(key+".hashrate_spread", g.HashrateSpread, 0, math.MaxFloat64, false)
		v.inRange(key+".flops_spread", g.FlopsSpread, 0, math.MaxFloat64, false)
		if g.Role == "reuse" {
			// The attacker's parameters; other roles ignore them.
			if r := g.Reuse; r.PerturbBytes < 1 || r.PerturbBytes > 1<<20 {
				v.add(key+".reuse.perturb_bytes", "%d must be in [1, %d]", r.PerturbBytes, 1<<20)
			}
			v.oneOf(key+".reuse.source", g.Reuse.Source, reuseSource)
			v.oneOf(key+".reuse.fallback", g.Reuse.Fallback, reuseFall)
			if s.Run.Protocol != "coinai" {
				v.add(key+".role", `"reuse" re-uses trained models: it needs run.protocol = "coinai"`)
			}
		}
		if g.Role == "spam" || g.Role == "leak" || g.Role == "steal" {
			v.moreRoles(key, g)
		}
		if g.Role == "spoof" {
			if r := g.Reuse; r.PerturbBytes < 1 || r.PerturbBytes > 1<<20 {
				v.add(key+".reuse.perturb_bytes", "%d must be in [1, %d]", r.PerturbBytes, 1<<20)
			}
			v.oneOf(key+".reuse.source", g.Reuse.Source, reuseSource)
			v.oneOf(key+".reuse.fallback", g.Reuse.Fallback, reuseFall)
			if f := g.Spoof.RealFraction; !(f >= 0 && f < 1) {
				v.add(key+".spoof.real_fraction", "%v must be in [0, 1)", f)
			}
			if gr := g.Spoof.Grind; gr < 0 || gr > 1<<24 {
				v.add(key+".spoof.grind", "%d must be in [0, %d]", gr, 1<<24)
			}
			if s.Run.Protocol != "coinai" || s.CoinAI.SpotCheckEvery <= 0 {
				v.add(key+".role", `"spoof" fabricates a spot-check training log: it needs run.protocol = "coinai" and coinai.spot_check_every > 0`)
			}
		}
		if g.Role == "timestamp" {
			if s.Run.Protocol != "coinai" {
				v.add(key+".role", `"timestamp" games Coin.AI's threshold decay: it needs run.protocol = "coinai"`)
			} else if drift := coinaiDrift(s.CoinAI); g.Timestamp.Forward <= 0 || g.Timestamp.Forward > drift {
				v.add(key+".timestamp.forward", "%s must be in (0, %s], the drift nodes allow (half of coinai.interval with threshold_decay > 0, else 2h)",
					g.Timestamp.Forward, drift)
			}
		}
		if g.Role == "doublespend" {
			if s.Run.Protocol != "pow" {
				v.add(key+".role", `"doublespend" races a private proof-of-work chain: it needs run.protocol = "pow"`)
			} else if s.PoW.RetargetWindow != 0 {
				v.add(key+".role", `"doublespend" needs pow.retarget_window = 0 (its private chain keeps the fork's difficulty), not %d`, s.PoW.RetargetWindow)
			}
			if d := g.DoubleSpend; d.Confirmations < 1 || d.Confirmations > 1000 {
				v.add(key+".doublespend.confirmations", "%d must be in [1, 1000]", d.Confirmations)
			}
			if d := g.DoubleSpend; d.MaxDeficit < 1 || d.MaxDeficit > 1000 {
				v.add(key+".doublespend.max_deficit", "%d must be in [1, 1000]", d.MaxDeficit)
			}
		}
		v.adversary(key, g)
		if g.Role == "miner" || !slices.Contains(roles, g.Role) {
			miners++ // a group with a mistyped role is not reported as missing miners too
		}
		h, ok := s.HardwareByName(g.Hardware)
		if !ok {
			v.add(key+".hardware", "unknown hardware %q (known: %s)", g.Hardware, strings.Join(names, ", "))
			continue
		}
		if g.Role != "miner" && g.Role != "selfish" &&
			(g.Role != "reuse" && g.Role != "timestamp" && g.Role != "leak" && g.Role != "spoof" || s.Run.Protocol != "coinai") &&
			(g.Role != "doublespend" || s.Run.Protocol != "pow") {
			continue
		}
		switch {
		case s.Run.Protocol == "pow" && !(h.Hashrate > 0):
			v.add(key+".hardware", "%q has no hashrate and cannot mine proof-of-work blocks", h.Name)
		case s.Run.Protocol == "coinai" && !(h.FLOPS > 0):
			v.add(key+".hardware", "%q has no flops and cannot train models", h.Name)
		}
	}
	if total > maxNodes {
		v.add("group", "%d nodes is more than the %d supported", total, maxNodes)
	}
	if miners == 0 {
		v.add("group", "no group has role \"miner\": nobody would mine blocks")
	}
}

func (v *validator) pow() {
	p := v.s.PoW
	v.positive("pow.interval", float64(p.Interval), p.Interval)
	v.positive("pow.block_size", float64(p.BlockSize), p.BlockSize)
	v.positive("pow.max_block_size", float64(p.MaxBlockSize), p.MaxBlockSize)
	if p.BlockSize > p.MaxBlockSize {
		v.add("pow.block_size", "%s is above max_block_size %s", p.BlockSize, p.MaxBlockSize)
	}
	v.positive("pow.tx_size", float64(p.TxSize), p.TxSize)
	if p.TxSize > p.BlockSize {
		v.add("pow.tx_size", "%s is above block_size %s", p.TxSize, p.BlockSize)
	}
	v.atLeast("pow.retarget_window", int64(p.RetargetWindow), 0)
	v.oneOf("pow.fidelity", p.Fidelity, powFidelity)
}

func (v *validator) coinai() {
	c := v.s.CoinAI
	v.positive("coinai.interval", float64(c.Interval), c.Interval)
	v.inRange("coinai.threshold_initial", c.ThresholdInitial, 0, 1, true)
	if c.Lottery {
		// The ticket difficulty holds the interval.
		if c.ThresholdWindow != 0 {
			v.add("coinai.threshold_window", "%d: with lottery = true the ticket difficulty holds the interval; set 0 (the threshold stays at threshold_initial, a usefulness floor)", c.ThresholdWindow)
		}
		if c.AttemptMode != "fresh-seed" {
			v.add("coinai.attempt_mode", "%q: with lottery = true validators re-train the declared attempt from its seed; want \"fresh-seed\"", c.AttemptMode)
		}
		v.inRange("coinai.lottery_difficulty", float64(c.LotteryDifficulty), 1, 1<<40, false) // coinai.MaxDifficulty
		v.atLeast("coinai.lottery_window", int64(c.LotteryWindow), 0)
	} else {
		v.atLeast("coinai.threshold_window", int64(c.ThresholdWindow), 1)
	}
	v.atLeast("coinai.spot_check_every", int64(c.SpotCheckEvery), 0)
	if c.SpotCheckEvery > 0 {
		v.inRange("coinai.spot_check_segments", float64(c.SpotCheckSegments), 1, 1<<16, false)
		switch {
		case c.Lottery:
			v.add("coinai.spot_check_every", "%d: with lottery = true validators re-train the whole attempt already; spot-checking is another variant", c.SpotCheckEvery)
		case v.s.Storage.Enabled:
			v.add("coinai.spot_check_every", "%d: with storage.enabled the header's model field commits to the model's chunks; spot-checking commits it to the training log", c.SpotCheckEvery)
		case c.AttemptMode != "fresh-seed":
			v.add("coinai.attempt_mode", "%q: spot-checking re-runs segments of an attempt from its seeded initial model; want \"fresh-seed\"", c.AttemptMode)
		case !c.Verify:
			v.add("coinai.verify", "false: spot-checking is verification; want true")
		}
	}
	v.inRange("coinai.threshold_max_step", c.ThresholdMaxStep, 0, 1, false)
	v.inRange("coinai.threshold_min", c.ThresholdMin, 0, 1, false)
	v.inRange("coinai.threshold_decay", c.ThresholdDecay, 0, 1, false)
	if c.ThresholdDecay >= 1 {
		v.add("coinai.threshold_decay", "%v must be < 1", c.ThresholdDecay)
	}
	if c.ThresholdInitial > 0 && c.ThresholdMin > c.ThresholdInitial {
		v.add("coinai.threshold_min", "%v is above threshold_initial %v", c.ThresholdMin, c.ThresholdInitial)
	}
	v.inRange("coinai.work_scale", c.WorkScale, 0, math.MaxFloat64, true)
	v.inRange("coinai.verify_scale", c.VerifyScale, 0, math.MaxFloat64, true)
	v.atLeast("coinai.epochs_per_attempt", int64(c.EpochsPerAttempt), 1)
	v.oneOf("coinai.attempt_mode", c.AttemptMode, attemptMode)
	v.atLeast("coinai.batch", int64(c.Batch), 1)
	v.inRange("coinai.lr", c.LR, 0, math.MaxFloat64, true)
	v.inRange("coinai.momentum", c.Momentum, 0, 1, false)
	if c.Momentum == 1 {
		v.add("coinai.momentum", "1 never forgets a gradient; want < 1")
	}
	v.oneOf("coinai.problem", c.Problem, problems)
	v.oneOf("coinai.fidelity", c.Fidelity, aiFidelity)
	v.inRange("coinai.sampled_real_attempts", float64(c.SampledRealAttempts), 1, 1<<16, false) // coinai.MaxSampledRealAttempts
	if c.Fidelity == "sampled" {
		if c.Lottery {
			v.add("coinai.fidelity", "\"sampled\" with lottery = true: validators re-train the declared attempt, which a drawn model is not; use \"real\"")
		}
		if c.AttemptMode != "fresh-seed" {
			v.add("coinai.fidelity", "\"sampled\" with attempt_mode = %q: a continued attempt is not a draw of its architecture's outcomes; use attempt_mode = \"fresh-seed\"", c.AttemptMode)
		}
	}
	v.oneOf("coinai.bind", c.Bind, binds)
	v.oneOf("coinai.decay_clock", c.DecayClock, decayClocks)
	v.atLeast("coinai.ban_after", int64(c.BanAfter), 0)
	v.oneOf("coinai.reveal", c.Reveal, reveals)
	v.oneOf("coinai.duplicate", c.Duplicate, duplicates)
	if c.Reveal == "delayed-test" {
		v.positive("coinai.reveal_delay", float64(c.RevealDelay), c.RevealDelay)
		v.atLeast("coinai.reveal_subset", int64(c.RevealSubset), 1)
		if c.Lottery {
			v.add("coinai.reveal", `"delayed-test" does not combine with lottery = true (its re-training is checked on the whole test split)`)
		}
	}
	v.inRange("coinai.block_reward", c.BlockReward, 0, math.MaxFloat64, false)

	g := c.Grammar
	v.atLeast("coinai.grammar.min_convs", int64(g.MinConvs), 0)
	v.atLeast("coinai.grammar.max_convs", int64(g.MaxConvs), int64(g.MinConvs))
	v.atLeast("coinai.grammar.pool", int64(g.Pool), 0)
	v.atLeast("coinai.grammar.min_fcs", int64(g.MinFCs), 0)
	v.atLeast("coinai.grammar.max_fcs", int64(g.MaxFCs), int64(g.MinFCs))
	for _, t := range []struct {
		key  string
		list []int
	}{{"coinai.grammar.filters", g.Filters}, {"coinai.grammar.kernels", g.Kernels}, {"coinai.grammar.units", g.Units}} {
		if len(t.list) == 0 {
			v.add(t.key, "needs at least one choice")
		}
		for i, x := range t.list {
			v.atLeast(fmt.Sprintf("%s.%d", t.key, i), int64(x), 1)
		}
	}
	if len(g.Activations) == 0 {
		v.add("coinai.grammar.activations", "needs at least one choice")
	}
	for i, a := range g.Activations {
		v.oneOf(fmt.Sprintf("coinai.grammar.activations.%d", i), a, activations)
	}
}

func (v *validator) storage() {
	st := v.s.Storage
	v.positive("storage.chunk_size", float64(st.ChunkSize), st.ChunkSize)
	v.atLeast("storage.replication", int64(st.Replication), 1)
	v.atLeast("storage.challenge_lag", int64(st.ChallengeLag), 0)
	v.atLeast("storage.challenge_chunks", int64(st.ChallengeChunks), 1)
	v.positive("storage.deadline", float64(st.Deadline), st.Deadline)
	v.inRange("storage.reward", st.Reward, 0, math.MaxFloat64, false)
	v.atLeast("storage.max_misses", int64(st.MaxMisses), 1)
	v.atLeast("storage.challenge_interval", int64(st.ChallengeInterval), 1)
	v.positive("storage.fetch_timeout", float64(st.FetchTimeout), st.FetchTimeout)
	v.nonNegative("storage.retrieval_interval", float64(st.RetrievalInterval), st.RetrievalInterval)
	// A proof transaction carries at most 4096 bytes (ledger.MaxProofPayload):
	// a 71-byte header and, per chunk, 9 bytes, the chunk and a Merkle path
	// of up to 18 hashes (a 64 MiB model in 256-byte chunks).
	if need := 71 + st.ChallengeChunks*(9+int(st.ChunkSize)+32*18); st.Enabled && need > 4096 {
		v.add("storage.challenge_chunks", "%d chunks of %v make proofs of up to %d bytes, over the 4096-byte limit of a proof transaction; lower chunk_size or challenge_chunks",
			st.ChallengeChunks, st.ChunkSize, need)
	}
	n := v.s.NodeCount()
	for i, f := range st.Faults {
		key := fmt.Sprintf("storage.fault.%d", i)
		v.oneOf(key+".kind", f.Kind, faultKinds)
		if f.Node < 0 || f.Node >= n {
			v.add(key+".node", "%d is not a node index (0..%d)", f.Node, n-1)
		}
		v.nonNegative(key+".at", float64(f.At), f.At)
		if f.Until != 0 && f.Until < f.At {
			v.add(key+".until", "%v is before at = %v", f.Until, f.At)
		}
		v.inRange(key+".keep", f.Keep, 0, 1, false)
		v.nonNegative(key+".delay", float64(f.Delay), f.Delay)
		if f.Kind == "sybil" && (f.Principal < 0 || f.Principal >= n || f.Principal == f.Node) {
			v.add(key+".principal", "%d is not another node's index", f.Principal)
		}
	}
}

// coinaiDrift is how far ahead of its clock a Coin.AI node accepts a block
// timestamp: half the interval with the threshold decay on, else two
// hours (coinai.New's defaults).
func coinaiDrift(c CoinAI) Duration {
	if c.ThresholdDecay > 0 {
		return c.Interval / 2
	}
	return 2 * 3600 * Second
}
