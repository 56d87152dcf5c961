// Package relay is the block-relay bookkeeping that the proof-of-work
// baseline (nodes/pow) and Coin.AI (nodes/coinai) share: which blocks a
// node has asked for and whom (Requests), the blocks it holds until their
// parent arrives (Orphans), and the small rings that make it ignore what it
// has already rejected or served (Ring).
//
// Both protocols gossip blocks as Bitcoin does: a node that accepts a block
// announces its id (Inv), and a peer lacking it asks one announcer for it
// (GetData), waits, and on a timeout asks the next announcer. What the
// messages look like and what makes a block valid belong to each protocol;
// this package only remembers, within fixed bounds, so that a peer sending
// random ids or blocks cannot grow a node's state.
//
// Nothing here reads the clock, draws randomness or sends: the one Env call
// it makes is on the caller's behalf (Request.Arm starts a timer, and
// Requests.Drop cancels it), so a protocol keeps full control of the order
// of its Env calls, which the simulator's bit-identical replays depend on.
// The types are not safe for concurrent use; a node is a single-threaded
// state machine.
package relay

import "encoding/binary"

// key is the first 8 bytes of a block id. Comparing it first rejects most
// mismatches with one integer compare instead of a 32-byte one.
func key(id *[32]byte) uint64 { return binary.LittleEndian.Uint64(id[:8]) }
