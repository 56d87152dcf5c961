package coinai

import (
	"encoding/binary"
	"fmt"

	"github.com/coinai/coinai/nodes/ledger"
)

// MsgType is the first byte of every wire message.
type MsgType uint8

// The gossip follows the proof-of-work baseline (and Bitcoin): a node that
// accepts a block announces its id (Inv); a peer lacking it asks (GetData)
// and receives the whole block with its model (Block). Transactions are
// flooded as they are (Tx).
const (
	MsgInv     MsgType = iota + 1 // block id
	MsgGetData                    // block id
	MsgBlock                      // header, model, transactions
	MsgTx                         // one transaction
)

func (t MsgType) String() string {
	switch t {
	case MsgInv:
		return "inv"
	case MsgGetData:
		return "getdata"
	case MsgBlock:
		return "block"
	case MsgTx:
		return "tx"
	case MsgGetChunks:
		return "getchunks"
	case MsgChunks:
		return "chunks"
	}
	return fmt.Sprintf("MsgType(%d)", uint8(t))
}

// Limits of what a decoder accepts, so that hostile bytes cannot make a
// node reserve more memory than they occupy.
const (
	// MaxModelSize bounds a block's serialised model (64 MiB; the largest
	// network the default Fashion-MNIST ranges produce is about 5 MB).
	MaxModelSize = 64 << 20
	// MaxBlockTxs bounds a block's transaction count.
	MaxBlockTxs = 4096
)

const idMsgSize = 1 + 32

// Block is a decoded block: its header, the serialised model (a sub-slice
// of the message it was decoded from, not a copy) and its transactions.
type Block struct {
	Header Header
	Model  []byte
	Txs    []ledger.Tx
	// Spot is the spot-check proof (spotcheck.go) of a block sent as
	// MsgSpotBlock; nil for a MsgBlock.
	Spot *SpotProof
}

// Message is a decoded wire message.
type Message struct {
	Type MsgType
	// ID is carried by Inv and GetData and computed from the header for
	// Block.
	ID    [32]byte
	Block Block     // MsgBlock
	Tx    ledger.Tx // MsgTx
}

// AppendBlock appends a Block message: the type byte, the header, the
// model's length as u32 and its bytes, then the transaction list
// (ledger.AppendTxList).
func AppendBlock(dst []byte, b *Block) []byte {
	if b.Spot != nil {
		// A MsgSpotBlock: the proof, then the MsgBlock body.
		dst = append(dst, byte(MsgSpotBlock))
		dst = appendSpotProof(dst, b.Spot)
	} else {
		dst = append(dst, byte(MsgBlock))
	}
	dst = b.Header.Append(dst)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(b.Model)))
	dst = append(dst, b.Model...)
	return ledger.AppendTxList(dst, b.Txs)
}

// AppendID appends an Inv or GetData message.
func AppendID(dst []byte, t MsgType, id [32]byte) []byte {
	dst = append(dst, byte(t))
	return append(dst, id[:]...)
}

// AppendTx appends a Tx message.
func AppendTx(dst []byte, tx ledger.Tx) []byte {
	dst = append(dst, byte(MsgTx))
	return tx.AppendEncode(dst)
}

// DecodeMessage decodes one message. It never panics, and it allocates
// nothing in proportion to lengths the input declares but does not hold:
// the model is a sub-slice of b and the transaction list's count is checked
// against its bytes before anything is reserved. Trailing bytes are an
// error, so every message has one encoding.
func DecodeMessage(b []byte) (Message, error) {
	var m Message
	if len(b) == 0 {
		return m, fmt.Errorf("decoding message: empty")
	}
	m.Type = MsgType(b[0])
	switch m.Type {
	case MsgInv, MsgGetData:
		if len(b) != idMsgSize {
			return m, fmt.Errorf("decoding %v: %d bytes, want %d", m.Type, len(b), idMsgSize)
		}
		copy(m.ID[:], b[1:])
		return m, nil
	case MsgTx:
		tx, err := ledger.DecodeTx(b[1:])
		if err != nil {
			return m, fmt.Errorf("decoding tx message: %w", err)
		}
		m.Tx = tx
		return m, nil
	case MsgBlock:
		blk, err := decodeBlock(b[1:])
		if err != nil {
			return m, fmt.Errorf("decoding block message: %w", err)
		}
		m.Block = blk
		m.ID = blk.Header.ID()
		return m, nil
	case MsgSpotBlock:
		p, rest, err := decodeSpotProof(b[1:])
		if err != nil {
			return m, fmt.Errorf("decoding spot block message: %w", err)
		}
		blk, err := decodeBlock(rest)
		if err != nil {
			return m, fmt.Errorf("decoding spot block message: %w", err)
		}
		blk.Spot = p
		m.Type, m.Block, m.ID = MsgBlock, blk, blk.Header.ID()
		return m, nil
	}
	return m, fmt.Errorf("decoding message: unknown type %d", b[0])
}

func decodeBlock(b []byte) (Block, error) {
	var blk Block
	if len(b) < HeaderSize+4 {
		return blk, fmt.Errorf("%d bytes, need at least %d", len(b), HeaderSize+4)
	}
	h, err := DecodeHeader(b[:HeaderSize])
	if err != nil {
		return blk, err
	}
	blk.Header = h
	b = b[HeaderSize:]
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if n > MaxModelSize || uint64(n) > uint64(len(b)) {
		return blk, fmt.Errorf("model of %d bytes with %d left (max %d)", n, len(b), MaxModelSize)
	}
	blk.Model = b[:n:n]
	txs, err := ledger.DecodeTxList(b[n:], MaxBlockTxs)
	if err != nil {
		return blk, fmt.Errorf("body: %w", err)
	}
	blk.Txs = txs
	return blk, nil
}
