package scenarios

import "reflect"

// Scenario is a resolved scenario: every field holds a value, either from the
// file, from a --set override, or from Default. The simulator reads nothing
// else, so two runs with equal Scenarios (and equal code) are identical.
type Scenario struct {
	// File is the path or name the scenario was loaded from, used in error
	// messages. It is not part of the scenario's TOML.
	File string `toml:"-"`

	Run      Run        `toml:"run"`
	Network  Network    `toml:"network"`
	Hardware []Hardware `toml:"hardware"`
	Groups   []Group    `toml:"group"`
	PoW      PoW        `toml:"pow"`
	CoinAI   CoinAI     `toml:"coinai"`
	Storage  Storage    `toml:"storage"`
	// Faults are the scenario's [[fault]] tables: partitions, link
	// losses, latency spikes and crashes, for any protocol (none by
	// default).
	Faults []FaultSpec `toml:"fault"`
	// Workload are the scenario's [[workload]] tables: users submitting
	// transfers and problems (none by default; see WorkloadSpec).
	Workload []WorkloadSpec `toml:"workload,omitempty"`
	Output   Output         `toml:"output"`

	// Regression is the [regression] section, nil when the file has none:
	// how `coinai regress` judges this scenario. It describes the check,
	// not the run, so TOML and Equal leave it out (see Regression).
	Regression *Regression `toml:"regression"`

	// src remembers where each key was written, so that Validate and Set can
	// point at file lines. It is not part of the scenario's value.
	src *source
}

// Run is the [run] section: what to simulate and when to stop.
type Run struct {
	// Name is a free-form description copied to the run outputs.
	Name string `toml:"name"`
	// Seed selects every random stream of the run; the runner uses
	// uint64(Seed). Equal seeds give identical runs.
	Seed int64 `toml:"seed"`
	// Protocol is "pow" (the Bitcoin-style baseline) or "coinai"
	// (proof-of-useful-work).
	Protocol string `toml:"protocol"`
	// StopHeight stops the run when the best main chain reaches this height;
	// 0 means no height limit.
	StopHeight int `toml:"stop_height"`
	// StopTime stops the run at this virtual time; 0 means none.
	StopTime Duration `toml:"stop_time"`
	// MaxEvents stops the run after this many delivered events; 0 means none.
	// At least one of the three stop conditions must be set.
	MaxEvents int64 `toml:"max_events"`
}

// Network is the [network] section: regions, their latencies and
// bandwidths, and the peer-to-peer overlay. The defaults are SimBlock's 2019
// Bitcoin parameters (Aoki et al., "SimBlock: A Blockchain Network Simulator",
// 2019).
type Network struct {
	// Regions names the regions; every per-region list below is indexed like
	// it.
	Regions []string `toml:"regions"`
	// LatencyMs is the mean one-way latency in milliseconds from the row's
	// region to the column's region; it must be len(Regions) x len(Regions).
	LatencyMs [][]float64 `toml:"latency_ms"`
	// Download and Upload are each region's per-node link bandwidths.
	Download []BitRate `toml:"download"`
	Upload   []BitRate `toml:"upload"`
	// RegionShare is the percentage of nodes placed in each region by groups
	// whose regions are "default"; it must sum to 100.
	RegionShare []float64 `toml:"region_share"`
	// Jitter is "pareto" (SimBlock's model: a latency is drawn from a Pareto
	// law with scale mean_ms-5 and shape 0.2*mean_ms, so most messages take
	// about the mean and a few take much longer) or "none" (always the mean).
	Jitter string `toml:"jitter"`
	// Degree is the number of outbound peers each node opens; links are
	// bidirectional, so a node's peer count is Degree plus its inbound links.
	Degree int `toml:"degree"`
	// Relay is "compact" (BIP 152 compact blocks: header and short
	// transaction ids, assuming peers already hold the transactions) or
	// "full" (whole blocks).
	Relay string `toml:"relay"`
	// CompactFailRate is the fraction (0..1) of receiving nodes that cannot
	// rebuild a compact block from their mempool and fetch the missing
	// transactions in an extra round trip.
	CompactFailRate float64 `toml:"compact_fail_rate"`
	// The keys below bring the network closer to the measured 2019
	// Bitcoin network (issue #12; DESIGN.md "Network model"). Their
	// defaults keep the model above: one fixed draw per node, whole-block
	// refetch, every node compact, a constant degree, no validation time.
	// All but degree_cdf concern the PoW baseline's relay, as relay and
	// compact_fail_rate do; Coin.AI ignores them.
	//
	// CompactFail is "node" (compact_fail_rate: a fixed draw per node) or
	// "reception" (a draw per compact-block reception, with the rates of
	// churning and stable nodes below).
	CompactFail string `toml:"compact_fail"`
	// ChurnShare is the fraction (0..1) of nodes that churn (go offline
	// and back now and then, so that their mempools lag); churn is
	// modelled only through their compact-block failure rate and refetch
	// sizes, not as offline periods.
	ChurnShare float64 `toml:"churn_share"`
	// CompactFailChurn and CompactFailStable are the probabilities (0..1)
	// that a churning or a stable node fails to rebuild a compact block it
	// receives (compact_fail = "reception").
	CompactFailChurn  float64 `toml:"compact_fail_churn"`
	CompactFailStable float64 `toml:"compact_fail_stable"`
	// Refetch is "block" (a failed rebuild fetches every transaction of
	// the block) or "missing" (it fetches the share drawn from
	// refetch_share_churn or refetch_share_stable).
	Refetch string `toml:"refetch"`
	// RefetchShareChurn and RefetchShareStable are the distributions of
	// the share (0..1) of a block's transaction bytes that a failed
	// rebuild fetches, as quantiles equally spaced in probability (the
	// first at 0, the last at 1, linear in between); empty unless
	// refetch = "missing".
	RefetchShareChurn  []float64 `toml:"refetch_share_churn"`
	RefetchShareStable []float64 `toml:"refetch_share_stable"`
	// CompactShare is the fraction (0..1) of nodes that use compact relay
	// when relay = "compact"; the others ask for and send whole blocks.
	CompactShare float64 `toml:"compact_share"`
	// DegreeCDF, if not empty, replaces the constant degree by a measured
	// distribution: entry i is the probability that a node opens at most
	// i+1 outbound links (SimBlock's DEGREE_DISTRIBUTION form); it must not
	// decrease and must end at 1.
	DegreeCDF []float64 `toml:"degree_cdf"`
	// ValidationBase and ValidationPerTx are the time a node spends on a
	// block it receives (full or compact) before it acts on it: base plus
	// per transaction. 0 means no time.
	ValidationBase  Duration `toml:"validation_base"`
	ValidationPerTx Duration `toml:"validation_per_tx"`
}

// Hardware is one [[hardware]] profile. Rates are effective rates chosen for
// simulation (what a training or hashing loop sustains), not datasheet peaks.
type Hardware struct {
	// Name is how groups refer to the profile.
	Name string `toml:"name"`
	// FLOPS is the effective training/evaluation rate; a compute job of F
	// FLOPs occupies the node for F/FLOPS seconds.
	FLOPS FLOPRate `toml:"flops"`
	// Hashrate is the proof-of-work hashing rate; 0 means the profile cannot
	// mine proof-of-work blocks.
	Hashrate HashRate `toml:"hashrate"`
	// BusyWatts and IdleWatts are the power drawn while computing or hashing
	// and while idle; energy is integrated over virtual time.
	BusyWatts Power `toml:"busy_watts"`
	IdleWatts Power `toml:"idle_watts"`
	// Storage is the capacity offered for storing trained models under
	// proof-of-storage; 0 means none.
	Storage Size `toml:"storage"`
}

// Group is one [[group]] of identical nodes.
type Group struct {
	// Name labels the group in outputs; it may be empty.
	Name string `toml:"name"`
	// Count is the number of nodes, > 0.
	Count int `toml:"count"`
	// Hardware names a [[hardware]] profile or a built-in one.
	Hardware string `toml:"hardware"`
	// Role is "miner" (mines blocks), "storage" (stores models for
	// proof-of-storage), "user" (submits transactions and verifies),
	// "relay" (only relays) or an attacker role: "reuse" (Coin.AI:
	// publishes perturbed copies of models it has seen instead of
	// training; see Reuse), "timestamp" (Coin.AI: mines honestly but
	// stamps a block ahead of its clock when that earns a threshold decay
	// step early; see Timestamp), "doublespend" (PoW: pays a merchant
	// and races a private chain holding a conflicting spend; see
	// DoubleSpend), "selfish" (PoW and Coin.AI: the group's
	// nodes are one selfish-mining pool; see Selfish) or "eclipse" (PoW
	// and Coin.AI: relays that are all of the victims' peers and delay or
	// withhold their traffic; see Eclipse).
	Role string `toml:"role"`
	// Regions is "default", to spread the nodes over the regions by
	// network.region_share, or one region name to pin them all there.
	Regions string `toml:"regions"`
	// HashrateSpread gives each node of the group a hashrate drawn from a
	// normal law with mean the hardware's hashrate and standard deviation
	// HashrateSpread times that mean, redrawn until positive; this is how
	// SimBlock draws mining power. 0 gives every node the same hashrate.
	HashrateSpread float64 `toml:"hashrate_spread"`
	// FlopsSpread does the same for the hardware's FLOP rate, so that
	// Coin.AI miners on the same architecture do not all finish their
	// training attempts at the same virtual instant. 0 gives every node the
	// same rate.
	FlopsSpread float64 `toml:"flops_spread"`
	// Reuse holds the parameters of the "reuse" attacker role; other
	// roles ignore it.
	Reuse Reuse `toml:"reuse"`
	// Timestamp holds the parameters of the "timestamp" attacker role;
	// other roles ignore it.
	Timestamp Timestamp `toml:"timestamp"`
	// DoubleSpend holds the parameters of the "doublespend" attacker
	// role; other roles ignore it.
	DoubleSpend DoubleSpend `toml:"doublespend"`
	// Selfish holds the parameters of the "selfish" attacker role;
	// other roles ignore it.
	Selfish Selfish `toml:"selfish"`
	// Eclipse holds the parameters of the "eclipse" attacker role;
	// other roles ignore it.
	Eclipse Eclipse `toml:"eclipse"`
	// Spam and Leak hold the parameters of the "spam" and "leak"
	// attacker roles (the role "steal" has none); other roles ignore them.
	Spam Spam `toml:"spam"`
	Leak Leak `toml:"leak"`
	// Spoof holds the parameters of the "spoof" attacker role (which
	// also reads Reuse for the model it copies); other roles ignore it.
	Spoof Spoof `toml:"spoof"`
}

// DoubleSpend is the [group.doublespend] table: the double-spend attacker
// of issue #12 (nodes/pow/doublespend.go). Each node of the group pays a
// merchant, mines a private chain holding a conflicting spend, and
// publishes it once the merchant has accepted the payment and the private
// chain is longer than the public one; it gives up MaxDeficit blocks
// behind and starts again. The group's hash rate is the attacker's share q.
type DoubleSpend struct {
	// Confirmations is the merchant's z, >= 1.
	Confirmations int `toml:"confirmations"`
	// MaxDeficit is the give-up cutoff, >= 1: the success rate is biased
	// low by at most (q/p)^(max_deficit+1).
	MaxDeficit int `toml:"max_deficit"`
	// Premine: mine the block holding the conflicting spend before paying
	// (Rosenfeld's one pre-mined block); false pays at once.
	Premine bool `toml:"premine"`
}

// Selfish is the [group.selfish] table: the selfish-mining pool of issue
// #12 (Eyal and Sirer, FC 2014, Algorithm 1). The group's nodes mine as
// one pool of the group's share of the mining power (α), withhold the
// blocks they find and publish them by the lead of their private branch.
// γ, the share of the honest power that mines on the pool's block in a
// tie, comes from Reach and the network: a block that ties is pushed at
// once to the nodes of Reach only, and a node mines on it if it arrives
// before the competing honest block (DESIGN.md, "Selfish mining").
type Selfish struct {
	// Reach is the node set (selectors as in [[fault]] nodes: regions,
	// group names, indices, ranges) to which the pool pushes a block that
	// ties the public chain; empty: no one, so that γ = 0.
	Reach []string `toml:"reach"`
}

// Eclipse is the [group.eclipse] table: the eclipse attacker of issue
// #12. The group's nodes are made all of the victims' peers (the victims'
// other links are removed) and relay honestly, except that every message
// between a victim and them is held for Delay or dropped.
type Eclipse struct {
	// Victims is the node set (selectors as in [[fault]] nodes) the
	// group eclipses; it must not hold the group's own nodes.
	Victims []string `toml:"victims"`
	// Mode is "delay" (hold each message for Delay) or "withhold" (drop
	// them all: the victims mine alone).
	Mode string `toml:"mode"`
	// Delay is how long a message is held in mode "delay"; 0 passes
	// messages on at once, the honest comparison on the same topology.
	Delay Duration `toml:"delay"`
}

// Spam is the [group.spam] table: the invalid-model spammer of issue #13.
// It never trains: on every new tip it pushes PerTip blocks whose models
// are untrained networks of the tip's architecture (about chance, far
// below any threshold) while their headers claim the threshold, and one
// more every Interval; the attack is what verifying them costs the
// honest nodes.
type Spam struct {
	// PerTip is the number of spam blocks per new tip, >= 0.
	PerTip int `toml:"per_tip"`
	// Interval sends one more spam block every Interval; 0 = none.
	Interval Duration `toml:"interval"`
	// WellFormed: the models decode (untrained networks); false sends
	// garbage bytes that every node refuses at decoding, the cheap case.
	WellFormed bool `toml:"well_formed"`
}

// Leak is the [group.leak] table: the test-set leakage attacker of issue
// #13. It mines honestly but trains on the training split plus the test
// samples it can know (the test split is visible to every node).
type Leak struct {
	// Fraction of the test split it adds to its training data, (0, 1];
	// under coinai.reveal = "delayed-test" only those of them already
	// revealed by the blocks of its chain.
	Fraction float64 `toml:"fraction"`
}

// Spoof is the [group.spoof] table: the Proof-of-Learning spoofer of
// issue #13 (after Fang et al. 2023). It copies a model as the "reuse"
// role does and fabricates the training log spot-checking asks for
// (coinai.spot_check_every): a share RealFraction of the segments trained
// for real, the others interpolated.
type Spoof struct {
	// RealFraction is the share of the log's segments trained for real,
	// in [0, 1) (the last segment is always fabricated).
	RealFraction float64 `toml:"real_fraction"`
	// Grind is the number of re-stamped versions of a block the attacker
	// tries until the verifiers' draw (a function of the block id) misses
	// its fabricated segments; 0 publishes the first blind.
	Grind int `toml:"grind"`
}

// Timestamp is the [group.timestamp] table: the timestamp attacker of
// issue #13. It mines honestly, but when the next step of the threshold
// decay (coinai.threshold_decay, one step every two intervals since the
// parent) falls at most Forward after its clock, it stamps its block at
// the step instead, so that the block carries the lower threshold.
type Timestamp struct {
	// Forward is how far ahead of its clock the attacker may stamp: > 0
	// and at most the drift every node allows (half of coinai.interval
	// when threshold_decay > 0, else two hours).
	Forward Duration `toml:"forward"`
}

// Reuse is the [group.reuse] table: the model re-use attacker of issue
// #13. On every new tip the attacker looks for a model it has seen in an
// accepted block whose architecture is the one the tip's hash decodes to,
// flips PerturbBytes bytes of its weights and publishes it as a block,
// charged only the evaluation that checks it (no training).
type Reuse struct {
	// PerturbBytes is the number of weight bytes flipped (the low-order
	// byte of a weight drawn at random), >= 1.
	PerturbBytes int `toml:"perturb_bytes"`
	// Source is "any" (any accepted block's model) or "own" (only models
	// of blocks the attacker mined).
	Source string `toml:"source"`
	// Fallback is what the attacker does on a tip for which no seen model
	// fits: "mine" (train honestly) or "idle".
	Fallback string `toml:"fallback"`
	// Relabel also moves the re-used model's output units from its own
	// parent's label permutation to the new parent's (model surgery, no
	// training), which defeats coinai.bind = "label-permutation".
	Relabel bool `toml:"relabel"`
}

// PoW is the [pow] section: the Bitcoin-style baseline.
type PoW struct {
	// Interval is the target mean time between blocks.
	Interval Duration `toml:"interval"`
	// BlockSize is the size of every mined block (filled with filler
	// transactions that are accounted for on the wire but not materialised).
	BlockSize Size `toml:"block_size"`
	// MaxBlockSize is the consensus limit; a block above it is invalid.
	MaxBlockSize Size `toml:"max_block_size"`
	// TxSize is the average transaction size; with compact relay a block
	// costs about BlockSize/TxSize 6-byte short ids (~18KB for 535KB blocks
	// of 180B transactions).
	TxSize Size `toml:"tx_size"`
	// RetargetWindow is the number of blocks between difficulty
	// adjustments, as in Bitcoin; 0 disables retargeting.
	RetargetWindow int `toml:"retarget_window"`
	// Fidelity is "sampled-exponential", the only value: each miner's time
	// to the next block is drawn from the exponential law of its hashrate and
	// the difficulty, because real hashing at Bitcoin difficulty is
	// impossible to simulate.
	Fidelity string `toml:"fidelity"`
}

// CoinAI is the [coinai] section: proof-of-useful-work, where mining trains a
// neural network whose architecture derives from the previous block hash
// (Baldominos & Saez 2019).
type CoinAI struct {
	// Interval is the target mean time between blocks that the threshold
	// adjustment aims at.
	Interval Duration `toml:"interval"`
	// ThresholdInitial is the test accuracy (0..1] a model must reach for
	// its block to be valid, at the start of the chain.
	ThresholdInitial float64 `toml:"threshold_initial"`
	// ThresholdWindow is the number of blocks whose intervals drive each
	// threshold adjustment.
	ThresholdWindow int `toml:"threshold_window"`
	// ThresholdMaxStep bounds one adjustment of the threshold.
	ThresholdMaxStep float64 `toml:"threshold_max_step"`
	// ThresholdMin is the floor below which adjustments never take the
	// threshold.
	ThresholdMin float64 `toml:"threshold_min"`
	// ThresholdDecay keeps the chain live when the architecture derived
	// from the tip cannot reach the threshold: the threshold a block must
	// pass drops by this much for every two target intervals since its
	// parent, down to ThresholdMin. 0 disables it.
	ThresholdDecay float64 `toml:"threshold_decay"`
	// WorkScale multiplies the FLOPs charged for every training and
	// evaluation job: a named fidelity trade that lets a small problem (the
	// 8x8 digits) stand in for a larger one in virtual time and energy,
	// while the real training stays small. 1 charges the counted FLOPs.
	WorkScale float64 `toml:"work_scale"`
	// VerifyScale does the same for evaluation jobs (verification of every
	// block, retrieval checks). 1 charges the real cost of evaluating the
	// real model on the real test split; setting it to work_scale models a
	// test set as much larger as the training job stands for, and puts
	// verification time on every hop of block propagation.
	VerifyScale float64 `toml:"verify_scale"`
	// EpochsPerAttempt is the number of training epochs of one mining
	// attempt before the model is tested.
	EpochsPerAttempt int `toml:"epochs_per_attempt"`
	// AttemptMode is "fresh-seed" (each attempt trains a freshly initialised
	// model) or "continue" (each attempt continues training the last model).
	AttemptMode string `toml:"attempt_mode"`
	// Batch, LR and Momentum are the SGD hyper-parameters.
	Batch    int     `toml:"batch"`
	LR       float64 `toml:"lr"`
	Momentum float64 `toml:"momentum"`
	// Problem names the learning problem (data set); "digits" for now.
	Problem string `toml:"problem"`
	// Fidelity is "real" (every completed attempt is trained and every
	// block's model evaluated) or "sampled" (the first
	// SampledRealAttempts attempts of each problem and architecture to
	// complete are trained for real; later ones draw their outcome and
	// model from those, and are charged as if trained; block models are
	// still evaluated for real).
	Fidelity string `toml:"fidelity"`
	// SampledRealAttempts is the number of attempts of each problem and
	// architecture trained for real under fidelity = "sampled" (the
	// empirical law later attempts draw from); unused under "real".
	SampledRealAttempts int `toml:"sampled_real_attempts"`
	// BlockReward is the coins paid to the miner of a main-chain block.
	BlockReward float64 `toml:"block_reward"`
	// Verify makes receiving nodes re-evaluate a block's model before
	// accepting it.
	Verify bool `toml:"verify"`
	// Grammar bounds the architectures derived from block hashes.
	Grammar Grammar `toml:"grammar"`
	// Bind is what else of the parent's hash a block's model must fit:
	// "none" (the architecture only, the paper's rule: a model re-used
	// from another parent of the same architecture is valid) or
	// "label-permutation" (the classes are relabelled by a permutation
	// keyed by the parent's hash, for training, validation and test).
	Bind string `toml:"bind"`
	// DecayClock is when a block may take a threshold decay step:
	// "timestamp" (as soon as it arrives, by its timestamp, which may be
	// up to the drift ahead: a miner can take a step early) or "verifier"
	// (a block that takes a decay step is held until the verifier's own
	// clock reaches its timestamp).
	DecayClock string `toml:"decay_clock"`
	// Lottery puts a lottery above the threshold: a model above it earns
	// one ticket, SHA-256(parent ‖ miner key ‖ model commitment), and the
	// block is valid only if the ticket is below the target of difficulty
	// LotteryDifficulty; validators re-train the declared attempt to check
	// that the model is the one it trains (one ticket per training).
	// Requires threshold_window = 0 (the difficulty holds the interval)
	// and attempt_mode = "fresh-seed".
	Lottery bool `toml:"lottery"`
	// LotteryDifficulty is the initial ticket difficulty: the expected
	// number of models above the threshold per block.
	LotteryDifficulty int64 `toml:"lottery_difficulty"`
	// LotteryWindow is the number of blocks between retargets of the
	// difficulty (0 keeps it fixed).
	LotteryWindow int `toml:"lottery_window"`
	// ProblemPick is the rule that picks each block's problem from the
	// open problems of a [[workload]]: "fee" (highest reward first),
	// "age" (first included first) or "hash-draw" (a draw keyed by the
	// parent's hash). Empty means "fee"; without a workload every block
	// trains on the built-in problem.
	ProblemPick string `toml:"problem_pick,omitempty"`
	// BanAfter is the number of invalid blocks (models that fail their
	// evaluation or do not decode) a node takes from one peer before it
	// ignores the peer; 0 never bans. A bound on invalid-model spam.
	BanAfter int `toml:"ban_after"`
	// Duplicate is the duplicate-model rule: "first-seen" (a block whose
	// model is that of any block the node holds or verifies, on any
	// branch, is refused: two siblings with one model split the network
	// for good) or "chain" (refused only if an ancestor carries the model).
	Duplicate string `toml:"duplicate"`
	// Reveal is "none" (a block carries its model and the whole test split
	// decides) or "delayed-test" (commit–reveal after PoDL: a miner first
	// floods a commitment H(model ‖ miner key ‖ parent), reveals the block
	// reveal_delay later, and the reveal_subset test samples that decide
	// are drawn from the commitment; a model whose commitment by another
	// miner arrived first is refused as stolen).
	Reveal       string   `toml:"reveal"`
	RevealDelay  Duration `toml:"reveal_delay"`
	RevealSubset int      `toml:"reveal_subset"`
	// SpotCheckEvery > 0 turns on spot-check re-training (after
	// Proof-of-Learning): miners log a checkpoint every that many SGD
	// steps, committed by a Merkle root in the block, and every verifier
	// re-runs SpotCheckSegments segments drawn from the block id. 0 is off.
	SpotCheckEvery int `toml:"spot_check_every"`
	// SpotCheckSegments is the number q of segments a verifier re-runs.
	SpotCheckSegments int `toml:"spot_check_segments"`
	// StandIn lists the [[coinai.standin]] tables: per data set, the
	// larger workload its real training stands for (standin.go).
	StandIn []StandIn `toml:"standin,omitempty"`
}

// Grammar is the [coinai.grammar] table: the ranges from which an
// architecture is drawn (deterministically from the previous block hash). It
// maps onto nodes/grammar.Ranges; the defaults are that package's ranges for
// the 8x8 digits problem.
type Grammar struct {
	// MinConvs and MaxConvs bound the number of convolutional layers.
	MinConvs int `toml:"min_convs"`
	MaxConvs int `toml:"max_convs"`
	// Filters and Kernels are the choices of filter count and square kernel
	// size for each convolution.
	Filters []int `toml:"filters"`
	Kernels []int `toml:"kernels"`
	// Pool is the max-pooling window that may follow each convolution (the
	// grammar chooses, per convolution, between no pooling and this window);
	// 0 = never pool.
	Pool int `toml:"pool"`
	// MinFCs and MaxFCs bound the number of hidden dense layers.
	MinFCs int `toml:"min_fcs"`
	MaxFCs int `toml:"max_fcs"`
	// Units are the choices of dense layer width.
	Units []int `toml:"units"`
	// Activations are the choices of non-linearity: "relu", "tanh",
	// "sigmoid".
	Activations []string `toml:"activations"`
}

// Storage is the [storage] section: proof-of-storage of trained models.
type Storage struct {
	// Enabled turns proof-of-storage on.
	Enabled bool `toml:"enabled"`
	// ChunkSize is the unit of storage challenges.
	ChunkSize Size `toml:"chunk_size"`
	// Replication is the number of storage nodes that keep each model.
	Replication int `toml:"replication"`
	// ChallengeLag is the number of blocks after which a stored model is
	// challenged (challenges are derived from a later block hash so that they
	// cannot be predicted).
	ChallengeLag int `toml:"challenge_lag"`
	// ChallengeChunks is the number of chunks asked per challenge.
	ChallengeChunks int `toml:"challenge_chunks"`
	// Deadline is the time allowed to answer a challenge.
	Deadline Duration `toml:"deadline"`
	// Reward is the coins paid per valid proof.
	Reward float64 `toml:"reward"`
	// MaxMisses is the number of missed challenges after which a node is
	// dropped as a storer.
	MaxMisses int `toml:"max_misses"`
	// ChallengeInterval is the number of blocks between challenge rounds:
	// a round happens at every height that is a multiple of it.
	ChallengeInterval int `toml:"challenge_interval"`
	// FetchTimeout is how long a node waits for chunks from one holder
	// before asking the next.
	FetchTimeout Duration `toml:"fetch_timeout"`
	// RetrievalInterval is how often each "user" node downloads a random
	// stored model from its holders and evaluates it; 0 disables
	// retrievals.
	RetrievalInterval Duration `toml:"retrieval_interval"`
	// Faults are the storage faults and cheats injected in the run.
	Faults []Fault `toml:"fault"`
}

// Fault is one [[storage.fault]]: a fault or cheat of one node.
type Fault struct {
	// Kind is "disk-loss" (the node loses every stored model at At),
	// "offline" (messages to and from the node are dropped from At to
	// Until), "lazy" (keeps the hashes and only the fraction Keep of each
	// model's chunks), "outsource" (keeps nothing and fetches challenged
	// chunks from another holder, then waits Delay) or "sybil" (keeps
	// nothing; its operator keeps one copy on node Principal).
	Kind string `toml:"kind"`
	// Node is the index of the node (0-based, in group order).
	Node int `toml:"node"`
	// At is when a disk-loss or offline window starts.
	At Duration `toml:"at"`
	// Until ends an offline window; 0 means the end of the run.
	Until Duration `toml:"until"`
	// Keep is the fraction of chunks a lazy node keeps.
	Keep float64 `toml:"keep"`
	// Delay is an outsourcing node's extra delay before answering.
	Delay Duration `toml:"delay"`
	// Principal is the node that keeps a Sybil identity's copy.
	Principal int `toml:"principal"`
}

// FaultSpec is one [[fault]] table: a fault of the network or of nodes
// that strikes at a time (or at a rate) a set of nodes, for any protocol.
// Keys that do not apply to the kind must be left out (zero). Node sets
// (Nodes, and each side of Sides) are lists of selectors: a region name
// (network.regions), a group name ([[group]] name), a node index "7" or
// an inclusive range of indices "10-19" (0-based, in group order).
// DESIGN.md ("Faults") gives the model.
type FaultSpec struct {
	// Name labels the fault in faults.csv and names its random stream
	// ("fault/<name>/loss", "fault/<name>/crash"); empty: "fault<i>",
	// i its index among the [[fault]] tables.
	Name string `toml:"name"`
	// Kind is "partition", "link-loss", "latency-spike" or "crash".
	Kind string `toml:"kind"`
	// At is when the fault starts (for a crash rate: when crashes may
	// start).
	At Duration `toml:"at"`
	// Heal ends a partition; 0 means it never heals.
	Heal Duration `toml:"heal"`
	// Until ends a link-loss or latency-spike window (0: the end of the
	// run), or the window in which a crash rate draws crashes (0:
	// run.stop_time).
	Until Duration `toml:"until"`
	// Sides of a partition, or of a link-loss or latency-spike that
	// applies to the links between them: each side a node set. The nodes
	// of no side form one more side (the rest): a partition with
	// sides = [["NA"]] cuts North America off from every other region.
	Sides [][]string `toml:"sides"`
	// Nodes is the node set of a link-loss or latency-spike (the links
	// with at least one end in it; omitted: every link) or of a crash
	// (omitted: every node).
	Nodes []string `toml:"nodes"`
	// Loss is a link-loss's probability (0..1) that a message is lost;
	// 1 cuts the links, exactly as a partition does.
	Loss float64 `toml:"loss"`
	// Extra is added to the latency of every message of a latency-spike.
	Extra Duration `toml:"extra"`
	// Factor multiplies the mean latency of a latency-spike's links (the
	// message takes factor-1 more times its regions' mean latency); 0
	// leaves it.
	Factor float64 `toml:"factor"`
	// Rate makes a crash strike each node of Nodes at random, at this
	// many crashes per node per hour (a Poisson process while the node
	// runs), between At and Until; 0: every node of Nodes crashes at At.
	Rate Frequency `toml:"rate"`
	// Down is how long a crashed node stays down before it restarts.
	Down Duration `toml:"down"`
	// State is what a crashed node keeps: "kept" (its chain, as a node
	// restarting from its disk) or "lost" (it restarts from genesis and
	// catches up from its peers).
	State string `toml:"state"`
}

// Output is the [output] section: what a run writes.
type Output struct {
	// Dir is the parent directory of run directories.
	Dir string `toml:"dir"`
	// Trace writes trace.jsonl, one JSON object per delivered event.
	Trace bool `toml:"trace"`
	// Propagation writes propagation.csv.
	Propagation bool `toml:"propagation"`
	// Report writes a human-readable report.
	Report bool `toml:"report"`
}

// HardwareByName returns the hardware profile with the given name.
func (s *Scenario) HardwareByName(name string) (Hardware, bool) {
	for _, h := range s.Hardware {
		if h.Name == name {
			return h, true
		}
	}
	return Hardware{}, false
}

// NodeCount is the total number of nodes over all groups (negative counts,
// which Validate rejects, count as zero).
func (s *Scenario) NodeCount() int {
	n := 0
	for _, g := range s.Groups {
		if g.Count > 0 {
			n += g.Count
		}
	}
	return n
}

// Equal reports whether two scenarios describe the same run: it compares
// every resolved value and ignores where they were loaded from and their
// [regression] sections.
func (s *Scenario) Equal(o *Scenario) bool {
	a, b := *s, *o
	a.File, a.src, b.File, b.src = "", nil, "", nil
	a.Regression, b.Regression = nil, nil
	return reflect.DeepEqual(a, b)
}
