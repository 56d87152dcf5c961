package coinai

import (
	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/relay"
)

// request notes that from has block id: a block in flight gains from as
// another source, and a block the node does not know is asked of from.
func (n *Node) request(id [32]byte, from nodes.PeerID) {
	if n.known(id) || n.reqs.Announced(id, from) {
		return
	}
	if r := n.reqs.Open(id, from); r != nil {
		n.ask(r)
	}
}

// ask sends GetData to the request's current announcer and arms its
// timeout, tagged with the node's shared sequence.
func (n *Node) ask(r *relay.Request[struct{}]) {
	n.env.Send(r.Peer(), AppendID(nil, MsgGetData, r.ID()), 0)
	r.Arm(n.env, n.cfg.RequestTimeout, tagRequest|n.nextTag(0))
}

// dropReq ends the request for id, if any: the block has arrived.
func (n *Node) dropReq(id [32]byte) {
	n.reqs.Drop(n.env, id)
}

// onTimeout asks the next announcer of the request whose timer, tagged
// with seq, fired.
func (n *Node) onTimeout(seq uint64) {
	if r := n.reqs.Expired(tagRequest | seq); r != nil {
		n.ask(r)
	}
}
