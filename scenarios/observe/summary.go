package observe

import (
	"encoding/hex"
	"math"
	"slices"

	"github.com/coinai/coinai/analysis/stats"
)

// Summary is summary.json. Its top-level keys are a contract with scripts:
// add keys, never rename them. Values that do not apply are null.
type Summary struct {
	Protocol    string `json:"protocol"`
	Scenario    string `json:"scenario"`
	Seed        uint64 `json:"seed"`
	Nodes       int    `json:"nodes"`
	TraceDigest string `json:"trace_digest"`
	// Kernel names the trainer's compute kernel (nn.Kernel) of a Coin.AI
	// run: trained weights, and so the trace, are bit-identical only
	// between runs of the same kernel. Empty for PoW, which trains nothing.
	// KernelImpl names the code path that computed that arithmetic
	// (nn.KernelImpl: "amd64-avx512f" and "amd64-avx2-fma" give the same
	// bits), to explain wall time; it never changes the trace.
	Kernel         string  `json:"kernel,omitempty"`
	KernelImpl     string  `json:"kernel_impl,omitempty"`
	Events         uint64  `json:"events"`
	VirtualSeconds float64 `json:"virtual_seconds"`
	WallSeconds    float64 `json:"wall_seconds"`
	// AttemptsSpeculative counts training results computed ahead on a
	// spare core and then discarded (wall-clock work only, never virtual
	// time or energy): it depends on GOMAXPROCS, like wall_seconds, and
	// is written nowhere else.
	AttemptsSpeculative int64    `json:"attempts_speculative"`
	Fidelity            []string `json:"fidelity"`
	BlocksMain          int      `json:"blocks_main"`
	BlocksStale         int      `json:"blocks_stale"`
	BlocksUnaccepted    int      `json:"blocks_unaccepted"`
	StaleRate           float64  `json:"stale_rate"`
	IntervalMeanS       *float64 `json:"interval_mean_s"`
	IntervalP50S        *float64 `json:"interval_p50_s"`
	IntervalP90S        *float64 `json:"interval_p90_s"`
	PropagationP50S     *float64 `json:"propagation_p50_s"`
	PropagationP90S     *float64 `json:"propagation_p90_s"`
	PropagationP100S    *float64 `json:"propagation_p100_s"`
	// PropagationP100Blocks is the number of main-chain blocks that
	// reached every node online when they were found: the blocks
	// propagation_p100_s averages.
	PropagationP100Blocks int `json:"propagation_p100_blocks"`
	// Catch-up: acceptances of main-chain blocks by nodes that were
	// offline when the block was found (left out of propagation_*):
	// how many, on how many blocks, and the mean time from the node's
	// return online to its acceptance.
	CatchupArrivals       int      `json:"catchup_arrivals"`
	CatchupBlocks         int      `json:"catchup_blocks"`
	CatchupMeanS          *float64 `json:"catchup_mean_s"`
	ArrivalDelayWeightedS *float64 `json:"arrival_delay_weighted_s"`
	// ArrivalDelayBlocks is the number of main-chain blocks that
	// arrival_delay_weighted_s averages (those every online miner
	// accepted).
	ArrivalDelayBlocks   int              `json:"arrival_delay_blocks"`
	StaleRateTheory      *float64         `json:"stale_rate_theory"`
	FoundIntervalS       *float64         `json:"found_interval_s"`
	Reorgs               int64            `json:"reorgs"`
	ReorgMaxDepth        int64            `json:"reorg_max_depth"`
	Rejected             map[string]int64 `json:"rejected"`
	EnergyJoules         float64          `json:"energy_joules"`
	EnergyJoulesPerBlock *float64         `json:"energy_joules_per_block"`
	AttemptsCompleted    int64            `json:"attempts_completed"`
	AttemptsCancelled    int64            `json:"attempts_cancelled"`
	VerifyCacheHits      int64            `json:"verify_cache_hits"`
	MinedAccuracyMean    *float64         `json:"mined_accuracy_mean"`
	ThresholdFinal       *float64         `json:"threshold_final"`
	DifficultyFinal      *float64         `json:"difficulty_final"`
	RewardGini           *float64         `json:"reward_gini"`
	BytesSent            int64            `json:"bytes_sent"`
	Messages             int64            `json:"messages"`
	Checks               []CheckResult    `json:"checks"`
	ChecksOK             bool             `json:"checks_ok"`

	// Proof-of-storage (null without it); see StorageResult.
	ModelsStored  *int64 `json:"models_stored"`
	ProofsValid   *int64 `json:"proofs_valid"`
	ProofsMissed  *int64 `json:"proofs_missed"`
	ProofsLate    *int64 `json:"proofs_late"`
	ProofsInvalid *int64 `json:"proofs_invalid"`
	ProofsVoid    *int64 `json:"proofs_void"`
	// ProofsIssued counts the challenges decided by the main chain: valid,
	// missed, late, invalid and void together.
	ProofsIssued              *int64       `json:"proofs_issued"`
	Evictions                 *int64       `json:"storage_evictions"`
	CheatersCaught            *int64       `json:"cheaters_caught"`
	StorageCheaters           []CheaterRec `json:"storage_cheaters"`
	AvailabilityMean          *float64     `json:"availability_mean"`
	ReplicasAliveMean         *float64     `json:"replicas_alive_mean"`
	AvailabilityByReplication []float64    `json:"availability_by_replication"`
	RetrievalsOK              *int64       `json:"retrievals_ok"`
	RetrievalsFailed          *int64       `json:"retrievals_failed"`
	RetrievalMeanS            *float64     `json:"retrieval_mean_s"`
	RetrievalBytes            *int64       `json:"retrieval_bytes"`
	StorageBytesSent          *int64       `json:"storage_bytes_sent"`
	// EnergyStorageJoules is the energy drawn by the nodes of role
	// "storage", which exist to keep models available (their share of
	// verification included).
	EnergyStorageJoules *float64 `json:"energy_storage_joules"`

	// Attacks (null without attacker nodes): main-chain blocks mined by
	// attackers, their share of all rewards paid on the main chain, and
	// their share of the network's compute (busy time × FLOP/s, every
	// node, training and verification; under PoW busy time × hash rate,
	// the hashes).
	AttackerBlocks       *int64   `json:"attacker_blocks"`
	AttackerRewardShare  *float64 `json:"attacker_reward_share"`
	AttackerComputeShare *float64 `json:"attacker_compute_share"`
	// Double spend (null without "doublespend" attackers): races decided
	// (won or given up), races won (the conflicting spend ended on the
	// main chain), and their ratio.
	DoubleSpendAttempts    *int64   `json:"doublespend_attempts"`
	DoubleSpendSuccesses   *int64   `json:"doublespend_successes"`
	DoubleSpendSuccessRate *float64 `json:"doublespend_success_rate"`
	// What verification costs honest nodes in a run with attackers (null
	// otherwise), and what invalid-model spam cost (null without
	// spammers); see verifyCostSummary.
	SpamModelsSent             *int64   `json:"spam_models_sent"`
	SpamModelsReceived         *int64   `json:"spam_models_received"`
	SpamModelsDropped          *int64   `json:"spam_models_dropped"`
	HonestVerifyFLOPsSpam      *float64 `json:"honest_verify_flops_spam"`
	HonestVerifyFLOPsPerNode   *float64 `json:"honest_verify_flops_per_node"`
	HonestVerifyFLOPsPerBlock  *float64 `json:"honest_verify_flops_per_block"`
	HonestVerifyTimePerNodeS   *float64 `json:"honest_verify_time_per_node_s"`
	HonestVerifyTimeShare      *float64 `json:"honest_verify_time_share"`
	HonestAttemptsCancelledPer *float64 `json:"honest_attempts_cancelled_per_block"`
	// VerifyFLOPsPerBlock is the counted FLOPs of the evaluation jobs
	// (block verification and users' checks of retrieved models) all
	// nodes completed, per main-chain block: what verification costs the
	// network per block. Coin.AI only; null for PoW.
	VerifyFLOPsPerBlock *float64 `json:"verify_flops_per_block"`

	// Rewards against compute (Coin.AI only; null for PoW), a node's
	// compute being its busy time × its FLOP/s: the slope of the
	// least-squares fit of reward share on compute share over all nodes
	// (stats.ShareSlope; 1 = rewards follow compute, above 1 = the
	// fastest win out of proportion; null when nothing was paid or compute
	// does not separate the nodes), and the Gini of the compute, against
	// which reward_gini reads (a fair lottery gives about the same).
	RewardComputeSlope *float64 `json:"reward_compute_slope"`
	ComputeGini        *float64 `json:"compute_gini"`

	// TrainingsReal and AttemptsSampled split attempts_completed of a
	// Coin.AI run: attempts whose outcome was trained for real, and
	// attempts whose outcome was drawn from the sampled cache (0 under
	// fidelity "real"). Null for PoW.
	TrainingsReal   *int64 `json:"trainings_real"`
	AttemptsSampled *int64 `json:"attempts_sampled"`

	// Faults (null without [[fault]] tables; faults.csv has one row per
	// window): crashes of nodes, messages the faults dropped, and the
	// longest time, over the cuts that healed, from a heal until every
	// honest online node held the same tip (null if none healed, or the
	// nodes did not agree before the run ended).
	Crashes                *int64   `json:"crashes"`
	MessagesLost           *int64   `json:"messages_lost"`
	PartitionHealConvergeS *float64 `json:"partition_heal_converge_s"`

	// Eclipse victims (null without them; see VictimResult): the share
	// of the victims' mining work spent on tips the network had already
	// left or that never made the main chain, the blocks they mined and
	// those of them that ended stale.
	VictimWastedWorkShare *float64 `json:"victim_wasted_work_share"`
	VictimBlocksMined     *int64   `json:"victim_blocks_mined"`
	VictimStaleBlocks     *int64   `json:"victim_stale_blocks"`
	// The problem market (null without [[workload]] tables; problems.csv
	// and transactions.csv have one row per submission): problems
	// submitted, solved on the final main chain and refunded at their
	// deadline; the mean and 90th percentile of the wait from submission
	// to the solving block's timestamp; transfers included in the main
	// chain; the median time from submission to inclusion over every
	// included transaction (transfers and problems); the coins paid to
	// miners in fees (transfer fees and solved problems' rewards); and the
	// models their submitters retrieved, checked and evaluated.
	ProblemsSubmitted  *int64   `json:"problems_submitted"`
	ProblemsSolved     *int64   `json:"problems_solved"`
	ProblemsRefunded   *int64   `json:"problems_refunded"`
	ProblemWaitMeanS   *float64 `json:"problem_wait_mean_s"`
	ProblemWaitP90S    *float64 `json:"problem_wait_p90_s"`
	TransfersConfirmed *int64   `json:"transfers_confirmed"`
	TxConfirmP50S      *float64 `json:"tx_confirm_p50_s"`
	RewardFees         *float64 `json:"reward_fees"`
	ModelsDelivered    *int64   `json:"models_delivered"`
	// EnergyPerModelDeliveredJ is energy_joules over models_delivered:
	// what the network spent, mining and verifying included, for each
	// model a user received (null without a market or with none
	// delivered). Set beside energy_joules_per_block of a PoW twin it
	// says what a delivered model costs against a block of hashing.
	EnergyPerModelDeliveredJ *float64 `json:"energy_per_model_delivered_j"`
	// The fairness of coinai.problem_pick (null without a market; see
	// stats.MarketFairness): problems split at the median reward into a
	// low-fee and a high-fee class, each class's solved-problem wait
	// (mean, 90th percentile) and refunded share, and Jain's index of the
	// time every settled problem waited for its outcome.
	ProblemWaitMeanLowFeeS    *float64 `json:"problem_wait_mean_low_fee_s"`
	ProblemWaitMeanHighFeeS   *float64 `json:"problem_wait_mean_high_fee_s"`
	ProblemWaitP90LowFeeS     *float64 `json:"problem_wait_p90_low_fee_s"`
	ProblemWaitP90HighFeeS    *float64 `json:"problem_wait_p90_high_fee_s"`
	ProblemRefundShareLowFee  *float64 `json:"problem_refund_share_low_fee"`
	ProblemRefundShareHighFee *float64 `json:"problem_refund_share_high_fee"`
	ProblemWaitJain           *float64 `json:"problem_wait_jain"`
	// ModelRetrievalP50S is the median, over the delivered models, of the
	// time from the submitter's request to the end of its evaluation
	// (problems.csv retrieval_s; null when none was delivered): what
	// getting a model costs a user, from a peer or through storage.
	ModelRetrievalP50S *float64 `json:"model_retrieval_p50_s"`
	// ModelsRetrievableAtEnd counts the solved problems whose model the
	// storage nodes online at the end still keep in full between them
	// (problems.csv retrievable_at_end = 1; null without [storage]): the
	// delivery a late user could still get.
	ModelsRetrievableAtEnd *int64 `json:"models_retrievable_at_end"`
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// CheckResult is one invariant checker's verdict, as summary.json records
// it (package check produces them).
type CheckResult struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// Summarize computes summary.json from a run's measurements and its
// checkers' verdicts, and sets res.Summary.
func Summarize(res *Result, checks []CheckResult) *Summary {
	cfg := res.Config
	n := len(cfg.Nodes)
	s := &Summary{Protocol: cfg.Protocol, Scenario: cfg.Name, Seed: cfg.Seed, Nodes: n,
		TraceDigest: hex.EncodeToString(res.Digest[:]), Events: res.Events,
		VirtualSeconds: float64(res.End) / 1e9, WallSeconds: res.Wall.Seconds(),
		Fidelity: cfg.Fidelity, Reorgs: res.Reorgs, ReorgMaxDepth: res.MaxReorg, Rejected: res.Rejected,
		AttemptsCompleted: res.AttemptsOK, AttemptsCancelled: res.AttemptsX, VerifyCacheHits: res.CacheHits,
		AttemptsSpeculative: res.Speculative}
	if cfg.Protocol == "coinai" {
		real, drawn := res.AttemptsOK-res.AttemptsSampled, res.AttemptsSampled
		s.TrainingsReal, s.AttemptsSampled = &real, &drawn
	}
	if s.Fidelity == nil {
		s.Fidelity = []string{}
	}
	var main []*BlockRec
	for _, b := range res.Blocks {
		switch {
		case b.Main:
			main = append(main, b)
		case len(b.Arrivals) == 0 && cfg.Protocol == "coinai":
			// Mined but accepted by no other node: the miner's own check
			// found its model below the threshold on the test split.
			s.BlocksUnaccepted++
		default:
			s.BlocksStale++
		}
	}
	slices.SortFunc(main, func(a, b *BlockRec) int { return int(a.Height - b.Height) })
	s.BlocksMain = len(main)
	if tot := s.BlocksMain + s.BlocksStale; tot > 0 {
		s.StaleRate = float64(s.BlocksStale) / float64(tot)
	}
	var intervals, p50, p90, p100, weighted, acc, catchup []float64
	var prevFound float64
	for _, b := range main {
		found := float64(b.Found) / 1e9
		intervals = append(intervals, found-prevFound)
		prevFound = found
		for k, dst := range []*[]float64{&p50, &p90, &p100} {
			if v := b.Prop[k]; !math.IsNaN(v) {
				*dst = append(*dst, v)
			}
		}
		if !math.IsNaN(b.Delta) {
			weighted = append(weighted, b.Delta)
		}
		if b.Accuracy > 0 {
			acc = append(acc, b.Accuracy)
		}
		if len(b.Catchup) > 0 {
			s.CatchupBlocks++
			catchup = append(catchup, b.Catchup...)
		}
	}
	if len(intervals) > 0 {
		s.IntervalMeanS = ptr(stats.Mean(intervals))
		s.IntervalP50S = ptr(stats.Quantile(intervals, 0.5))
		s.IntervalP90S = ptr(stats.Quantile(intervals, 0.9))
	}
	s.PropagationP50S = ptr(stats.Mean(p50))
	s.PropagationP90S = ptr(stats.Mean(p90))
	s.PropagationP100S = ptr(stats.Mean(p100))
	s.PropagationP100Blocks = len(p100)
	s.CatchupArrivals = len(catchup)
	s.CatchupMeanS = ptr(stats.Mean(catchup))
	s.ArrivalDelayBlocks = len(weighted)
	if len(main) > 0 {
		t := float64(main[len(main)-1].Found) / 1e9 / float64(s.BlocksMain+s.BlocksStale)
		s.FoundIntervalS = ptr(t)
		if len(weighted) > 0 {
			// First-order theory: a block goes stale when a competitor is
			// found within its mining-power-weighted arrival delay Δ (over
			// the miners online when it was found); competitors come at
			// the rate of all blocks found (main and stale), 1/T.
			d := stats.Mean(weighted)
			s.ArrivalDelayWeightedS = ptr(d)
			s.StaleRateTheory = ptr(1 - math.Exp(-d/t))
		}
	}
	if len(acc) > 0 {
		s.MinedAccuracyMean = ptr(stats.Mean(acc))
	}
	if len(main) > 0 {
		last := main[len(main)-1]
		switch cfg.Protocol {
		case "pow":
			s.DifficultyFinal = ptr(last.Value)
		default:
			s.ThresholdFinal = ptr(last.Value)
		}
	}
	for _, e := range res.NodeEnergy {
		s.EnergyJoules += e
	}
	if s.BlocksMain > 0 {
		s.EnergyJoulesPerBlock = ptr(s.EnergyJoules / float64(s.BlocksMain))
	}
	rewards := make([]float64, n)
	for i, ns := range res.Nodes {
		for _, v := range ns.Rewards {
			rewards[i] += v
		}
	}
	s.RewardGini = ptr(stats.Gini(rewards)) // null when nobody earned anything
	for i := range res.BytesSent {
		s.BytesSent += res.BytesSent[i]
	}
	s.Messages = res.Messages
	storageSummary(s, res.Storage)
	if res.Storage != nil {
		var e float64
		for i, spec := range cfg.Nodes {
			if spec.Role == "storage" {
				e += res.NodeEnergy[i]
			}
		}
		s.EnergyStorageJoules = ptr(e)
	}
	attackSummary(s, res, rewards)
	doubleSpendSummary(s, res.DoubleSpend)
	verifyCostSummary(s, res)
	if cfg.Protocol == "coinai" && len(res.NodeBusy) == n {
		compute := make([]float64, n)
		for i, spec := range cfg.Nodes {
			compute[i] = float64(res.NodeBusy[i]) / 1e9 * spec.FLOPS
		}
		s.RewardComputeSlope = ptr(stats.ShareSlope(compute, rewards))
		s.ComputeGini = ptr(stats.Gini(compute))
	}
	if cfg.Protocol == "coinai" && s.BlocksMain > 0 {
		var v float64
		for _, f := range res.EvalFLOPs {
			v += f
		}
		s.VerifyFLOPsPerBlock = ptr(v / float64(s.BlocksMain))
	}
	faultSummary(s, res.Faults)
	victimSummary(s, res.Victims)
	MarketSummary(s, res.Market)
	s.Checks = checks
	if s.Checks == nil {
		s.Checks = []CheckResult{}
	}
	s.ChecksOK = true
	for _, c := range checks {
		s.ChecksOK = s.ChecksOK && c.OK
	}
	res.Summary = s
	return s
}

// attackSummary sets the attacker keys when the run has attackers: their
// main-chain blocks, their share of the rewards (null if nothing was
// paid) and of the compute (null if no node computed).
func attackSummary(s *Summary, res *Result, rewards []float64) {
	var blocks int64
	var any bool
	var rAtt, rAll, cAtt, cAll float64
	for i, spec := range res.Config.Nodes {
		var work float64
		rate := spec.FLOPS
		if res.Config.Protocol == "pow" {
			rate = spec.HashRate // hashes: busy time × hash rate
		}
		if i < len(res.NodeBusy) {
			work = float64(res.NodeBusy[i]) / 1e9 * rate
		}
		rAll += rewards[i]
		cAll += work
		if spec.Attack == "" {
			continue
		}
		any = true
		if i < len(res.Nodes) {
			blocks += res.Nodes[i].BlocksMain
		}
		rAtt += rewards[i]
		cAtt += work
	}
	if !any {
		return
	}
	s.AttackerBlocks = &blocks
	if rAll > 0 {
		s.AttackerRewardShare = ptr(rAtt / rAll)
	}
	if cAll > 0 {
		s.AttackerComputeShare = ptr(cAtt / cAll)
	}
}

// faultSummary sets the fault keys when the run has [[fault]] tables.
func faultSummary(s *Summary, fs []FaultResult) {
	if fs == nil {
		return
	}
	var crashes, lost int64
	conv := math.NaN()
	for _, f := range fs {
		if f.Kind == "crash" {
			crashes++
		}
		lost += f.Lost
		if !math.IsNaN(f.Converge) && (math.IsNaN(conv) || f.Converge > conv) {
			conv = f.Converge
		}
	}
	s.Crashes, s.MessagesLost = &crashes, &lost
	s.PartitionHealConvergeS = ptr(conv)
}
