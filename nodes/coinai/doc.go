// Package coinai is the Coin.AI proof-of-useful-work node: a nodes.Node
// state machine whose miners train neural networks instead of hashing.
//
// Coin.AI (Baldominos and Saez, "Coin.AI: A Proof-of-Useful-Work Scheme for
// Blockchain-Based Distributed Deep Learning", Entropy 21(8):723, 2019;
// arXiv 1903.09800) derives the architecture of the network a miner must
// train from the hash of the previous block (package grammar), and accepts a
// block when its model's accuracy on a test set reaches a threshold. The
// paper states five requirements for a proof of useful work; paper_test.go
// pins each of them. Where the paper is silent, this package decides as
// follows.
//
// # Blocks
//
// A header (HeaderSize = 256 bytes, little-endian) holds the version, the
// parent's id, the height, a timestamp in ns, the id of the problem trained
// for (zero for the default problem), the model commitment (SHA-256 of the
// serialised model, nn.Model.Commitment), the Merkle root of the body's
// transactions (TxRoot, RFC 6962 style), the miner's validation accuracy in
// ppm (informational), the threshold in ppm, the attempt number, the miner's
// ed25519 public key (its ledger address) and a signature over all preceding
// fields under the domain tag "coinai/block/v1". The block id is the SHA-256
// of the full header, signature included. The Block message carries the
// header, the real model bytes (no padding: their size is what the network
// charges) and the ledger transactions (ledger.AppendTxList).
//
// Gossip mirrors the proof-of-work baseline: Inv, GetData, Block, plus Tx
// for transactions. A node announces a block only after accepting it, and a
// miner verifies its own block like any peer before announcing it.
//
// # Mining
//
// On a new tip a miner derives the architecture with grammar.Decode(tip id,
// Ranges, shape of the problem's data) and queues a TrainJob: a fresh model
// seeded by Seed(tip, miner key, attempt) trained for Epochs epochs on the
// training split (its labels mapped by the binding rule, LabelsFor) and
// measured on the validation split. Declared work is
// TrainFLOPs + EvalFLOPs(validation), as counted (the simulator may scale the
// JobTrain class when a scenario lets the job stand in for a larger one). If the validation
// accuracy reaches the threshold the node builds and signs a block;
// otherwise it starts attempt+1 on the same tip (AttemptMode "fresh-seed").
// In AttemptMode "continue" each further attempt trains the previous
// attempt's model for one more epoch (a new Trainer: the momentum restarts).
//
// The test split decides validity and is never trained on. In the testbed
// every node holds it (fidelity "coinai.test-split=visible-to-all"); in a
// deployment only validators would.
//
// # Problems
//
// The problem of the block on top of P is ledger.State.NextProblem(P) at P
// (escrowed problems, highest fee first) if it names the default data set
// with the same classes and shape, and the default problem (zero id)
// otherwise. A Problem transaction naming the default data set is trained
// and tested on the default split, whatever its own split seed (fidelity
// "coinai.problems=default-data"). While a problem on other data ranks
// first, miners fall back to the default problem: its fee stays in escrow,
// and it holds back the problems ranked below it (an open issue until more
// data sets are wired in). Solving a problem pays its escrowed fee to the
// miner (ledger's rule).
//
// # Verification
//
// Every node, for every block: decodes it (hostile-safe), checks the
// version, height, threshold and accuracy ranges, the timestamp (at most
// MaxFutureDrift ahead of its clock and after its parent's), the model
// commitment, the transaction root, the signature and the transactions'
// signatures; buffers it if the parent is unknown; then against the parent:
// the threshold equals the rule's, the commitment is not that of another
// block this node knows (a copied model re-signed by another key is a
// "duplicate-model"), the model decodes and its architecture equals the
// grammar's for the parent, and, on the ledger at the parent, the problem is
// the expected one and the transactions apply. Finally it queues an EvalJob (forward
// passes over the test split, its labels mapped by the binding rule for the
// parent; Shareable, so a simulator computes it once)
// and accepts the block if the test accuracy reaches the threshold.
// Config.Verify=false skips the evaluation and trusts the claim.
//
// The duplicate-model rule is local: two nodes that saw a model first in two
// different blocks keep different ones. An exact copy on another parent is
// refused only where its architecture differs, and the rule compares exact
// bytes: a copy with one weight byte flipped is a new model.
//
// # Binding and the re-use attack
//
// Under the paper's rules (Config.Bind = BindNone, the default) a model is
// checked against its parent only through the architecture; the training
// seed cannot be checked from the weights. A model mined on an earlier
// block, with one weight byte flipped, is therefore a valid block on every
// parent whose hash decodes to the same architecture (reuse_test.go pins
// it). BindLabelPermutation relabels the classes of a child of P with a
// permutation keyed by P's hash, applied alike by miners (training and
// validation), validators (the test split) and checkers (LabelsFor): a
// re-used model scores about chance. It does not stop a miner that
// permutes the output units of the model it re-uses (bind.go).
//
// AttackReuse (attack.go) is the attacker that measures this: a node that
// publishes perturbed copies of seen models instead of training.
//
// # Spam, theft and leakage
//
// AttackSpam (spam.go) pushes blocks whose untrained models claim the
// threshold: every receiver pays an evaluation and a cancelled attempt;
// Config.BanAfter (ban.go) bans a peer after that many invalid models.
// AttackSteal (steal.go) re-signs competitors' blocks and races them;
// under DuplicateFirstSeen the copy splits the network for good, under
// DuplicateChain (dup.go) it wins blocks without training, and under
// RevealDelayedTest (reveal.go: a commitment first, the block later,
// validated against the commitments in their order of arrival) it is
// refused as stolen-model. AttackLeak (leak.go) also trains on the test
// split; under RevealDelayedTest the deciding samples are drawn from the
// commitment, so it knows only those earlier blocks revealed.
//
// # Timestamps and the threshold decay
//
// The threshold a block must pass decays with its timestamp's distance from
// its parent's, and a node accepts a timestamp up to MaxFutureDrift ahead
// of its clock (half an interval with the decay on), so a miner can stamp
// ahead and take a decay step early: AttackTimestamp measures it. Under
// DecayClockVerifier a block that takes a decay step before the verifier's
// clock reaches its timestamp is held until it does (timestamp.go).
//
// # Lottery
//
// With Config.Lottery a model above the threshold is one lottery ticket,
// and only a winning ticket makes a block; validators re-train the attempt
// the header declares, so that a training gives one ticket (lottery.go).
//
// Processor order: jobs run one at a time in queue order. A block that would
// become the new tip (its chain would have more work) first cancels the
// training attempt in progress, which the new tip would make worthless, so
// that its evaluation runs at once; mining resumes on the best tip when the
// verdict is in. A block that would not become the tip is evaluated behind
// the running attempt.
//
// # Fork choice and threshold
//
// The chain is a chain.Tree whose per-block work is the block's threshold in
// ppm: a block under a higher threshold is harder to find, so the heaviest
// chain is the one that embodies the most demanding models; ties go to the
// block seen first.
//
// Every ThresholdWindow blocks the threshold is retargeted (see Retarget):
// at height h with h mod W = 0, actual is the time from the block at
// max(h-1-W, 0) to the parent at h-1 and target is the same number of
// intervals times TargetInterval; the threshold moves by at most
// ThresholdMaxStep per window within [ThresholdMin, MaxThreshold]. Accuracy
// saturates at what the architecture can reach, so a high threshold can
// stall the chain: that is one of the findings the testbed measures.
//
// # Ledger
//
// Each node keeps a ledger.State along its main chain, applying blocks on
// extension and reverting them on reorganisation, in the orders the tree
// returns. The coinbase BlockReward, the transaction fees and a solved
// problem's escrow go to the block's miner key.
//
// # Proof-of-storage
//
// With Config.Storage.Enabled the header's Model is the Merkle commitment
// merkle.CommitmentOf(size, ChunkSize, root) of the serialised model
// (ModelCommitment); without it, the flat SHA-256, so chains without
// storage are unchanged. Storage candidates (id, address, capacity) are a
// genesis parameter. Every block carries a registry (storage.go,
// nextRegistry) derived from its parent's: valid, timely proofs in the
// block mint Reward to their holder (ledger.BlockEffects.Mints, so rewards
// follow reorgs); open challenges whose deadline is before the block's
// timestamp are misses, and MaxMisses misses evict the holder, whose
// successor is storage.Replace's next candidate; the block's model is
// placed with storage.Place on Replication candidates with room; at heights
// that are multiples of ChallengeInterval, every model at least
// max(ChallengeLag,1) blocks old is challenged for each holder with the id
// of the block ChallengeLag back as seed. The deadline is in block time:
// a proof counts if a block stamped within Deadline of the round's block
// includes it. A challenge whose window holds no block of the chain is
// void (no reward, no miss): Coin.AI's block gaps are heavy-tailed (a
// threshold stall left 500 s without a block at a 60 s target), and
// without this rule one stall made every honest holder miss at once.
//
// Holders answer with StorageProof transactions (payload: storage.Proof,
// signed by the holder's key, consecutive nonces), flooded like any
// transaction and re-flooded when two blocks did not include them. A holder
// answers a challenge once per (seed, model): competing blocks at one
// height open the same challenge, and a proof spent in a losing block goes
// back to the pools. A miner includes only proofs that answer a challenge
// open at its parent (proofsForParent), so a proof of a round opened by a
// competing block waits in the pool instead of spending its nonce on
// nothing; if a block from another miner spends it so anyway, the holder
// answers again. With these rules no honest, reachable holder missed a
// challenge in the fault-free runs measured (runner tests). A holder
// keeps a model it is placed on from the block message; it fetches chunks
// it lacks (after a re-placement or a disk loss) from the other holders
// with GetChunks/Chunks messages, every chunk checked against the
// commitment by its Merkle path. Users (RetrievalInterval > 0) download a
// random model the same way and evaluate it. Cheats for measurement:
// BehaveLazy, BehaveOutsource, BehaveSybil. Erasure coding is not wired in.
//
// Known weakness: a successor placed on a model whose every copy is gone
// or unreachable (holders offline, cheating or evicted; an evicted holder
// drops its copy at once) cannot fetch it and is evicted in turn: a lost
// model walks through honest successors. The chain cannot tell this from
// a cheat.
//
// # Memory
//
// Per block a node keeps the header, the transactions, its undo record and a
// reference to the message it arrived in (shared by all nodes of a
// simulation, so a block's bytes exist once), plus the model commitment. The
// decoded model is dropped once the block is verified. The header, the
// decoded model and the signature and commitment checks are shared by the
// nodes of a process through a memo of pure results (memo.go).
//
// # Sampled training
//
// With Config.Sampler (the scenario's coinai.fidelity = "sampled") most
// attempts draw their outcome from real attempts of the same problem and
// architecture instead of training; see sampled.go.
package coinai
