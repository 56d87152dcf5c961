package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes/storage/merkle"
)

// This file pins the boundaries of the proof-of-storage rules found by
// mutation testing (see docs/testing.md).

// refChallenge is Challenge written from its documentation, with big-integer
// arithmetic for the rejection threshold: words are the four little-endian
// uint64s of each SHA-256(tag || seed || root || u32le(holder) || u64le(j)),
// j = 0, 1, ...; a uniform draw below b rejects words under 2^64 mod b and
// returns x mod b; a partial Fisher-Yates picks count positions of
// 0..nChunks-1. It also reports how many words it rejected.
func refChallenge(seed, root [32]byte, holder int32, nChunks, count int) ([]int, int) {
	var words []uint64
	var ctr uint64
	next := func() uint64 {
		if len(words) == 0 {
			msg := append([]byte("coinai/storage/challenge\x00"), seed[:]...)
			msg = append(msg, root[:]...)
			msg = binary.LittleEndian.AppendUint32(msg, uint32(holder))
			msg = binary.LittleEndian.AppendUint64(msg, ctr)
			ctr++
			h := sha256.Sum256(msg)
			for k := range 4 {
				words = append(words, binary.LittleEndian.Uint64(h[8*k:]))
			}
		}
		w := words[0]
		words = words[1:]
		return w
	}
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	rejected := 0
	uniform := func(b uint64) uint64 {
		thresh := new(big.Int).Mod(two64, new(big.Int).SetUint64(b)).Uint64()
		for {
			x := next()
			if x >= thresh {
				return x % b
			}
			rejected++
		}
	}
	perm := map[int]int{}
	at := func(i int) int {
		if v, ok := perm[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, count)
	for j := range out {
		r := j + int(uniform(uint64(nChunks-j)))
		out[j] = at(r)
		perm[r] = at(j)
	}
	slices.Sort(out)
	return out, rejected
}

// TestChallengeRejectsBiasedWords draws challenges over a huge virtual model
// (nChunks = ceil(2^64/3) + 1000), for which 2^64 mod (nChunks - j) is about
// 2^64/3: a third of the hash words must be rejected to keep the draw
// unbiased. A challenge that skipped the rejection would ask other chunks
// than every honest verifier.
func TestChallengeRejectsBiasedWords(t *testing.T) {
	const nChunks = 6148914691236517206 + 1000
	seed, root := sha256.Sum256([]byte("seed")), sha256.Sum256([]byte("root"))
	total := 0
	for holder := int32(0); holder < 4; holder++ {
		want, rejected := refChallenge(seed, root, holder, nChunks, 16)
		total += rejected
		if got := Challenge(seed, root, holder, nChunks, 16); !slices.Equal(got, want) {
			t.Errorf("holder %d: Challenge = %v\nwant %v", holder, got, want)
		}
	}
	if total < 5 {
		t.Fatalf("only %d rejected words: the test does not exercise rejection", total)
	}
	// The reference agrees with Challenge on an ordinary model too.
	want, _ := refChallenge(seed, root, 3, 1000, 20)
	if got := Challenge(seed, root, 3, 1000, 20); !slices.Equal(got, want) {
		t.Errorf("1000 chunks: Challenge = %v, want %v", got, want)
	}
}

// TestEmptyChallengeAndProof: a challenge of no chunks (or of a model of no
// chunks) asks nothing, and the empty proof answers it.
func TestEmptyChallengeAndProof(t *testing.T) {
	for _, tc := range []struct{ nChunks, count int }{{10, 0}, {0, 5}, {-1, 5}, {10, -1}} {
		if got := Challenge([32]byte{1}, [32]byte{2}, 3, tc.nChunks, tc.count); len(got) != 0 {
			t.Errorf("Challenge(nChunks %d, count %d) = %v, want none", tc.nChunks, tc.count, got)
		}
	}
	_, tree, err := merkle.Commit(modelBytes(1000), 100)
	if err != nil {
		t.Fatal(err)
	}
	m := ModelOf(tree)
	seed := [32]byte{9}
	p, err := Prove(tree, 4, seed, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Indices) != 0 {
		t.Fatalf("proof of 0 chunks has %d", len(p.Indices))
	}
	if err := VerifyProof(p, m, nil); err != nil {
		t.Errorf("VerifyProof of the empty proof: %v", err)
	}
	if err := VerifyChallenge(p, m, seed, 4, 0); err != nil {
		t.Errorf("VerifyChallenge of 0 chunks: %v", err)
	}
	// An empty proof does not answer a challenge of one chunk.
	if err := VerifyChallenge(p, m, seed, 4, 1); !errors.Is(err, ErrWrongIndices) {
		t.Errorf("empty proof for 1 chunk: %v, want ErrWrongIndices", err)
	}
}

// TestProofLimitsAreInclusive: a proof at every wire limit (MaxProofChunks
// entries, index MaxInt32, a chunk of MaxChunkSize bytes, a path of
// merkle.MaxDepth hashes, no entries at all) encodes and decodes back to
// itself; one over each limit is refused by both sides.
func TestProofLimitsAreInclusive(t *testing.T) {
	one := func(idx int, chunk []byte, path [][32]byte) *Proof {
		return &Proof{ModelRoot: [32]byte{1}, Holder: 7, Seed: [32]byte{2},
			Indices: []int{idx}, Chunks: [][]byte{chunk}, Paths: [][][32]byte{path}}
	}
	many := &Proof{Indices: make([]int, MaxProofChunks), Chunks: make([][]byte, MaxProofChunks), Paths: make([][][32]byte, MaxProofChunks)}
	for i := range many.Indices {
		many.Indices[i] = i
		many.Chunks[i] = []byte{}
		many.Paths[i] = [][32]byte{}
	}
	deep := make([][32]byte, merkle.MaxDepth)
	for i := range deep {
		deep[i][0] = byte(i)
	}
	tests := []struct {
		name string
		p    *Proof
	}{
		{"no entries", &Proof{ModelRoot: [32]byte{3}, Holder: -1, Indices: []int{}, Chunks: [][]byte{}, Paths: [][][32]byte{}}},
		{"MaxProofChunks entries", many},
		{"index MaxInt32", one(math.MaxInt32, []byte("x"), [][32]byte{})},
		{"chunk of MaxChunkSize", one(0, bytes.Repeat([]byte{5}, MaxChunkSize), [][32]byte{})},
		{"path of MaxDepth", one(0, []byte{}, deep)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := tc.p.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			if len(enc) != tc.p.EncodedLen() {
				t.Errorf("%d bytes, EncodedLen %d", len(enc), tc.p.EncodedLen())
			}
			got, err := UnmarshalProof(enc)
			if err != nil {
				t.Fatalf("UnmarshalProof: %v", err)
			}
			if !reflect.DeepEqual(got, tc.p) {
				t.Error("decoded proof differs from the encoded one")
			}
		})
	}
	// One over: index 2^31, chunk MaxChunkSize+1, path MaxDepth+1 are
	// refused when encoding (TestMarshalRejects) and when decoding.
	enc, _ := one(0, []byte{}, deep).MarshalBinary()
	idx := bytes.Clone(enc)
	binary.LittleEndian.PutUint32(idx[proofHeaderLen:], 1<<31)
	path := bytes.Clone(enc)
	path[proofHeaderLen+8] = merkle.MaxDepth + 1
	path = append(path, make([]byte, 32)...)
	for name, b := range map[string][]byte{"index 2^31": idx, "path MaxDepth+1": path} {
		if _, err := UnmarshalProof(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	if _, err := one(math.MaxInt32+1, nil, nil).MarshalBinary(); err == nil {
		t.Error("index MaxInt32+1 encoded")
	}
}

// TestUnmarshalChunkWithoutPathLength: an entry whose chunk fills the rest
// of the input, leaving no byte for the path length, is malformed (and does
// not read past the input).
func TestUnmarshalChunkWithoutPathLength(t *testing.T) {
	b := make([]byte, proofHeaderLen)
	b[0] = ProofVersion
	binary.LittleEndian.PutUint16(b[69:], 1)
	b = binary.LittleEndian.AppendUint32(b, 3) // index
	b = binary.LittleEndian.AppendUint32(b, 5) // chunk length
	b = append(b, "abcde"...)                  // chunk, then nothing
	if _, err := UnmarshalProof(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("UnmarshalProof = %v, want ErrMalformed", err)
	}
	// With the path length byte (0) it is a valid one-entry proof.
	p, err := UnmarshalProof(append(b, 0))
	if err != nil || len(p.Indices) != 1 || p.Indices[0] != 3 || string(p.Chunks[0]) != "abcde" {
		t.Fatalf("UnmarshalProof with path length = %+v, %v", p, err)
	}
}

// TestUnmarshalRejectsCountBeforeAllocating: each entry takes at least 9
// bytes, so 1024 entries cannot fit in 200 bytes; the decoder says so
// before allocating the 1024-entry slices (about 56 KiB).
func TestUnmarshalRejectsCountBeforeAllocating(t *testing.T) {
	b := make([]byte, proofHeaderLen+200)
	b[0] = ProofVersion
	binary.LittleEndian.PutUint16(b[69:], MaxProofChunks)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := UnmarshalProof(b)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("UnmarshalProof = %v, want ErrMalformed", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<10 {
		t.Errorf("rejecting %d entries in 200 bytes allocated %d bytes", MaxProofChunks, got)
	}
}

// TestChallengesToCatchRounding: the logarithm estimate is corrected to the
// smallest t with 1 - p^t >= confidence, evaluated in float64, from above
// and from below.
func TestChallengesToCatchRounding(t *testing.T) {
	tests := []struct {
		n, kept, c int
		conf       float64
		want       int
	}{
		// p = 0.1: one challenge catches with probability 0.9 exactly,
		// though log(0.1)/log(0.1) rounds to 1.0000000000000002.
		{10, 1, 1, 0.9, 1},
		{5, 2, 2, 0.9, 1}, // p = 2/5 * 1/4 = 0.1
		// p = 4/6 * 3/5 = 0.4: 1 - 0.4^3 = 0.936 exactly (estimate 4).
		{6, 4, 2, 0.936, 3},
		// p = 0.8: in float64 1 - 0.8 = 0.19999999999999996 < 0.2, so one
		// challenge is not enough although the estimate says 1.
		{5, 4, 1, 0.2, 2},
		{10, 5, 1, 0.9, 4},   // 1 - 0.5^3 = 0.875, 1 - 0.5^4 = 0.9375
		{10, 9, 1, 0.95, 29}, // 0.9^28 = 0.0523, 0.9^29 = 0.0471
		{10, 9, 1, 0.5, 7},   // 0.9^6 = 0.531, 0.9^7 = 0.478
		{10, 0, 1, 0.5, 1},   // p = 0
		{10, 5, 1, math.NaN(), -1},
		{10, 5, 1, -0.5, -1},
	}
	for _, tc := range tests {
		if got := ChallengesToCatch(tc.n, tc.kept, tc.c, tc.conf); got != tc.want {
			t.Errorf("ChallengesToCatch(%d, %d, %d, %v) = %d, want %d", tc.n, tc.kept, tc.c, tc.conf, got, tc.want)
		}
	}
}
