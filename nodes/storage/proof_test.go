package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/coinai/coinai/nodes/storage/merkle"
)

func modelBytes(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range b {
		x ^= x << 7
		x ^= x >> 9
		b[i] = byte(x)
	}
	return b
}

func TestProofEncodingLayout(t *testing.T) {
	p := &Proof{
		ModelRoot: [32]byte{1},
		Holder:    -2,
		Seed:      [32]byte{31: 9},
		Indices:   []int{5, 258},
		Chunks:    [][]byte{[]byte("ab"), {}},
		Paths:     [][][32]byte{{{0xaa}}, nil},
	}
	var want []byte
	want = append(want, 1) // version
	want = append(want, append([]byte{1}, make([]byte, 31)...)...)
	want = append(want, 0xfe, 0xff, 0xff, 0xff)         // holder -2
	want = append(want, append(make([]byte, 31), 9)...) // seed
	want = append(want, 2, 0)                           // count
	want = append(want, 5, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 1)
	want = append(want, append([]byte{0xaa}, make([]byte, 31)...)...)
	want = append(want, 2, 1, 0, 0, 0, 0, 0, 0, 0) // index 258, empty chunk, no path
	got, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	if p.EncodedLen() != len(want) {
		t.Errorf("EncodedLen = %d, want %d", p.EncodedLen(), len(want))
	}
	q, err := UnmarshalProof(got)
	if err != nil {
		t.Fatal(err)
	}
	if q.Holder != -2 || q.Indices[1] != 258 || string(q.Chunks[0]) != "ab" || q.Paths[0][0][0] != 0xaa || len(q.Paths[1]) != 0 {
		t.Errorf("decoded %+v", q)
	}
	sb, _ := p.SigningBytes()
	if !bytes.HasPrefix(sb, []byte("coinai/storage/proof\x00")) || !bytes.Equal(sb[len("coinai/storage/proof\x00"):], want) {
		t.Errorf("SigningBytes = %x", sb)
	}
}

func TestProveVerifyRoundTrip(t *testing.T) {
	for _, size := range []int{0, 1, 100, 4096, 5000, 100_003} {
		data := modelBytes(size)
		_, tree, err := merkle.Commit(data, 256)
		if err != nil {
			t.Fatal(err)
		}
		m := ModelOf(tree)
		for holder := int32(0); holder < 3; holder++ {
			seed := [32]byte{byte(size), byte(holder)}
			p, err := Prove(tree, holder, seed, 4)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			q, err := UnmarshalProof(enc)
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			if !reflect.DeepEqual(q.Indices, p.Indices) || !reflect.DeepEqual(q.Paths, p.Paths) || q.ModelRoot != p.ModelRoot {
				t.Fatalf("size %d: round trip differs", size)
			}
			if err := VerifyChallenge(q, m, seed, holder, 4); err != nil {
				t.Errorf("size %d holder %d: %v", size, holder, err)
			}
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	data := modelBytes(10*256 + 17) // 11 chunks, short last
	_, tree, _ := merkle.Commit(data, 256)
	m := ModelOf(tree)
	seed := [32]byte{7}
	const holder, count = 3, 4
	good, _ := Prove(tree, holder, seed, count)
	expected := Challenge(seed, m.Root, holder, m.NumChunks(), count)
	if err := VerifyProof(good, m, expected); err != nil {
		t.Fatal(err)
	}
	otherIdx := 0
	for slicesContains(expected, otherIdx) {
		otherIdx++
	}
	_, otherTree, _ := merkle.Commit(modelBytes(10*256+18), 256)

	clone := func() *Proof {
		enc, _ := good.MarshalBinary()
		p, _ := UnmarshalProof(enc)
		return p
	}
	tests := []struct {
		name   string
		mutate func(p *Proof) (*Proof, Model)
		want   error
	}{
		{"model root", func(p *Proof) (*Proof, Model) { p.ModelRoot[0] ^= 1; return p, m }, ErrWrongModel},
		{"verifier's model differs", func(p *Proof) (*Proof, Model) { return p, ModelOf(otherTree) }, ErrWrongModel},
		{"size claims one more byte", func(p *Proof) (*Proof, Model) { m2 := m; m2.Size++; return p, m2 }, nil},
		{"chunk bit", func(p *Proof) (*Proof, Model) { p.Chunks[1][0] ^= 1; return p, m }, ErrBadChunk},
		{"chunk short", func(p *Proof) (*Proof, Model) { p.Chunks[0] = p.Chunks[0][:10]; return p, m }, ErrBadChunk},
		{"path element", func(p *Proof) (*Proof, Model) { p.Paths[2][0][5] ^= 1; return p, m }, ErrBadChunk},
		{"path dropped", func(p *Proof) (*Proof, Model) { p.Paths[2] = p.Paths[2][1:]; return p, m }, ErrBadChunk},
		{"index swapped for another chunk", func(p *Proof) (*Proof, Model) {
			path, _ := tree.Proof(otherIdx)
			p.Indices[0], p.Chunks[0], p.Paths[0] = otherIdx, tree.Chunk(otherIdx), path
			return p, m
		}, ErrWrongIndices},
		{"one chunk missing", func(p *Proof) (*Proof, Model) {
			p.Indices, p.Chunks, p.Paths = p.Indices[1:], p.Chunks[1:], p.Paths[1:]
			return p, m
		}, ErrWrongIndices},
		{"chunks and indices differ in count", func(p *Proof) (*Proof, Model) { p.Chunks = p.Chunks[1:]; return p, m }, ErrMalformed},
		{"chunk from another model", func(p *Proof) (*Proof, Model) {
			idx := p.Indices[0]
			path, _ := otherTree.Proof(idx)
			p.Chunks[0], p.Paths[0] = otherTree.Chunk(idx), path
			return p, m
		}, ErrBadChunk},
		{"nil", func(p *Proof) (*Proof, Model) { return nil, m }, ErrMalformed},
	}
	for _, tc := range tests {
		p, mm := tc.mutate(clone())
		err := VerifyProof(p, mm, expected)
		if err == nil {
			t.Errorf("%s: verified", tc.name)
		} else if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
	// Holder and seed are checked by VerifyChallenge.
	if err := VerifyChallenge(good, m, seed, holder+1, count); !errors.Is(err, ErrWrongChallenge) {
		t.Errorf("other holder: %v", err)
	}
	if err := VerifyChallenge(good, m, [32]byte{8}, holder, count); !errors.Is(err, ErrWrongChallenge) {
		t.Errorf("other seed: %v", err)
	}
	// A proof relabelled with another holder's id answers the wrong chunks.
	p := clone()
	p.Holder = holder + 1
	if err := VerifyChallenge(p, m, seed, holder+1, count); !errors.Is(err, ErrWrongIndices) {
		t.Errorf("relabelled proof: %v", err)
	}
}

func slicesContains(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestLazyHolderCannotProve(t *testing.T) {
	// A holder that lost the bytes of chunk 2 but kept every hash of the
	// tree (the cheapest lazy strategy: hashes are 1/8 of the data here)
	// fails exactly the challenges that include chunk 2.
	data := modelBytes(8 * 64)
	_, tree, _ := merkle.Commit(data, 64)
	m := ModelOf(tree)
	lazy := bytes.Clone(data)
	clear(lazy[2*64 : 3*64])
	hits := 0
	for s := 0; s < 200; s++ {
		seed := [32]byte{byte(s), 'z'}
		idx := Challenge(seed, m.Root, 1, m.NumChunks(), 2)
		p, _ := ProveIndices(tree, 1, seed, idx)
		for i, x := range idx {
			p.Chunks[i] = lazy[64*x : 64*(x+1)]
		}
		err := VerifyChallenge(p, m, seed, 1, 2)
		if slicesContains(idx, 2) {
			hits++
			if !errors.Is(err, ErrBadChunk) {
				t.Fatalf("seed %d: challenge %v includes the lost chunk, err %v", s, idx, err)
			}
		} else if err != nil {
			t.Fatalf("seed %d: challenge %v avoids the lost chunk, err %v", s, idx, err)
		}
	}
	// P(chunk 2 among 2 of 8) = 1 - SurvivalProbability(8, 7, 2) = 1/4:
	// ~50 of 200, sd ~6.1.
	if hits < 25 || hits > 75 {
		t.Errorf("chunk 2 challenged %d times of 200, want ~50", hits)
	}
}

func TestMarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		p    Proof
	}{
		{"length mismatch", Proof{Indices: []int{1}, Chunks: nil, Paths: [][][32]byte{nil}}},
		{"too many", Proof{Indices: make([]int, MaxProofChunks+1), Chunks: make([][]byte, MaxProofChunks+1), Paths: make([][][32]byte, MaxProofChunks+1)}},
		{"negative index", Proof{Indices: []int{-1}, Chunks: [][]byte{nil}, Paths: [][][32]byte{nil}}},
		{"huge chunk", Proof{Indices: []int{0}, Chunks: [][]byte{make([]byte, MaxChunkSize+1)}, Paths: [][][32]byte{nil}}},
		{"deep path", Proof{Indices: []int{0}, Chunks: [][]byte{nil}, Paths: [][][32]byte{make([][32]byte, merkle.MaxDepth+1)}}},
	}
	for _, tc := range tests {
		if _, err := tc.p.MarshalBinary(); err == nil {
			t.Errorf("%s: encoded", tc.name)
		}
		if _, err := tc.p.SigningBytes(); err == nil {
			t.Errorf("%s: signing bytes", tc.name)
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	data := modelBytes(1000)
	_, tree, _ := merkle.Commit(data, 100)
	p, _ := Prove(tree, 1, [32]byte{1}, 2)
	good, _ := p.MarshalBinary()
	patch := func(off int, b ...byte) []byte {
		c := bytes.Clone(good)
		copy(c[off:], b)
		return c
	}
	const entry0 = proofHeaderLen
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"header short", good[:proofHeaderLen-1]},
		{"version 0", patch(0, 0)},
		{"version 2", patch(0, 2)},
		{"count over limit", patch(69, 0x01, 0x04)}, // 1025
		{"count beyond input", patch(69, 0xff, 0x00)},
		{"no entries", good[:proofHeaderLen]},
		{"entry truncated", good[:entry0+5]},
		{"index over MaxInt32", patch(entry0, u32(1<<31)...)},
		{"chunk over limit", patch(entry0+4, u32(MaxChunkSize+1)...)},
		{"chunk beyond input", patch(entry0+4, u32(1<<20)...)},
		{"path over limit", patch(entry0+8+100, merkle.MaxDepth+1)},
		{"path beyond input", patch(entry0+8+100, 30)},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"truncated by one", good[:len(good)-1]},
	}
	for _, tc := range tests {
		if _, err := UnmarshalProof(tc.b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", tc.name, err)
		}
	}
	if _, err := UnmarshalProof(good); err != nil {
		t.Fatalf("good proof: %v", err)
	}
}

func FuzzUnmarshalProof(f *testing.F) {
	_, tree, _ := merkle.Commit(modelBytes(1000), 100)
	m := ModelOf(tree)
	for _, count := range []int{0, 1, 3} {
		p, _ := Prove(tree, 4, [32]byte{2}, count)
		enc, _ := p.MarshalBinary()
		f.Add(enc)
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(append([]byte{1}, make([]byte, 70)...))
	f.Add(append(append([]byte{1}, make([]byte, 68)...), 0xff, 0xff))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := UnmarshalProof(b)
		if err != nil {
			if p != nil {
				t.Fatal("non-nil proof with error")
			}
			return
		}
		// Canonical: the only encoding of p is b.
		enc, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded proof does not encode: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, enc)
		}
		// Verifying arbitrary proofs must not panic; a forged proof of this
		// model must not pass unless it carries the model's real chunks.
		if err := VerifyProof(p, m, p.Indices); err == nil {
			for i, idx := range p.Indices {
				if !bytes.Equal(p.Chunks[i], tree.Chunk(idx)) {
					t.Fatalf("forged chunk %d verifies", idx)
				}
			}
		}
	})
}
