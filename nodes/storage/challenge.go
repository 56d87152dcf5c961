package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

const challengeTag = "coinai/storage/challenge\x00"

// SeedHeight is the height of the main-chain block whose hash seeds the
// challenges issued at height tip: lag blocks back, and never below 0. A lag
// of a few blocks (the scenario's choice) puts the seed beyond the reach of a
// short reorganisation, so a holder cannot re-mine or withhold blocks to get
// a challenge it can answer, and all honest nodes agree on the seed; see the
// package doc.
func SeedHeight(tip, lag int64) int64 {
	return max(0, tip-max(0, lag))
}

// hashStream yields uniform 64-bit words from SHA-256(tag || seed || root ||
// uint32le(holder) || uint64le(j)) for j = 0, 1, ..., four words per hash.
type hashStream struct {
	buf   [len(challengeTag) + 32 + 32 + 4 + 8]byte
	ctr   uint64
	block [32]byte
	used  int
}

func newHashStream(seed, root [32]byte, holder int32) *hashStream {
	s := &hashStream{used: 4}
	n := copy(s.buf[:], challengeTag)
	n += copy(s.buf[n:], seed[:])
	n += copy(s.buf[n:], root[:])
	binary.LittleEndian.PutUint32(s.buf[n:], uint32(holder))
	return s
}

func (s *hashStream) next() uint64 {
	if s.used == 4 {
		binary.LittleEndian.PutUint64(s.buf[len(s.buf)-8:], s.ctr)
		s.ctr++
		s.block = sha256.Sum256(s.buf[:])
		s.used = 0
	}
	w := binary.LittleEndian.Uint64(s.block[8*s.used:])
	s.used++
	return w
}

// uniform returns a uniform integer in [0, bound) for bound > 0, by
// rejecting the 2^64 mod bound lowest words that would bias x mod bound.
func (s *hashStream) uniform(bound uint64) uint64 {
	threshold := -bound % bound // (2^64 - bound) mod bound = 2^64 mod bound
	for {
		if x := s.next(); x >= threshold {
			return x % bound
		}
	}
}

// Challenge returns the chunk indices that holder must prove for the model
// modelRoot with nChunks chunks, given the seed (the hash of the block at
// SeedHeight). The count indices are distinct (drawn without replacement;
// count is capped at nChunks, so a large count challenges every chunk) and
// returned in increasing order. It is a pure function of its arguments: the
// holder computes it to answer, every verifier to check.
func Challenge(seed, modelRoot [32]byte, holder int32, nChunks, count int) []int {
	if nChunks <= 0 || count <= 0 {
		return nil
	}
	count = min(count, nChunks)
	s := newHashStream(seed, modelRoot, holder)
	// Partial Fisher–Yates over the virtual array 0..nChunks-1; swapped
	// holds only the positions that moved, so the cost is O(count).
	swapped := make(map[int]int, count)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, count)
	for j := range out {
		r := j + int(s.uniform(uint64(nChunks-j)))
		out[j] = at(r)
		swapped[r] = at(j)
	}
	slices.Sort(out)
	return out
}
