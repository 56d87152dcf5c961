// Package nodes holds the blockchain protocols of the testbed: Coin.AI's
// proof-of-useful-work and the proof-of-work baseline, with their blocks,
// ledger, trainer and proof-of-storage in sub-packages.
//
// A node is a state machine in the style of etcd's raft package: it never
// reads a clock, never starts a goroutine and never touches a socket. It sees
// time, randomness, the network and its processor only through Env, which its
// caller implements. The simulator under sim/ is one such caller; a real
// network daemon could be another. This is what makes a whole run replayable
// from one seed.
package nodes

import "math/rand/v2"

// PeerID names a node on the network. In the simulator it is the node's index
// 0..N-1, so it also orders nodes deterministically.
type PeerID int32

// Handle identifies a pending timer or compute job so that it can be
// cancelled. The zero Handle is never issued.
type Handle uint64

// Env is everything a node sees of the world. All methods are called from the
// node's own callbacks (Start, Receive, OnTimer, OnComputed); none blocks.
type Env interface {
	// Now is the current time in nanoseconds since the start of the run.
	Now() int64
	// Rand is this node's own random stream: deterministic for a given run
	// seed and node, and independent of every other consumer's stream.
	Rand() *rand.Rand
	// Peers lists the nodes this node is linked to, in a fixed order.
	Peers() []PeerID
	// Send queues msg for delivery to a peer. The network charges
	// len(msg)+padding bytes against the sender's uplink and the receiver's
	// downlink. padding is for payload that a scenario declares but does not
	// materialise (a fidelity trade the scenario names, such as the PoW
	// baseline's filler transactions); it is 0 for ordinary messages. msg must
	// not be modified after the call: the same slice may be sent to many peers.
	Send(to PeerID, msg []byte, padding int)
	// After arranges for OnTimer(tag) to be called d nanoseconds from now.
	After(d int64, tag uint64) Handle
	// Compute queues job on this node's processor. Jobs run one at a time in
	// the order queued; a job occupies the processor for the virtual time its
	// FLOPs take on the node's hardware, and then OnComputed(tag, result) is
	// called with job.Run()'s result. Energy is charged for the busy time.
	Compute(job Job, tag uint64) Handle
	// Cancel stops a pending timer or compute job. A cancelled job's result
	// is never delivered and only its busy time up to now is charged (a
	// caller that computed the result ahead, in wall-clock time, discards
	// it).
	// Cancelling a fired or unknown handle does nothing.
	Cancel(h Handle)
	// SetBusy declares that the processor is busy (true) or idle (false)
	// outside Compute jobs, e.g. while hashing for proof-of-work, so that
	// energy is charged at busy power.
	SetBusy(busy bool)
	// Observe reports a protocol event to the run's observer (metrics, trace
	// checkers). Nodes write no metrics themselves.
	Observe(ev Event)
}

// Preempter is implemented by an Env whose processor can run a job ahead of
// the one running, which is suspended and resumes afterwards with the time
// it still needs. Nodes use it for work that must not wait behind a long
// job, such as verifying a block while a training attempt runs.
type Preempter interface {
	ComputeFirst(job Job, tag uint64) Handle
}

// Mempool is implemented by an Env that models which transactions a node
// already holds. A node that receives a block announced in compact form
// (header and short transaction ids) asks it whether it can rebuild the
// block from its own pool or must fetch what it lacks. Which nodes miss
// transactions is a property of the simulated network, not a protocol
// rule, so the caller decides it (the simulator from the scenario); an Env
// without a Mempool rebuilds every compact block.
type Mempool interface {
	// CanRebuild reports whether the node holds every transaction of the
	// block id, so that the compact announcement suffices.
	CanRebuild(block [32]byte) bool
}

// Job is a unit of compute whose result is a pure function of its inputs.
// Because of that, the caller may run it early, in parallel with other jobs,
// or only once for many nodes that queue jobs with the same Key, and charge
// each node its own virtual time.
type Job interface {
	// FLOPs is the work of the job, known before it runs; virtual time is
	// FLOPs divided by the hardware's effective FLOP/s.
	FLOPs() float64
	// Key is a content address: two jobs with the same Key return equal
	// results. A job whose result must not be shared returns a Key that
	// includes everything it depends on.
	Key() [32]byte
	// Run computes the result. It must not touch shared mutable state.
	Run() any
}

// JobClass says what a Job's work is, so that a caller that charges
// virtual time can scale each class by its own cost model (for example a
// scenario that lets a small training job stand in for a larger one, and
// an evaluation for a larger test set). The protocol only declares the
// class; how much a class costs is the caller's business.
type JobClass uint8

const (
	// JobOther is work that is charged as counted.
	JobOther JobClass = iota
	// JobTrain is training: a mining attempt of proof-of-useful-work.
	JobTrain
	// JobEval is evaluating a model on held-out data: verification of a
	// block, or a user's check of a retrieved model.
	JobEval
	// NumJobClasses is the number of classes.
	NumJobClasses
)

// String names the class as scenarios and reports do.
func (c JobClass) String() string {
	switch c {
	case JobTrain:
		return "train"
	case JobEval:
		return "eval"
	case JobOther:
		return "other"
	}
	return "unknown"
}

// Classed is implemented by a Job that declares its JobClass; a Job
// without it is JobOther.
type Classed interface {
	Class() JobClass
}

// ClassOf returns j's class (JobOther unless j implements Classed).
func ClassOf(j Job) JobClass {
	if c, ok := j.(Classed); ok {
		return c.Class()
	}
	return JobOther
}

// Shareable is implemented by a Job whose result every node may share:
// when several nodes queue jobs with the same Key, the caller may compute
// the result once and hand it to each of them, charging each node its own
// virtual time (for example the evaluation of a block's model, which every
// validator runs on the same data). A Job whose Shareable returns false,
// or that does not implement it, is computed for its own node.
type Shareable interface {
	Shareable() bool
}

// IsShareable reports whether j's result may be shared between nodes.
func IsShareable(j Job) bool {
	s, ok := j.(Shareable)
	return ok && s.Shareable()
}

// Tipper is implemented by a Node that has a best chain. Observers and
// checkers use it to pick the main chain at the end of a run and to check
// that honest nodes agree below the fork depth.
type Tipper interface {
	// Tip returns the id and height of the node's best block.
	Tip() (id [32]byte, height int64)
}

// InvariantChecker is implemented by a Node that can check its own state
// for consistency (coins conserved in its ledger, indexes that agree).
// Checkers call it while the run goes on and at its end; an error is a bug
// in the protocol code or the testbed, never an attacker's doing.
type InvariantChecker interface {
	Invariants() error
}

// DiskLoser is implemented by a Node that keeps data on a disk that a
// fault can wipe (models kept under proof-of-storage). The caller calls
// LoseDisk when a scenario's disk-loss fault strikes; the node goes on
// running without what it kept.
type DiskLoser interface {
	LoseDisk()
}

// Reconnecter is implemented by a Node that tells a peer about its best
// chain when the link between them comes back: a partition heals, or one
// of them restarts after a crash. Bitcoin peers whose connection broke
// handshake again and exchange their tips; without it, a node would hear
// of blocks found while it was apart only when the next block is
// announced, and one that restarted from nothing would wait for the next
// block to start catching up. The caller calls Reconnected(peer) on both
// ends of every link that comes back, in a fixed order; the node sends
// what its protocol sends (an announcement of its tip), and the usual
// relay fetches whatever is missing.
type Reconnecter interface {
	Reconnected(peer PeerID)
}

// Restarter is implemented by a Node that can come back from a crash with
// what it keeps on disk (its chain), as a real node restarts from its
// block store. The caller has dropped every timer and compute job of the
// node while it was down, and calls Restart instead of Start: the node
// forgets what it held only in memory (requests in flight, blocks under
// verification, attempts) and resumes. A crash that loses the disk is a
// new node from the constructor, started with Start.
type Restarter interface {
	Restart(env Env)
}

// TrafficClassifier is implemented by a Node whose messages fall into
// classes that a run reports apart (for example proof-of-storage traffic
// beside block relay). The caller asks it about every message the node
// sends and receives, so that the simulator can count bytes per class
// without knowing the protocol's wire format. Class "" is ordinary
// traffic.
type TrafficClassifier interface {
	MsgClass(msg []byte) string
}

// Prefetcher is implemented by a node that can ask the processor, ahead of
// time, for the memory its handling of a message will read: a hint that
// changes nothing, for simulations of tens of thousands of nodes whose
// state does not fit in the caches (each node touched is a cache miss
// otherwise). The host calls it for messages about to be delivered: first
// with stage 1, when the node may ask only for its own memory (its fields
// are not in the cache yet, so it must not read them), then, about one
// event later, with stage 0, when it may read its fields and ask for what
// they point to. It must not modify anything.
type Prefetcher interface {
	Prefetch(msg []byte, stage int)
}

// Node is a protocol state machine driven by its caller.
type Node interface {
	// Start is called once, before any other callback.
	Start(env Env)
	// Receive delivers a message from a peer. msg is immutable: the same
	// bytes may be delivered to many nodes, and neither the caller nor any
	// node may modify them. A node may keep a reference (e.g. to relay the
	// block it received without copying it).
	Receive(from PeerID, msg []byte)
	// OnTimer fires a timer set with Env.After.
	OnTimer(tag uint64)
	// OnComputed delivers the result of a job queued with Env.Compute.
	OnComputed(tag uint64, result any)
}

// EventKind names what a node reports to the observer.
type EventKind uint8

const (
	// EvMined: the node produced a block (Block, Parent, Height, Size, Value
	// = difficulty or accuracy threshold).
	EvMined EventKind = iota + 1
	// EvAccepted: the node validated and stored a block (first arrival).
	EvAccepted
	// EvRejected: the node rejected a block; Note says why.
	EvRejected
	// EvTip: the node's best chain changed to Block at Height; Value is the
	// number of blocks undone by a reorg (0 for a plain extension).
	EvTip
	// EvAttemptDone: a training attempt completed (Value = accuracy).
	EvAttemptDone
	// EvAttemptCancelled: a training attempt was discarded by a new tip.
	EvAttemptCancelled
	// EvReward: the node's balance changed on its main chain (Value = amount,
	// Note = kind: "block", "fee", "problem", "storage", "penalty").
	EvReward
	// EvProof: a storage proof was checked (Value 1 valid, 0 otherwise;
	// Note: valid, missed, late, void (no block in the window), evicted,
	// "invalid: reason").
	// Coin.AI reports one per challenge outcome decided by a block, from
	// the block's miner: Block = that block, Miner = the challenged holder,
	// Parent = the model's block, Note = "valid", "missed", "late",
	// "invalid", or "evicted" (not a proof: the holder reached the miss
	// limit and lost the model; Height = its successor's id, -1 if none).
	EvProof
	// EvNote: anything else worth a trace line.
	EvNote
	// EvStored: the node now keeps a full copy of a model under
	// proof-of-storage (Block = the id of the block that recorded the
	// model, Value = bytes kept).
	EvStored
	// EvDropped: the node no longer keeps a model it held (Block as for
	// EvStored, Value = bytes freed; Note says why: "unplaced", "disk-loss").
	EvDropped
	// EvRetrieved: a user finished retrieving a model from its holders
	// (Block as for EvStored, Value = seconds from request to verified
	// model, Size = bytes received, Note = "ok" or "failed: reason").
	EvRetrieved
	// EvFault is reported by the caller that hosts the node, never by a
	// node: a fault of the run's plan struck. Note "crash": the node
	// stopped; "restart": it runs again, Value 1 if it lost its state and
	// starts from genesis (Height is the crash's index in the caller's
	// plan for both); "heal": a cut of the network ended (reported for
	// node -1; Height is the cut's index).
	EvFault
)

// Event is one observation. Fields that do not apply are zero.
type Event struct {
	Kind   EventKind
	Block  [32]byte
	Parent [32]byte
	Height int64
	Miner  PeerID
	Size   int
	Value  float64
	Note   string
}
