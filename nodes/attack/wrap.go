// Package attack holds the classic adversaries of the blockchain
// literature as wrappers around an honest node: the wrapped node runs the
// protocol's own code unchanged (it mines, validates, relays and chooses
// its chain as every honest node does), and the wrapper departs from the
// protocol only where the attack does, in what the node sends and hears.
// Because the wrappers see a node only through nodes.Node and nodes.Env
// and a few facts of the wire format (Wire), the same attacker runs on
// the proof-of-work baseline and on Coin.AI.
//
//   - Selfish is a member of a selfish-mining pool (Eyal and Sirer,
//     "Majority is not enough", FC 2014, Algorithm 1): it withholds the
//     blocks its pool finds and publishes them by the lead of its private
//     chain over the public one.
//   - Eclipse is a node placed among all of a victim's peers that delays
//     or withholds every message between the victim and the network.
//
// Honest nodes never run this package's code.
package attack

import (
	"github.com/coinai/coinai/nodes"
)

// Wire is what a wrapper needs to know of a protocol's block relay.
type Wire struct {
	// IsInv reports whether msg is a block announcement (an Inv), which
	// a selfish pool member never lets its node send: the pool decides
	// what it announces.
	IsInv func(msg []byte) bool
	// BlockMessage returns the full wire message of a block the node
	// holds and the padding Env.Send is to charge with it (declared
	// bytes the message does not carry).
	BlockMessage func(n nodes.Node, id [32]byte) (msg []byte, padding int, ok bool)
}

// isInv is the announcement of both protocols: type byte 1 then a 32-byte
// block id (pow.MsgInv, coinai.MsgInv).
func isInv(msg []byte) bool { return len(msg) == 33 && msg[0] == 1 }

// inner forwards the optional interfaces of the wrapped node, so that the
// host, the observers and the checkers treat a wrapper as the node it
// wraps.
type inner struct {
	n nodes.Node
}

// Tip implements nodes.Tipper (the zero tip if the node has none).
func (w *inner) Tip() ([32]byte, int64) {
	if t, ok := w.n.(nodes.Tipper); ok {
		return t.Tip()
	}
	return [32]byte{}, 0
}

// Invariants implements nodes.InvariantChecker.
func (w *inner) Invariants() error {
	if c, ok := w.n.(nodes.InvariantChecker); ok {
		return c.Invariants()
	}
	return nil
}

// MsgClass implements nodes.TrafficClassifier.
func (w *inner) MsgClass(msg []byte) string {
	if c, ok := w.n.(nodes.TrafficClassifier); ok {
		return c.MsgClass(msg)
	}
	return ""
}

// LoseDisk implements nodes.DiskLoser.
func (w *inner) LoseDisk() {
	if d, ok := w.n.(nodes.DiskLoser); ok {
		d.LoseDisk()
	}
}

// Inner returns the wrapped node, for tests and tools that inspect it.
func (w *inner) Inner() nodes.Node { return w.n }

// wrapEnv is the Env a wrapper gives its node: the host's, with Send and
// Observe routed through the wrapper. It forwards the optional Env
// interfaces (nodes.Mempool, nodes.Preempter) with the host's answers.
type wrapEnv struct {
	nodes.Env
	send    func(to nodes.PeerID, msg []byte, padding int)
	observe func(ev nodes.Event)
}

func (e *wrapEnv) Send(to nodes.PeerID, msg []byte, padding int) { e.send(to, msg, padding) }
func (e *wrapEnv) Observe(ev nodes.Event)                        { e.observe(ev) }

// CanRebuild implements nodes.Mempool as the host does (every block
// rebuilds if the host has no mempool model).
func (e *wrapEnv) CanRebuild(id [32]byte) bool {
	if m, ok := e.Env.(nodes.Mempool); ok {
		return m.CanRebuild(id)
	}
	return true
}

// ComputeFirst implements nodes.Preempter as the host does (queued last
// if the host cannot preempt).
func (e *wrapEnv) ComputeFirst(job nodes.Job, tag uint64) nodes.Handle {
	if p, ok := e.Env.(nodes.Preempter); ok {
		return p.ComputeFirst(job, tag)
	}
	return e.Env.Compute(job, tag)
}
