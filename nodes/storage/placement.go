package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// Candidate is a node that may hold models, with its free capacity in bytes
// as recorded on the chain.
type Candidate struct {
	ID   int32
	Free int64
}

const placeTag = "coinai/storage/place\x00"

// Score is candidate id's rendezvous weight for a model recorded in block
// blockHash: SHA-256(tag || blockHash || modelRoot || uint32le(id)). Higher
// scores (compared as big-endian numbers, i.e. bytewise) rank first.
func Score(blockHash, modelRoot [32]byte, id int32) [32]byte {
	var buf [len(placeTag) + 32 + 32 + 4]byte
	n := copy(buf[:], placeTag)
	n += copy(buf[n:], blockHash[:])
	n += copy(buf[n:], modelRoot[:])
	binary.LittleEndian.PutUint32(buf[n:], uint32(id))
	return sha256.Sum256(buf[:])
}

// Place returns up to k distinct holders for a model of size bytes, chosen
// among the candidates with at least size bytes free by rendezvous hashing
// (see the package doc), best first. Fewer than k are returned when fewer
// candidates have room. A candidate listed twice counts once, with its first
// entry's capacity. The result depends only on the arguments, not on the
// order of candidates. To place the n shares of an erasure-coded model, call
// it with k = n and give share i to the i-th holder.
func Place(blockHash, modelRoot [32]byte, candidates []Candidate, k int, size int64) []int32 {
	return Replace(blockHash, modelRoot, candidates, nil, k, size)
}

// Replace returns up to k new holders for a model, excluding the nodes in
// exclude (its current holders, including the ones that missed proofs), in
// the same ranking as Place. Called with the blockHash of the original
// placement it yields the next best candidates, so that every node computes
// the same replacement and a failed holder's successor is the one rendezvous
// hashing would have chosen had the holder never existed.
func Replace(blockHash, modelRoot [32]byte, candidates []Candidate, exclude []int32, k int, size int64) []int32 {
	if k <= 0 {
		return nil
	}
	type scored struct {
		id    int32
		score [32]byte
	}
	seen := make(map[int32]bool, len(candidates)+len(exclude))
	for _, id := range exclude {
		seen[id] = true
	}
	var ranked []scored
	for _, c := range candidates {
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if c.Free < size {
			continue
		}
		ranked = append(ranked, scored{c.ID, Score(blockHash, modelRoot, c.ID)})
	}
	// IDs are distinct here, so the order is total and the sort deterministic.
	slices.SortFunc(ranked, func(a, b scored) int {
		if c := bytes.Compare(b.score[:], a.score[:]); c != 0 {
			return c
		}
		return int(a.id) - int(b.id)
	})
	out := make([]int32, 0, min(k, len(ranked)))
	for _, s := range ranked[:min(k, len(ranked))] {
		out = append(out, s.id)
	}
	return out
}
