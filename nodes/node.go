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
	// Cancel stops a pending timer or compute job. A running job that is
	// cancelled is never computed, but its busy time up to now is charged.
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
