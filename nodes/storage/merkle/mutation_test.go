package merkle

import (
	"bytes"
	"testing"
)

// This file pins boundaries of the Merkle rules found by mutation testing
// (see docs/testing.md).

// TestChunkLimitsAreInclusive: exactly 2^32 chunks is a valid shape (and a
// path of MaxDepth = 32 hashes proves its chunk 0); 2^32+1 chunks, or a
// 33-hash path, is not.
func TestChunkLimitsAreInclusive(t *testing.T) {
	if got := NumChunks(1<<32, 1); got != 1<<32 {
		t.Errorf("NumChunks(2^32, 1) = %d, want 2^32", got)
	}
	if got := NumChunks(1<<32+1, 1); got != 0 {
		t.Errorf("NumChunks(2^32+1, 1) = %d, want 0", got)
	}
	leaf := LeafHash([]byte("chunk 0"))
	path := make([][32]byte, MaxDepth)
	want := leaf
	for k := range path {
		path[k] = LeafHash([]byte{byte(k)})
		want = NodeHash(want, path[k]) // chunk 0 is a left child at every level
	}
	if got, ok := RootFromPath(0, 1<<32, leaf, path); !ok || got != want {
		t.Errorf("RootFromPath(0, 2^32, 32 hashes) = %x, %v; want %x, true", got[:4], ok, want[:4])
	}
	if _, ok := RootFromPath(0, 1<<32+1, leaf, append(path, path[0])); ok {
		t.Error("RootFromPath accepted 2^32+1 chunks")
	}
	if _, ok := RootFromPath(0, 1<<32, leaf, append(path, path[0])); ok {
		t.Error("RootFromPath accepted a 33-hash path")
	}
}

// TestIndexOneBeyondTheLast: chunk index nChunks does not exist, however
// well its path would hash.
func TestIndexOneBeyondTheLast(t *testing.T) {
	leaf, sib := LeafHash([]byte("a")), LeafHash([]byte("b"))
	// In a 2-chunk tree, index 2 would consume exactly one sibling.
	if _, ok := RootFromPath(2, 2, leaf, [][32]byte{sib}); ok {
		t.Error("RootFromPath accepted index 2 of 2 chunks")
	}
	if _, ok := RootFromPath(-1, 2, leaf, [][32]byte{sib}); ok {
		t.Error("RootFromPath accepted index -1")
	}
	if r, ok := RootFromPath(0, 2, leaf, [][32]byte{sib}); !ok || r != NodeHash(leaf, sib) {
		t.Error("RootFromPath rejected index 0 of 2 chunks")
	}
	// 10 bytes in chunks of 4: lengths 4, 4, 2, and no chunk 3.
	for i, want := range []int{-1, 4, 4, 2, -1} {
		if got := ChunkLen(i-1, 10, 4); got != want {
			t.Errorf("ChunkLen(%d, 10, 4) = %d, want %d", i-1, got, want)
		}
	}
	data := []byte("abcdefgh") // two full chunks of 4
	tr, err := New(data, 4)
	if err != nil {
		t.Fatal(err)
	}
	if c := tr.Chunk(1); !bytes.Equal(c, []byte("efgh")) {
		t.Errorf("Chunk(1) = %q", c)
	}
	if c := tr.Chunk(2); c != nil {
		t.Errorf("Chunk(2) of 2 = %q, want nil", c)
	}
	if c := tr.Chunk(-1); c != nil {
		t.Errorf("Chunk(-1) = %q, want nil", c)
	}
	if _, err := tr.Proof(2); err == nil {
		t.Error("Proof(2) of 2 chunks succeeded")
	}
}
