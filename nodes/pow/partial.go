package pow

import (
	"encoding/binary"
	"math"

	"github.com/coinai/coinai/nodes"
)

// getBlockTxnPartSize is the size of a GetBlockTxn that asks for some of a
// block's transactions: type, block id, and the count of missing
// transactions (little-endian uint32). A GetBlockTxn of idMsgSize bytes
// asks for all of them, as before partial refetch was modelled.
const getBlockTxnPartSize = idMsgSize + 4

// askTxn asks from for the transactions of compact block m that this node
// lacks, share (0..1] of them. A share that rounds to every transaction
// sends the plain GetBlockTxn (the whole filler comes back); a smaller one
// names the count of missing transactions, and its padding charges one
// byte per transaction index (BIP 152 differentially encodes the indexes
// as CompactSize integers, one byte for gaps below 253: an assumption that
// holds when a small share of the block is missing).
func (n *Node) askTxn(from nodes.PeerID, m *Message, share float64) {
	total := m.Block.Filler.Count
	count := uint32(math.Round(share * float64(total)))
	if share >= 1 || count >= total {
		n.env.Send(from, n.small(MsgGetBlockTxn, m.ID, 0), 0)
		return
	}
	count = max(count, 1)
	msg := make([]byte, getBlockTxnPartSize)
	msg[0] = byte(MsgGetBlockTxn)
	copy(msg[1:33], m.ID[:])
	binary.LittleEndian.PutUint32(msg[33:], count)
	n.env.Send(from, msg, int(count))
}

// txnBytes is the padding of a BlockTxn that carries missing of a block's
// count filler transactions of bytes bytes in all (missing 0: all of
// them): the block's mean transaction size times missing, rounded up.
func txnBytes(count uint32, bytes uint64, missing uint32) int {
	if missing == 0 || count == 0 || missing >= count {
		return int(bytes)
	}
	return int((bytes*uint64(missing) + uint64(count) - 1) / uint64(count))
}

// ValidationDelay returns the time a node spends validating a block
// message before it acts on it, for the host's per-message delay
// (host.Config.Delay): base plus perTx for every transaction of a Block
// or CmpctBlock message, nothing for other messages. Block validation
// time grows with the transactions a block carries (their scripts and
// inputs); the delay is charged when the message arrives, which for a
// compact block that must fetch missing transactions puts it before the
// round trip instead of after it: the same time to acceptance.
func ValidationDelay(base, perTx int64) func(msg []byte, padding int) int64 {
	return func(msg []byte, _ int) int64 {
		if len(msg) < blockMsgSize || (MsgType(msg[0]) != MsgBlock && MsgType(msg[0]) != MsgCmpctBlock) {
			return 0
		}
		count, _ := rawFiller(raw(msg))
		if len(msg) >= blockMsgSize+4 { // real transactions (txs.go): both forms start with their count
			count += le32(msg[blockMsgSize:])
		}
		return base + perTx*int64(count)
	}
}
