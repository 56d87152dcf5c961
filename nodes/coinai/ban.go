package coinai

import (
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes"
)

// Peer banning against invalid-model spam (Config.BanAfter), after
// Bitcoin's misbehaviour score: a peer that sends BanAfter blocks whose
// models fail evaluation or do not decode is banned, and every block it
// sends from then on is dropped unread (see banned).
//
// Only failures that an honest peer can never cause count. An honest node
// relays a block only after it has verified it (it announces, and answers
// requests for, accepted blocks only) under the same rules, so a block
// that is below its threshold, whose model does not decode or is not the
// architecture of its parent, or whose signature or commitment is wrong
// came from its author, not from a relay. Failures that depend on the
// receiver's view do not count: a duplicate model (two copies race, and
// the one that arrives second is the duplicate), a timestamp too far
// ahead, an overloaded node, an invalid parent (the parent's sender was
// struck already), a model stolen under commit–reveal (it depends on the
// order in which the receiver saw commitments).
//
// What the ban bounds: each peer of a spammer pays at most BanAfter
// evaluations for it, and since honest nodes never relay an invalid block,
// the spam reaches no one else; the network's total cost is at most
// BanAfter × the spammer's connections. What it does not: the simulator's
// peers are fixed, so a banned spammer cannot come back under a new
// identity; a deployment must bound that by its connection policy
// (inbound slots, proof of work or a deposit per connection).

// strikeable reports whether err is a failure that only the block's author
// causes (see above).
func strikeable(err error) bool {
	switch err {
	case errBelow, errModel, errArch, errCommitment, errBadSignature, errVersion, errAccuracy:
		return true
	}
	return false
}

// strike counts an invalid block from peer against it.
func (n *Node) strike(from nodes.PeerID, err error) {
	if n.strikes == nil || from == n.cfg.ID || !strikeable(err) {
		return
	}
	n.strikes[from]++
	if n.strikes[from] != n.cfg.BanAfter {
		return
	}
	n.env.Observe(nodes.Event{Kind: nodes.EvNote, Miner: from, Note: fmt.Sprintf("%s %d", NoteBanned, from)})
	// The peer's other blocks still under evaluation are dropped with
	// their jobs: a burst sent at once would otherwise all be evaluated
	// before the first verdict bans its sender.
	dropped := false
	for i := 0; i < len(n.verifying); {
		p := n.verifying[i]
		if p.from != from {
			i++
			continue
		}
		dropped = true
		n.env.Cancel(p.job)
		n.verifying = slices.Delete(n.verifying, i, i+1)
		n.forgetModel(p.blk.Header.Model, p.id)
		if p.paused {
			n.waiting--
		}
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Block: p.id, Miner: from, Note: NoteBannedPeer})
		n.release(p.id, false)
	}
	if dropped {
		n.resume()
	}
}

// NoteBanned starts the note of the EvNote a node reports when it bans a
// peer; EvRejected with note NoteBannedPeer reports each block message
// dropped from a banned peer.
const (
	NoteBanned     = "banned"
	NoteBannedPeer = "banned-peer"
)

// banned reports whether msg is a block, a commitment or an announcement
// from a banned peer, to be dropped unread, and reports a dropped block.
// Its requests and transactions are still handled: a deployment would
// disconnect it,
// but a peer of the simulator cannot connect elsewhere, and the run stops
// when every node reaches the stop height, so a banned node may still
// fetch the chain (announcements and requests are cheap to serve).
func (n *Node) banned(from nodes.PeerID, msg []byte) bool {
	if len(msg) == 0 || n.strikes[from] < n.cfg.BanAfter {
		return false
	}
	switch MsgType(msg[0]) {
	case MsgBlock:
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Miner: from, Note: NoteBannedPeer})
		return true
	case MsgCommit, MsgInv:
		// Its announcements too: a block requested from it would be
		// dropped on arrival, and ask again only after a timeout.
		return true
	}
	return false
}

// validateMore checks the options of this package's newer files.
func (c *Config) validateMore() error {
	if c.BanAfter < 0 {
		return fmt.Errorf("ban after %d: negative", c.BanAfter)
	}
	if err := validDuplicate(c.Duplicate); err != nil {
		return err
	}
	return c.Reveal.validate(c)
}

// initMore sets up the state of the newer options and attacker roles.
func (n *Node) initMore() {
	if n.cfg.BanAfter > 0 {
		n.strikes = map[nodes.PeerID]int{}
	}
	switch n.cfg.Attack.Kind {
	case AttackSpam:
		n.spam = &spamState{}
	case AttackLeak:
		n.leak = &leakState{}
	case AttackSteal:
		n.steal = &stealState{done: map[[32]byte]bool{}}
	}
	if n.cfg.Reveal.Enabled() {
		n.reveal = newRevealState()
	}
}
