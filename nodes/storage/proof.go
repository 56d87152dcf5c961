package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/coinai/coinai/nodes/storage/merkle"
)

// Model is what a verifier knows of a stored model from the chain: its
// commitment and the size and chunk size the commitment binds.
type Model struct {
	Root      [32]byte // merkle.CommitmentOf(Size, ChunkSize, Merkle root)
	Size      int64
	ChunkSize int
}

// NumChunks is the number of chunks of the model (0 if the shape is invalid).
func (m Model) NumChunks() int { return merkle.NumChunks(m.Size, m.ChunkSize) }

// ModelOf describes the model committed by tree t.
func ModelOf(t *merkle.Tree) Model {
	return Model{Root: t.Commitment(), Size: t.Size(), ChunkSize: t.ChunkSize()}
}

// Proof is a holder's answer to a challenge: the challenged chunks of one
// model with their Merkle paths. Indices, Chunks and Paths are parallel.
type Proof struct {
	ModelRoot [32]byte // the model's commitment
	Holder    int32    // the node answering; it signs SigningBytes
	Seed      [32]byte // the challenge seed (hash of the block at SeedHeight)
	Indices   []int
	Chunks    [][]byte
	Paths     [][][32]byte
}

// Wire-format limits. They bound what a decoder allocates: a proof is a few
// chunks, not a model.
const (
	// ProofVersion is the first byte of every encoded proof.
	ProofVersion = 1
	// MaxProofChunks caps the number of chunks in one proof.
	MaxProofChunks = 1024
	// MaxChunkSize caps the length of one chunk in a proof.
	MaxChunkSize = 1 << 20
)

const (
	proofHeaderLen = 1 + 32 + 4 + 32 + 2 // version, root, holder, seed, count
	entryMinLen    = 4 + 4 + 1           // index, chunk length, path length
	signingTag     = "coinai/storage/proof\x00"
)

func (p *Proof) check() error {
	n := len(p.Indices)
	if len(p.Chunks) != n || len(p.Paths) != n {
		return fmt.Errorf("storage: proof has %d indices, %d chunks, %d paths", n, len(p.Chunks), len(p.Paths))
	}
	if n > MaxProofChunks {
		return fmt.Errorf("storage: proof has %d chunks, limit %d", n, MaxProofChunks)
	}
	for i := range n {
		if p.Indices[i] < 0 || p.Indices[i] > math.MaxInt32 {
			return fmt.Errorf("storage: proof index %d out of range", p.Indices[i])
		}
		if len(p.Chunks[i]) > MaxChunkSize {
			return fmt.Errorf("storage: proof chunk %d has %d bytes, limit %d", i, len(p.Chunks[i]), MaxChunkSize)
		}
		if len(p.Paths[i]) > merkle.MaxDepth {
			return fmt.Errorf("storage: proof path %d has %d hashes, limit %d", i, len(p.Paths[i]), merkle.MaxDepth)
		}
	}
	return nil
}

// EncodedLen is the length of MarshalBinary's output.
func (p *Proof) EncodedLen() int {
	l := proofHeaderLen
	for i := range p.Indices {
		l += entryMinLen + len(p.Chunks[i]) + 32*len(p.Paths[i])
	}
	return l
}

// MarshalBinary encodes the proof (version 1, little-endian):
//
//	u8 version=1 | [32] model root | i32 holder | [32] seed | u16 count |
//	count x ( u32 index | u32 chunk length | chunk | u8 path length | path length x [32] )
//
// The encoding is canonical: UnmarshalProof accepts exactly one encoding of
// each proof, so a signature over it signs the proof itself.
func (p *Proof) MarshalBinary() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("encoding proof: %w", err)
	}
	b := make([]byte, 0, p.EncodedLen())
	b = append(b, ProofVersion)
	b = append(b, p.ModelRoot[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(p.Holder))
	b = append(b, p.Seed[:]...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(p.Indices)))
	for i, idx := range p.Indices {
		b = binary.LittleEndian.AppendUint32(b, uint32(idx))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Chunks[i])))
		b = append(b, p.Chunks[i]...)
		b = append(b, byte(len(p.Paths[i])))
		for _, h := range p.Paths[i] {
			b = append(b, h[:]...)
		}
	}
	return b, nil
}

// SigningBytes is what the holder signs (with ed25519) and verifiers check
// the signature against: a domain tag followed by the encoding, so that a
// signature over a proof can never be replayed as one over another message
// kind.
func (p *Proof) SigningBytes() ([]byte, error) {
	enc, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append([]byte(signingTag), enc...), nil
}

// ErrMalformed reports an encoded proof that does not parse.
var ErrMalformed = errors.New("malformed proof")

// UnmarshalProof decodes an encoded proof from untrusted bytes. It checks
// every count and length against the limits and against the bytes left
// before allocating, so it never allocates much more than len(b), and it
// rejects trailing bytes. The result does not alias b.
func UnmarshalProof(b []byte) (*Proof, error) {
	var p Proof
	if err := p.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return &p, nil
}

// UnmarshalBinary is UnmarshalProof into p.
func (p *Proof) UnmarshalBinary(b []byte) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("decoding proof: %w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	if len(b) < proofHeaderLen {
		return fail("%d bytes, header needs %d", len(b), proofHeaderLen)
	}
	if b[0] != ProofVersion {
		return fail("version %d, want %d", b[0], ProofVersion)
	}
	var q Proof
	copy(q.ModelRoot[:], b[1:33])
	q.Holder = int32(binary.LittleEndian.Uint32(b[33:37]))
	copy(q.Seed[:], b[37:69])
	count := int(binary.LittleEndian.Uint16(b[69:71]))
	b = b[proofHeaderLen:]
	if count > MaxProofChunks {
		return fail("%d chunks, limit %d", count, MaxProofChunks)
	}
	if count*entryMinLen > len(b) {
		return fail("%d chunks need at least %d bytes, have %d", count, count*entryMinLen, len(b))
	}
	q.Indices = make([]int, count)
	q.Chunks = make([][]byte, count)
	q.Paths = make([][][32]byte, count)
	for i := range count {
		if len(b) < 8 {
			return fail("entry %d truncated", i)
		}
		idx := binary.LittleEndian.Uint32(b)
		clen := binary.LittleEndian.Uint32(b[4:])
		b = b[8:]
		if idx > math.MaxInt32 {
			return fail("entry %d: index %d out of range", i, idx)
		}
		if clen > MaxChunkSize {
			return fail("entry %d: chunk of %d bytes, limit %d", i, clen, MaxChunkSize)
		}
		if int(clen)+1 > len(b) {
			return fail("entry %d: chunk of %d bytes truncated", i, clen)
		}
		q.Indices[i] = int(idx)
		q.Chunks[i] = append(make([]byte, 0, clen), b[:clen]...)
		plen := int(b[clen])
		b = b[clen+1:]
		if plen > merkle.MaxDepth {
			return fail("entry %d: path of %d hashes, limit %d", i, plen, merkle.MaxDepth)
		}
		if 32*plen > len(b) {
			return fail("entry %d: path of %d hashes truncated", i, plen)
		}
		path := make([][32]byte, plen)
		for k := range path {
			copy(path[k][:], b[32*k:])
		}
		q.Paths[i] = path
		b = b[32*plen:]
	}
	if len(b) != 0 {
		return fail("%d trailing bytes", len(b))
	}
	*p = q
	return nil
}

// Errors of VerifyProof, wrapped with details.
var (
	ErrWrongModel   = errors.New("proof is for another model")
	ErrWrongIndices = errors.New("proof answers other chunks than challenged")
	ErrBadChunk     = errors.New("proof chunk does not match the commitment")
)

// VerifyProof checks that p proves the chunks expected (the output of
// Challenge) of model m: the right model, exactly the expected indices in
// order, each chunk of the committed length and on a Merkle path to one
// root, and that root committed by m.Root. It costs one hash per chunk and
// path element plus one, and does not check the holder, the seed or the
// signature (see VerifyChallenge).
func VerifyProof(p *Proof, m Model, expected []int) error {
	if p == nil {
		return fmt.Errorf("verifying proof: %w: nil", ErrMalformed)
	}
	if p.ModelRoot != m.Root {
		return fmt.Errorf("verifying proof: %w: %x", ErrWrongModel, p.ModelRoot[:8])
	}
	n := m.NumChunks()
	if n == 0 {
		return fmt.Errorf("verifying proof: invalid model shape (size %d, chunk size %d)", m.Size, m.ChunkSize)
	}
	if len(p.Indices) != len(expected) {
		return fmt.Errorf("verifying proof: %w: %d indices, want %d", ErrWrongIndices, len(p.Indices), len(expected))
	}
	if len(p.Chunks) != len(expected) || len(p.Paths) != len(expected) {
		return fmt.Errorf("verifying proof: %w: %d chunks and %d paths for %d indices", ErrMalformed, len(p.Chunks), len(p.Paths), len(expected))
	}
	var root [32]byte
	for i, idx := range p.Indices {
		if idx != expected[i] {
			return fmt.Errorf("verifying proof: %w: index %d is %d, want %d", ErrWrongIndices, i, idx, expected[i])
		}
		if want := merkle.ChunkLen(idx, m.Size, m.ChunkSize); len(p.Chunks[i]) != want {
			return fmt.Errorf("verifying proof: %w: chunk %d has %d bytes, want %d", ErrBadChunk, idx, len(p.Chunks[i]), want)
		}
		r, ok := merkle.RootFromPath(idx, n, merkle.LeafHash(p.Chunks[i]), p.Paths[i])
		if !ok || (i > 0 && r != root) {
			return fmt.Errorf("verifying proof: %w: chunk %d", ErrBadChunk, idx)
		}
		root = r
	}
	if len(expected) > 0 && merkle.CommitmentOf(m.Size, m.ChunkSize, root) != m.Root {
		return fmt.Errorf("verifying proof: %w: root %x not committed", ErrBadChunk, root[:8])
	}
	return nil
}

// ErrWrongChallenge reports a proof for another holder or seed.
var ErrWrongChallenge = errors.New("proof answers another challenge")

// VerifyChallenge checks p as the answer of holder to the challenge of count
// chunks of model m under seed: VerifyProof with the indices Challenge
// derives, after checking that p names that holder and seed. The caller
// checks the holder's signature over p.SigningBytes.
func VerifyChallenge(p *Proof, m Model, seed [32]byte, holder int32, count int) error {
	if p == nil {
		return fmt.Errorf("verifying proof: %w: nil", ErrMalformed)
	}
	if p.Holder != holder || p.Seed != seed {
		return fmt.Errorf("verifying proof: %w: holder %d seed %x, want holder %d seed %x",
			ErrWrongChallenge, p.Holder, p.Seed[:8], holder, seed[:8])
	}
	return VerifyProof(p, m, Challenge(seed, m.Root, holder, m.NumChunks(), count))
}

// Prove answers the challenge of count chunks for holder under seed from the
// model's tree. The chunks alias the tree's data.
func Prove(t *merkle.Tree, holder int32, seed [32]byte, count int) (*Proof, error) {
	return ProveIndices(t, holder, seed, Challenge(seed, t.Commitment(), holder, t.NumChunks(), count))
}

// ProveIndices builds a proof of the given chunk indices from the model's
// tree. The chunks alias the tree's data.
func ProveIndices(t *merkle.Tree, holder int32, seed [32]byte, indices []int) (*Proof, error) {
	p := &Proof{
		ModelRoot: t.Commitment(),
		Holder:    holder,
		Seed:      seed,
		Indices:   append([]int(nil), indices...),
		Chunks:    make([][]byte, len(indices)),
		Paths:     make([][][32]byte, len(indices)),
	}
	for i, idx := range indices {
		path, err := t.Proof(idx)
		if err != nil {
			return nil, fmt.Errorf("proving chunk %d: %w", idx, err)
		}
		p.Chunks[i] = t.Chunk(idx)
		p.Paths[i] = path
	}
	return p, nil
}
