package pow

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Encoded sizes. All integers are little-endian, as in Bitcoin.
const (
	// HeaderSize is the encoded header: version 4, previous id 32, height
	// 8, time 8, Merkle root 32, bits 4, miner 4, nonce 8.
	HeaderSize = 4 + 32 + 8 + 8 + 32 + 4 + 4 + 8
	// CoinbaseSize is the encoded coinbase: miner 4, height 8, reward 8.
	CoinbaseSize = 4 + 8 + 8
	// FillerSize is the encoded filler declaration: count 4, bytes 8,
	// seed 8.
	FillerSize = 4 + 8 + 8
	// BlockSize is the encoded block (header, coinbase, filler declaration)
	// without the message type byte.
	BlockSize = HeaderSize + CoinbaseSize + FillerSize
)

// Version is the only header version this package produces and accepts.
const Version = 1

// NoMiner is the miner id of the genesis block.
const NoMiner = ^uint32(0)

// Header is a block header. The block id is SHA-256d of its encoding (as
// Bitcoin: SHA-256 applied twice), printed in byte order without Bitcoin's
// reversal.
type Header struct {
	Version uint32
	Prev    [32]byte
	Height  uint64
	// Time is the virtual time the block was found, in nanoseconds since
	// the start of the run.
	Time   int64
	Merkle [32]byte
	// Bits is the target in Bitcoin's compact form; see Work and Retarget.
	Bits  uint32
	Miner uint32
	// Nonce only makes ids unique: hashing is sampled, not performed (the
	// fidelity trade "pow.mining=sampled-exponential"), so the id is not
	// checked against the target.
	Nonce uint64
}

// Coinbase is the block's reward transaction.
type Coinbase struct {
	Miner  uint32
	Height uint64
	Reward uint64
}

// Filler declares the block's synthetic transactions without carrying them:
// Count transactions totalling Bytes bytes, derived from Seed. The network
// is charged for Bytes as message padding ("pow.body=declared-filler"), so
// bandwidth and propagation behave as for a full block while memory holds
// only this declaration.
type Filler struct {
	Count uint32
	Bytes uint64
	Seed  uint64
}

// Block is a decoded block.
type Block struct {
	Header   Header
	Coinbase Coinbase
	Filler   Filler
}

// Append appends the encoded header to dst.
func (h *Header) Append(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, h.Version)
	dst = append(dst, h.Prev[:]...)
	dst = binary.LittleEndian.AppendUint64(dst, h.Height)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.Time))
	dst = append(dst, h.Merkle[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, h.Bits)
	dst = binary.LittleEndian.AppendUint32(dst, h.Miner)
	return binary.LittleEndian.AppendUint64(dst, h.Nonce)
}

// ID returns the block id: SHA-256d of the encoded header.
func (h *Header) ID() [32]byte {
	var buf [HeaderSize]byte
	return hashHeader(h.Append(buf[:0]))
}

func hashHeader(enc []byte) [32]byte { return sha256d(enc) }

func sha256d(b []byte) [32]byte {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

// decodeHeader reads a header from the first HeaderSize bytes of b, which
// the caller has checked are present.
func decodeHeader(b []byte) Header {
	var h Header
	h.Version = binary.LittleEndian.Uint32(b[0:])
	copy(h.Prev[:], b[4:36])
	h.Height = binary.LittleEndian.Uint64(b[36:])
	h.Time = int64(binary.LittleEndian.Uint64(b[44:]))
	copy(h.Merkle[:], b[52:84])
	h.Bits = binary.LittleEndian.Uint32(b[84:])
	h.Miner = binary.LittleEndian.Uint32(b[88:])
	h.Nonce = binary.LittleEndian.Uint64(b[92:])
	return h
}

// Field offsets inside an encoded header, for reading single fields from
// stored block bytes without decoding the rest.
const (
	offPrev   = 4
	offHeight = 36
	offTime   = 44
	offBits   = 84
	offMiner  = 88
)

// Append appends the encoded coinbase to dst.
func (c *Coinbase) Append(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, c.Miner)
	dst = binary.LittleEndian.AppendUint64(dst, c.Height)
	return binary.LittleEndian.AppendUint64(dst, c.Reward)
}

// Append appends the encoded filler declaration to dst.
func (f *Filler) Append(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, f.Count)
	dst = binary.LittleEndian.AppendUint64(dst, f.Bytes)
	return binary.LittleEndian.AppendUint64(dst, f.Seed)
}

// Append appends the encoded block (header, coinbase, filler) to dst.
func (b *Block) Append(dst []byte) []byte {
	dst = b.Header.Append(dst)
	dst = b.Coinbase.Append(dst)
	return b.Filler.Append(dst)
}

// DecodeBlock decodes exactly BlockSize bytes.
func DecodeBlock(p []byte) (Block, error) {
	if len(p) != BlockSize {
		return Block{}, fmt.Errorf("decoding block: %d bytes, want %d", len(p), BlockSize)
	}
	var b Block
	b.Header = decodeHeader(p)
	c := p[HeaderSize:]
	b.Coinbase = Coinbase{
		Miner:  binary.LittleEndian.Uint32(c[0:]),
		Height: binary.LittleEndian.Uint64(c[4:]),
		Reward: binary.LittleEndian.Uint64(c[12:]),
	}
	f := c[CoinbaseSize:]
	b.Filler = Filler{
		Count: binary.LittleEndian.Uint32(f[0:]),
		Bytes: binary.LittleEndian.Uint64(f[4:]),
		Seed:  binary.LittleEndian.Uint64(f[12:]),
	}
	return b, nil
}

// ComputeMerkle returns the Merkle root of the block's body: the Bitcoin
// Merkle tree (SHA-256d, odd levels duplicate their last node) over two
// leaves, the coinbase's txid and a leaf committing to the filler
// declaration (SHA-256d of its encoding: count, bytes and seed).
func (b *Block) ComputeMerkle() [32]byte {
	var buf [64]byte
	l0 := sha256d(b.Coinbase.Append(buf[:0]))
	l1 := sha256d(b.Filler.Append(buf[:0]))
	copy(buf[:32], l0[:])
	copy(buf[32:], l1[:])
	return sha256d(buf[:])
}

// MerkleRoot is Bitcoin's Merkle root of leaves: pairs are concatenated and
// hashed with SHA-256d level by level, an odd level duplicating its last
// node. It returns the zero hash for no leaves and the leaf itself for one.
func MerkleRoot(leaves [][32]byte) [32]byte {
	if len(leaves) == 0 {
		return [32]byte{}
	}
	level := append([][32]byte(nil), leaves...)
	var buf [64]byte
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		for i := 0; i < len(level); i += 2 {
			copy(buf[:32], level[i][:])
			copy(buf[32:], level[i+1][:])
			level[i/2] = sha256d(buf[:])
		}
		level = level[:len(level)/2]
	}
	return level[0]
}

// WireSize is the size the network is charged for the full block: its
// encoding with the message type byte plus the declared filler bytes.
func (b *Block) WireSize() int { return 1 + BlockSize + int(b.Filler.Bytes) }

// Validation errors; their texts are the Note of EvRejected events.
var (
	errVersion    = errors.New("bad version")
	errMerkle     = errors.New("bad merkle root")
	errOversize   = errors.New("block too large")
	errFiller     = errors.New("bad filler declaration")
	errCoinbase   = errors.New("bad coinbase")
	errFuture     = errors.New("timestamp too far in the future")
	errTimeOrder  = errors.New("timestamp not after parent")
	errDifficulty = errors.New("wrong difficulty")
	errHeight     = errors.New("bad height")
	errDecode     = errors.New("undecodable")
)
