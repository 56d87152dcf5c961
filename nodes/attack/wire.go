package attack

import (
	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/pow"
)

// PoWWire is the proof-of-work baseline's Wire: blocks are pushed as
// full blocks with their declared filler bytes as padding.
func PoWWire() Wire {
	return Wire{IsInv: isInv, BlockMessage: func(n nodes.Node, id [32]byte) ([]byte, int, bool) {
		p, ok := n.(*pow.Node)
		if !ok {
			return nil, 0, false
		}
		return p.BlockMessage(id)
	}}
}

// CoinAIWire is Coin.AI's Wire: a block message carries its model.
func CoinAIWire() Wire {
	return Wire{IsInv: isInv, BlockMessage: func(n nodes.Node, id [32]byte) ([]byte, int, bool) {
		c, ok := n.(*coinai.Node)
		if !ok {
			return nil, 0, false
		}
		msg, ok := c.BlockMessage(id)
		return msg, 0, ok
	}}
}
