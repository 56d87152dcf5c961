// Package merkle commits to a byte string (a serialised model) with a binary
// Merkle tree over fixed-size chunks, so that a holder can later prove it
// still has any one chunk with a path of about log2(chunks) hashes, and a
// verifier who knows only a 32-byte commitment can check it.
//
// # Hashing
//
// Hashes are SHA-256 with one-byte domain prefixes, as in RFC 6962
// (Certificate Transparency):
//
//	leaf       = SHA-256(0x00 || chunk)
//	node       = SHA-256(0x01 || left || right)
//	commitment = SHA-256(0x02 || uint64le(size) || uint32le(chunkSize) || root)
//
// Because leaves and interior nodes are hashed under different prefixes, an
// interior node can never be presented as a leaf (the second-preimage attack
// on undomained Merkle trees).
//
// # Shape
//
// The data is cut into NumChunks(size, chunkSize) chunks of chunkSize bytes;
// the last chunk holds the remainder and may be short (it is not padded).
// Empty data is one empty chunk, so every commitment has at least one leaf.
// Levels are built by hashing pairs (0,1), (2,3), ...; when a level has an
// odd number of nodes, the last one is promoted unchanged to the next level.
// It is not paired with a copy of itself: Bitcoin's duplication rule makes
// the lists [a b c] and [a b c c] share a root (CVE-2012-2459). With
// promotion the shape is fixed by the number of chunks alone, which is why
// Verify takes nChunks and why the commitment binds the size and chunk size.
//
// # Root and commitment
//
// Root is the bare Merkle root. Commitment additionally binds the data length
// and the chunk size, so that a verifier who knows the commitment knows the
// number of chunks and the exact length of each, and two byte strings that
// differ only in trailing bytes of a short last chunk, or a tree cut with a
// different chunk size, can never share a commitment. Models on the chain are
// named by their commitment.
package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Domain prefixes of the three hash kinds.
const (
	leafPrefix   = 0x00
	nodePrefix   = 0x01
	commitPrefix = 0x02
)

// MaxDepth bounds the length of any proof path: chunk indices are below
// 2^32, so no tree is deeper than 32 levels. Decoders use it to reject
// oversized paths before allocating.
const MaxDepth = 32

// LeafHash is the hash of one chunk: SHA-256(0x00 || chunk).
func LeafHash(chunk []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(chunk)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// NodeHash is the hash of an interior node: SHA-256(0x01 || left || right).
func NodeHash(left, right [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = nodePrefix
	copy(buf[1:33], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// CommitmentOf binds a Merkle root to the length of the data and the chunk
// size it was cut with: SHA-256(0x02 || uint64le(size) || uint32le(chunkSize)
// || root).
func CommitmentOf(size int64, chunkSize int, root [32]byte) [32]byte {
	var buf [1 + 8 + 4 + 32]byte
	buf[0] = commitPrefix
	binary.LittleEndian.PutUint64(buf[1:9], uint64(size))
	binary.LittleEndian.PutUint32(buf[9:13], uint32(chunkSize))
	copy(buf[13:], root[:])
	return sha256.Sum256(buf[:])
}

// NumChunks is the number of chunks of data of the given size: ceil(size /
// chunkSize), and 1 for empty data. It returns 0 for a negative size or a
// non-positive chunk size, which no tree has.
func NumChunks(size int64, chunkSize int) int {
	if size < 0 || chunkSize <= 0 {
		return 0
	}
	if size == 0 {
		return 1
	}
	n := (size-1)/int64(chunkSize) + 1
	if n > 1<<32 {
		return 0
	}
	return int(n)
}

// ChunkLen is the length of chunk i of data of the given size: chunkSize for
// all but the last chunk, the remainder for the last. It returns -1 when i is
// out of range.
func ChunkLen(i int, size int64, chunkSize int) int {
	n := NumChunks(size, chunkSize)
	if i < 0 || i >= n {
		return -1
	}
	if i < n-1 {
		return chunkSize
	}
	return int(size - int64(n-1)*int64(chunkSize))
}

// PathLen is the number of hashes in the proof of chunk index of a tree with
// nChunks leaves: one per level at which the node has a sibling (a promoted
// node has none). It returns -1 when index is out of range.
func PathLen(index, nChunks int) int {
	if index < 0 || index >= nChunks {
		return -1
	}
	l := 0
	for n := nChunks; n > 1; n = (n + 1) / 2 {
		if !(index%2 == 0 && index == n-1) {
			l++
		}
		index /= 2
	}
	return l
}

// Tree is the Merkle tree of one byte string. It keeps a reference to the
// data (not a copy) so that a holder can serve chunks; the data must not be
// modified afterwards.
type Tree struct {
	data      []byte
	chunkSize int
	// levels[0] are the leaf hashes, levels[len-1] is the root alone.
	levels [][][32]byte
}

// New builds the tree of data cut into chunks of chunkSize bytes.
func New(data []byte, chunkSize int) (*Tree, error) {
	if chunkSize <= 0 {
		return nil, fmt.Errorf("merkle: chunk size %d is not positive", chunkSize)
	}
	n := NumChunks(int64(len(data)), chunkSize)
	if n == 0 {
		return nil, fmt.Errorf("merkle: %d bytes in chunks of %d is too many chunks", len(data), chunkSize)
	}
	leaves := make([][32]byte, n)
	for i := range leaves {
		lo := i * chunkSize
		hi := min(lo+chunkSize, len(data))
		leaves[i] = LeafHash(data[lo:hi])
	}
	t := &Tree{data: data, chunkSize: chunkSize, levels: [][][32]byte{leaves}}
	for cur := leaves; len(cur) > 1; {
		next := make([][32]byte, (len(cur)+1)/2)
		for j := range next {
			if 2*j+1 < len(cur) {
				next[j] = NodeHash(cur[2*j], cur[2*j+1])
			} else {
				next[j] = cur[2*j] // odd node out: promoted, not duplicated
			}
		}
		t.levels = append(t.levels, next)
		cur = next
	}
	return t, nil
}

// Commit builds the tree of data and returns its commitment (see
// CommitmentOf), the name under which the data is stored and challenged.
func Commit(data []byte, chunkSize int) (commitment [32]byte, t *Tree, err error) {
	t, err = New(data, chunkSize)
	if err != nil {
		return [32]byte{}, nil, err
	}
	return t.Commitment(), t, nil
}

// Root is the bare Merkle root.
func (t *Tree) Root() [32]byte { return t.levels[len(t.levels)-1][0] }

// Commitment is CommitmentOf(Size(), ChunkSize(), Root()).
func (t *Tree) Commitment() [32]byte {
	return CommitmentOf(t.Size(), t.chunkSize, t.Root())
}

// Size is the length of the committed data in bytes.
func (t *Tree) Size() int64 { return int64(len(t.data)) }

// ChunkSize is the chunk size the tree was built with.
func (t *Tree) ChunkSize() int { return t.chunkSize }

// NumChunks is the number of leaves.
func (t *Tree) NumChunks() int { return len(t.levels[0]) }

// Chunk returns chunk i of the data (a sub-slice, not a copy), or nil when i
// is out of range.
func (t *Tree) Chunk(i int) []byte {
	if i < 0 || i >= t.NumChunks() {
		return nil
	}
	lo := i * t.chunkSize
	return t.data[lo:min(lo+t.chunkSize, len(t.data))]
}

// ErrIndex reports a chunk index outside the tree.
var ErrIndex = errors.New("merkle: chunk index out of range")

// Proof returns the authentication path of chunk i: the sibling hashes from
// the leaf level upwards, skipping levels where the node is promoted.
func (t *Tree) Proof(i int) ([][32]byte, error) {
	if i < 0 || i >= t.NumChunks() {
		return nil, fmt.Errorf("proof of chunk %d of %d: %w", i, t.NumChunks(), ErrIndex)
	}
	path := make([][32]byte, 0, len(t.levels)-1)
	for _, lvl := range t.levels[:len(t.levels)-1] {
		if sib := i ^ 1; sib < len(lvl) {
			path = append(path, lvl[sib])
		}
		i /= 2
	}
	return path, nil
}

// RootFromPath recomputes the Merkle root from chunk index's leaf hash and
// its path in a tree of nChunks leaves. ok is false when the index is out of
// range or the path has the wrong length.
func RootFromPath(index, nChunks int, leaf [32]byte, path [][32]byte) (root [32]byte, ok bool) {
	if index < 0 || index >= nChunks || nChunks > 1<<32 || len(path) > MaxDepth {
		return [32]byte{}, false
	}
	h, k := leaf, 0
	for n := nChunks; n > 1; n = (n + 1) / 2 {
		if index%2 == 0 && index == n-1 {
			// Promoted: no sibling at this level.
		} else {
			if k == len(path) {
				return [32]byte{}, false
			}
			if index%2 == 0 {
				h = NodeHash(h, path[k])
			} else {
				h = NodeHash(path[k], h)
			}
			k++
		}
		index /= 2
	}
	if k != len(path) {
		return [32]byte{}, false
	}
	return h, true
}

// Verify reports whether chunk is chunk index of a tree with nChunks leaves
// and Merkle root root, given its path. It costs len(path)+1 hashes.
//
// A bare root does not bind the number of leaves: the proof of a chunk in
// the left, complete part of a tree also verifies for some larger nChunks.
// Verifiers that learn nChunks from a claim should use VerifyCommitted,
// whose commitment fixes it.
func Verify(root [32]byte, index, nChunks int, chunk []byte, path [][32]byte) bool {
	got, ok := RootFromPath(index, nChunks, LeafHash(chunk), path)
	return ok && got == root
}

// VerifyCommitted is Verify against a commitment rather than a bare root: it
// also checks that chunk has the length the committed size implies.
func VerifyCommitted(commitment [32]byte, size int64, chunkSize int, index int, chunk []byte, path [][32]byte) bool {
	n := NumChunks(size, chunkSize)
	if n == 0 || ChunkLen(index, size, chunkSize) != len(chunk) {
		return false
	}
	root, ok := RootFromPath(index, n, LeafHash(chunk), path)
	return ok && CommitmentOf(size, chunkSize, root) == commitment
}
