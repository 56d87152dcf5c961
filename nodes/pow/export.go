package pow

// BlockMessage returns the full-block wire message (MsgBlock) of a block
// the node accepted, as the node serves it, with its declared filler
// bytes (the padding Env.Send charges for them); false for a block it has
// not accepted or the genesis. The bytes are shared: callers must not
// modify them. Attacker wrappers (nodes/attack) push blocks with it, as a
// node that sends blocks unsolicited (BIP 152's high-bandwidth mode) does.
func (n *Node) BlockMessage(id [32]byte) ([]byte, int, bool) {
	e, ok := n.tree.Get(id)
	if !ok || e.Height == 0 {
		return nil, 0, false
	}
	_, bytes := rawFiller(e.Payload)
	return n.retype(e.Payload, MsgBlock)[:], int(bytes), true
}
