package pow

import (
	"fmt"
)

// MsgType is the first byte of every wire message.
type MsgType uint8

// The message flow follows Bitcoin and SimBlock: a node that accepts a block
// announces it (Inv); a peer that lacks it asks for it (GetData) and gets a
// Block, or with compact relay (BIP 152) a CmpctBlock; a node that cannot
// rebuild the compact block from its mempool asks for the missing
// transactions (GetBlockTxn) and gets them (BlockTxn).
const (
	MsgInv         MsgType = iota + 1 // id
	MsgGetData                        // id, wanted Relay
	MsgBlock                          // block; padding = filler bytes
	MsgCmpctBlock                     // block; padding = 6 bytes per filler tx
	MsgGetBlockTxn                    // id
	MsgBlockTxn                       // id; padding = filler bytes
)

func (t MsgType) String() string {
	switch t {
	case MsgInv:
		return "inv"
	case MsgGetData:
		return "getdata"
	case MsgBlock:
		return "block"
	case MsgCmpctBlock:
		return "cmpctblock"
	case MsgGetBlockTxn:
		return "getblocktxn"
	case MsgBlockTxn:
		return "blocktxn"
	}
	return fmt.Sprintf("MsgType(%d)", uint8(t))
}

// Relay is how blocks are sent to a peer that asks for them.
type Relay uint8

const (
	// RelayFull sends the whole block.
	RelayFull Relay = iota
	// RelayCompact sends the header, coinbase and 6-byte short ids of the
	// transactions (BIP 152); the receiver rebuilds the block from its
	// mempool or asks for the transactions.
	RelayCompact
)

// ShortIDSize is the size of a BIP 152 short transaction id.
const ShortIDSize = 6

// Message sizes without padding.
const (
	idMsgSize      = 1 + 32
	getDataSize    = 1 + 32 + 1
	blockMsgSize   = 1 + BlockSize
	maxMessageSize = blockMsgSize
)

// Message is a decoded wire message.
type Message struct {
	Type MsgType
	// ID is the block id: carried by Inv, GetData, GetBlockTxn and
	// BlockTxn, computed from the header for Block and CmpctBlock.
	ID [32]byte
	// Want is the relay form asked for by GetData.
	Want Relay
	// Block is set for Block and CmpctBlock.
	Block Block
}

// Append appends the encoded message to dst. The ID of Block and
// CmpctBlock messages is not encoded (it is the header's hash).
func (m *Message) Append(dst []byte) []byte {
	dst = append(dst, byte(m.Type))
	switch m.Type {
	case MsgBlock, MsgCmpctBlock:
		return m.Block.Append(dst)
	case MsgGetData:
		dst = append(dst, m.ID[:]...)
		return append(dst, byte(m.Want))
	default:
		return append(dst, m.ID[:]...)
	}
}

// DecodeMessage decodes one message. It never panics and allocates
// nothing: every message type has a fixed size, and trailing bytes are an
// error.
func DecodeMessage(b []byte) (Message, error) {
	var m Message
	if len(b) == 0 {
		return m, fmt.Errorf("decoding message: empty")
	}
	m.Type = MsgType(b[0])
	want := idMsgSize
	switch m.Type {
	case MsgInv, MsgGetBlockTxn, MsgBlockTxn:
	case MsgGetData:
		want = getDataSize
	case MsgBlock, MsgCmpctBlock:
		want = blockMsgSize
	default:
		return m, fmt.Errorf("decoding message: unknown type %d", b[0])
	}
	if len(b) != want {
		return m, fmt.Errorf("decoding %v: %d bytes, want %d", m.Type, len(b), want)
	}
	switch m.Type {
	case MsgBlock, MsgCmpctBlock:
		blk, err := DecodeBlock(b[1:])
		if err != nil {
			return m, fmt.Errorf("decoding %v: %w", m.Type, err)
		}
		m.Block = blk
		m.ID = hashHeader(b[1 : 1+HeaderSize])
	case MsgGetData:
		copy(m.ID[:], b[1:33])
		m.Want = Relay(b[33])
		if m.Want > RelayCompact {
			return m, fmt.Errorf("decoding getdata: unknown relay %d", b[33])
		}
	default:
		copy(m.ID[:], b[1:33])
	}
	return m, nil
}
