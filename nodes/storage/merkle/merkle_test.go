package merkle

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"
)

func mustHex(t testing.TB, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	return [32]byte(b)
}

// Expected values computed independently with Python's hashlib:
//
//	L = lambda c: sha256(b'\x00' + c)
//	N = lambda a, b: sha256(b'\x01' + a + b)
//	C = lambda size, cs, r: sha256(b'\x02' + struct.pack('<QI', size, cs) + r)
func TestKnownRoots(t *testing.T) {
	tests := []struct {
		name       string
		data       []byte
		chunkSize  int
		root, comm string
	}{
		{
			// N(L("ab"), L("cd"))
			"two chunks", []byte("abcd"), 2,
			"0378cecef3f61d6025bd379f7ef29f3b90a99458a12c7ecee9b6162af68e64e3",
			"fd123b1e97924746ee31b130dfd07a5759a38f529bd01055729a0ee14d1d7abb",
		},
		{
			// N(N(L("ab"), L("cd")), L("e")): "e" is short and promoted.
			"three chunks", []byte("abcde"), 2,
			"8ed98320a60e86c46c244dd3bd11928e98bddc10d8537a0c1acf9917dc1376cb",
			"8cb3332e55c4af456b76ee5d2de2fd3ab9f59bc83587f0e1bc99d87693dbcc0d",
		},
		{
			// L(""): SHA-256 of the single byte 0x00.
			"empty", nil, 2,
			"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
			"72c26c2373f7b1b149d9fe8b3cff8af30e64b5364f17726071ee14f7c03d0571",
		},
		{
			// N(N(N(l0,l1),N(l2,l3)),l4): promotion across two levels.
			"five chunks", []byte{0, 1, 2, 3, 4}, 1,
			"b855b42d6c30f5b087e05266783fbd6e394f7b926013ccaa67700a8b0c5a596f",
			"",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			comm, tr, err := Commit(tc.data, tc.chunkSize)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := tr.Root(), mustHex(t, tc.root); got != want {
				t.Errorf("root = %x, want %x", got, want)
			}
			if tc.comm != "" {
				if want := mustHex(t, tc.comm); comm != want {
					t.Errorf("commitment = %x, want %x", comm, want)
				}
			}
		})
	}
}

func TestDuplicationDoesNotCollide(t *testing.T) {
	// With Bitcoin's rule [a b c] and [a b c c] share a root; here they must not.
	_, t3, _ := Commit([]byte("abc"), 1)
	_, t4, _ := Commit([]byte("abcc"), 1)
	if t3.Root() == t4.Root() {
		t.Fatal("[a b c] and [a b c c] have the same root")
	}
	// A short last chunk and the same chunk zero-padded differ in commitment.
	c1, _, _ := Commit([]byte("abc"), 2)
	c2, _, _ := Commit([]byte("abc\x00"), 2)
	if c1 == c2 {
		t.Fatal("padding the last chunk did not change the commitment")
	}
	// Same bytes, different chunk size: different commitments even for one chunk.
	c3, _, _ := Commit([]byte("ab"), 2)
	c4, _, _ := Commit([]byte("ab"), 4)
	if c3 == c4 {
		t.Fatal("chunk size is not bound by the commitment")
	}
}

func TestNumChunksAndLen(t *testing.T) {
	tests := []struct {
		size      int64
		chunkSize int
		n         int
		lastLen   int
	}{
		{0, 64, 1, 0},
		{1, 64, 1, 1},
		{64, 64, 1, 64},
		{65, 64, 2, 1},
		{1000, 64, 16, 40},
		{1 << 20, 4096, 256, 4096},
		{-1, 64, 0, -1},
		{10, 0, 0, -1},
	}
	for _, tc := range tests {
		if got := NumChunks(tc.size, tc.chunkSize); got != tc.n {
			t.Errorf("NumChunks(%d,%d) = %d, want %d", tc.size, tc.chunkSize, got, tc.n)
		}
		if got := ChunkLen(tc.n-1, tc.size, tc.chunkSize); got != tc.lastLen {
			t.Errorf("ChunkLen(last,%d,%d) = %d, want %d", tc.size, tc.chunkSize, got, tc.lastLen)
		}
	}
}

func TestPathLen(t *testing.T) {
	tests := []struct{ index, n, want int }{
		{0, 1, 0},
		{0, 2, 1}, {1, 2, 1},
		{0, 3, 2}, {1, 3, 2}, {2, 3, 1},
		{4, 5, 1}, {3, 5, 3},
		{0, 8, 3}, {7, 8, 3},
		{8, 9, 1}, {0, 9, 4},
		{5, 5, -1}, {-1, 5, -1},
	}
	for _, tc := range tests {
		if got := PathLen(tc.index, tc.n); got != tc.want {
			t.Errorf("PathLen(%d,%d) = %d, want %d", tc.index, tc.n, got, tc.want)
		}
	}
}

func testData(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func TestEveryProofVerifies(t *testing.T) {
	for _, size := range []int{0, 1, 63, 64, 65, 127, 128, 129, 64 * 7, 64*13 + 5, 64 * 16, 64*33 + 1} {
		data := testData(size)
		comm, tr, err := Commit(data, 64)
		if err != nil {
			t.Fatal(err)
		}
		n := tr.NumChunks()
		if n != NumChunks(int64(size), 64) {
			t.Fatalf("size %d: tree has %d chunks, NumChunks says %d", size, n, NumChunks(int64(size), 64))
		}
		for i := 0; i < n; i++ {
			path, err := tr.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			if len(path) != PathLen(i, n) {
				t.Errorf("size %d chunk %d: path len %d, PathLen %d", size, i, len(path), PathLen(i, n))
			}
			if !Verify(tr.Root(), i, n, tr.Chunk(i), path) {
				t.Errorf("size %d chunk %d: proof does not verify", size, i)
			}
			if !VerifyCommitted(comm, int64(size), 64, i, tr.Chunk(i), path) {
				t.Errorf("size %d chunk %d: committed proof does not verify", size, i)
			}
		}
		if _, err := tr.Proof(n); err == nil {
			t.Errorf("size %d: proof of chunk %d of %d succeeded", size, n, n)
		}
	}
}

func TestTamperedProofsFail(t *testing.T) {
	data := testData(64*5 + 10) // 6 chunks: promotion at level 1
	comm, tr, _ := Commit(data, 64)
	n := tr.NumChunks()
	for i := 0; i < n; i++ {
		path, _ := tr.Proof(i)
		chunk := tr.Chunk(i)
		flip := func(b []byte) []byte {
			c := bytes.Clone(b)
			c[len(c)/2] ^= 1
			return c
		}
		tests := []struct {
			name  string
			root  [32]byte
			index int
			n     int
			chunk []byte
			path  [][32]byte
		}{
			{"chunk bit", tr.Root(), i, n, flip(chunk), path},
			{"chunk truncated", tr.Root(), i, n, chunk[:len(chunk)-1], path},
			{"chunk extended", tr.Root(), i, n, append(bytes.Clone(chunk), 0), path},
			{"root", func() [32]byte { r := tr.Root(); r[0] ^= 0x80; return r }(), i, n, chunk, path},
			{"index+1", tr.Root(), (i + 1) % n, n, chunk, path},
			{"index-1", tr.Root(), (i + n - 1) % n, n, chunk, path},
			{"index out of range", tr.Root(), i + n, n, chunk, path},
			{"negative index", tr.Root(), -1, n, chunk, path},
			{"path short", tr.Root(), i, n, chunk, path[:len(path)-1]},
			{"path long", tr.Root(), i, n, chunk, append(append([][32]byte{}, path...), [32]byte{})},
			{"commitment as root", comm, i, n, chunk, path},
		}
		for k := range path {
			p := append([][32]byte{}, path...)
			p[k][31] ^= 1
			tests = append(tests, struct {
				name  string
				root  [32]byte
				index int
				n     int
				chunk []byte
				path  [][32]byte
			}{fmt.Sprintf("path[%d]", k), tr.Root(), i, n, chunk, p})
		}
		for _, tc := range tests {
			if Verify(tc.root, tc.index, tc.n, tc.chunk, tc.path) {
				t.Errorf("chunk %d: %s: tampered proof verifies", i, tc.name)
			}
		}
		// Committed form: wrong size or chunk size must fail too.
		if VerifyCommitted(comm, int64(len(data))+1, 64, i, chunk, path) {
			t.Errorf("chunk %d: wrong size verifies", i)
		}
		if VerifyCommitted(comm, int64(len(data)), 65, i, chunk, path) {
			t.Errorf("chunk %d: wrong chunk size verifies", i)
		}
	}
}

func TestCommitmentBindsChunkCount(t *testing.T) {
	// 6 chunks: the left four leaves have the same paths as in a 5- or
	// 7-chunk tree, so a bare root accepts a wrong count; the commitment not.
	data := testData(64*5 + 10)
	comm, tr, _ := Commit(data, 64)
	path, _ := tr.Proof(1)
	for _, n := range []int{5, 6, 7} {
		if !Verify(tr.Root(), 1, n, tr.Chunk(1), path) {
			t.Errorf("bare Verify with n=%d: want true (documented)", n)
		}
	}
	for _, size := range []int64{64 * 5, 64*6 + 1} { // 5 and 7 chunks
		if VerifyCommitted(comm, size, 64, 1, tr.Chunk(1), path) {
			t.Errorf("VerifyCommitted with size %d verifies", size)
		}
	}
}

func TestNewRejectsBadChunkSize(t *testing.T) {
	for _, cs := range []int{0, -1} {
		if _, err := New([]byte("x"), cs); err == nil {
			t.Errorf("New(chunkSize=%d) succeeded", cs)
		}
	}
}

func FuzzVerify(f *testing.F) {
	_, tr, _ := Commit(testData(64*5+3), 64)
	p, _ := tr.Proof(2)
	flat := func(p [][32]byte) []byte {
		var b []byte
		for _, h := range p {
			b = append(b, h[:]...)
		}
		return b
	}
	f.Add(2, 6, tr.Chunk(2), flat(p))
	f.Add(0, 1, []byte{}, []byte{})
	f.Add(-5, 1<<40, []byte("x"), make([]byte, 33*32))
	root := tr.Root()
	f.Fuzz(func(t *testing.T, index, n int, chunk, rawPath []byte) {
		var path [][32]byte
		for len(rawPath) >= 32 {
			path = append(path, [32]byte(rawPath[:32]))
			rawPath = rawPath[32:]
		}
		ok := Verify(root, index, n, chunk, path)
		// A bare root does not bind n (see Verify), but no chunk other than
		// the committed one may ever verify at an index.
		if ok && (index < 0 || index >= tr.NumChunks() || !bytes.Equal(chunk, tr.Chunk(index))) {
			t.Fatalf("forged proof verifies: index %d n %d", index, n)
		}
	})
}

func BenchmarkCommit1MB(b *testing.B) {
	data := testData(1_000_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Commit(data, 4096)
	}
}
