package pow

import (
	"encoding/hex"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/chain"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handHeader has every field distinct so that a misplaced field changes the
// digest. The expected encoding and SHA-256d were computed independently
// with Python's struct and hashlib.
func handHeader() Header {
	h := Header{Version: 1, Height: 7, Time: 1e9, Bits: 0x1d00ffff, Miner: 3, Nonce: 42}
	for i := range h.Prev {
		h.Prev[i] = byte(i + 1)
	}
	for i := range h.Merkle {
		h.Merkle[i] = 0xaa
	}
	return h
}

func TestHeaderEncodingAndID(t *testing.T) {
	h := handHeader()
	const wantEnc = "01000000" + "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20" +
		"0700000000000000" + "00ca9a3b00000000" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" +
		"ffff001d" + "03000000" + "2a00000000000000"
	if got := hex.EncodeToString(h.Append(nil)); got != wantEnc {
		t.Fatalf("encoding\n got %s\nwant %s", got, wantEnc)
	}
	id := h.ID()
	if got := hex.EncodeToString(id[:]); got != "bbdbf5f00345c4f9d4e4059b6b0f035994e0bec01433ed1edc265bb7495f897d" {
		t.Errorf("id = %s", got)
	}
	if got := decodeHeader(h.Append(nil)); got != h {
		t.Errorf("decode round trip: %+v", got)
	}
}

func TestMerkle(t *testing.T) {
	// Bitcoin block 100000: four txids (display order, byte-reversed) and
	// its Merkle root.
	txids := []string{
		"8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
		"fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
		"6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
		"e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
	}
	rev := func(b []byte) [32]byte {
		var x [32]byte
		for i := range x {
			x[i] = b[31-i]
		}
		return x
	}
	var leaves [][32]byte
	for _, s := range txids {
		leaves = append(leaves, rev(unhex(t, s)))
	}
	root := MerkleRoot(leaves)
	root = rev(root[:])
	if got := hex.EncodeToString(root[:]); got != "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766" {
		t.Errorf("block 100000 merkle root = %s", got)
	}
	// Three leaves: the last is duplicated.
	three := MerkleRoot(leaves[:3])
	four := MerkleRoot([][32]byte{leaves[0], leaves[1], leaves[2], leaves[2]})
	if three != four {
		t.Error("odd level does not duplicate its last node")
	}
	if MerkleRoot(leaves[:1]) != leaves[0] {
		t.Error("single leaf is not its own root")
	}

	// The block body root: coinbase {3, 7, 5000}, filler {10, 4000, 99};
	// digest from Python hashlib.
	b := Block{Coinbase: Coinbase{3, 7, 5000}, Filler: Filler{10, 4000, 99}}
	got := b.ComputeMerkle()
	if hex.EncodeToString(got[:]) != "74041fbf711640f19f8ff33a2e0ee454e0150fc50349370146f9d2c8f60e6701" {
		t.Errorf("body merkle = %x", got)
	}
	cb := sha256d(b.Coinbase.Append(nil))
	fl := sha256d(b.Filler.Append(nil))
	if MerkleRoot([][32]byte{cb, fl}) != got {
		t.Error("ComputeMerkle disagrees with MerkleRoot")
	}
}

func TestCompact(t *testing.T) {
	// Cases from Bitcoin Core's arith_uint256 tests (SetCompact/GetCompact).
	tests := []struct {
		bits    uint32
		target  string // hex, "" for an error
		compact uint32
	}{
		{0x01123456, "12", 0x01120000},
		{0x02123456, "1234", 0x02123400},
		{0x03123456, "123456", 0x03123456},
		{0x04123456, "12345600", 0x04123456},
		{0x05009234, "92340000", 0x05009234},
		{0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456},
		{0x1d00ffff, "ffff" + strings.Repeat("0000", 13), 0x1d00ffff},
		{0x04923456, "", 0}, // negative
		{0x00000000, "", 0}, // zero
		{0x01003456, "", 0}, // rounds to zero
		{0xff123456, "", 0}, // overflow
		{0x21010000, "", 0}, // 2^256: above the maximum
		{0x2100ffff, "ffff" + strings.Repeat("00", 30), 0x2100ffff},
	}
	for _, tc := range tests {
		tg, err := Target(tc.bits)
		if tc.target == "" {
			if err == nil {
				t.Errorf("Target(%#08x) = %x, want error", tc.bits, tg)
			}
			continue
		}
		if err != nil || tg.Text(16) != tc.target {
			t.Errorf("Target(%#08x) = %v, %v; want %s", tc.bits, tg, err, tc.target)
			continue
		}
		if got := Compact(tg); got != tc.compact {
			t.Errorf("Compact(%s) = %#08x, want %#08x", tc.target, got, tc.compact)
		}
	}
}

func TestWorkAndDifficulty(t *testing.T) {
	tests := []struct {
		bits uint32
		work chain.Work
		diff float64
	}{
		// Bitcoin's genesis: chainwork 0x100010001.
		{0x1d00ffff, chain.WorkOf(4295032833), 1},
		// Half the difficulty: floor(2^256/(0x1fffe*2^208+1)) from Python.
		{0x1d01fffe, chain.WorkOf(2147516416), 0.5},
		// The Bitcoin wiki's difficulty example.
		{0x1b0404cb, chain.WorkOf(70040908352512), 16307.420938523983},
		{0x2100ffff, chain.WorkOf(1), 0x1p-32}, // diff1 / (0xffff * 2^240)
		{0x04923456, chain.Work{}, 0},
	}
	for _, tc := range tests {
		if got := Work(tc.bits); got != tc.work {
			t.Errorf("Work(%#08x) = %v, want %v", tc.bits, got, tc.work)
		}
		if got := Difficulty(tc.bits); math.Abs(got-tc.diff) > 1e-12*tc.diff {
			t.Errorf("Difficulty(%#08x) = %.17g, want %.17g", tc.bits, got, tc.diff)
		}
	}
	// 70040908352512 (from Python) cross-checked with math/big.
	tg, _ := Target(0x1b0404cb)
	w := new(big.Int).Quo(new(big.Int).Lsh(big.NewInt(1), 256), tg.Add(tg, big.NewInt(1)))
	if w.Uint64() != 70040908352512 {
		t.Errorf("big check: %v", w)
	}
}

func TestBitsForDifficulty(t *testing.T) {
	tests := []struct {
		d    float64
		bits uint32
		err  bool
	}{
		{1, 0x1d00ffff, false},
		{0.5, 0x1d01fffe, false},
		{2, 0x1c7fff80, false},
		{16307.420938523983, 0x1b0404cb, false},
		{1e-30, 0x2100ffff, false}, // clamped to 2^256-1
		{0, 0, true},
		{-1, 0, true},
		{math.NaN(), 0, true},
		{math.Inf(1), 0, true},
	}
	for _, tc := range tests {
		got, err := BitsForDifficulty(tc.d)
		if (err != nil) != tc.err || got != tc.bits {
			t.Errorf("BitsForDifficulty(%g) = %#08x, %v; want %#08x", tc.d, got, err, tc.bits)
		}
	}
	// A network of 1 TH/s with 600 s blocks: 6e14 expected hashes.
	d := DifficultyFor(1e12, 600e9)
	bits, _ := BitsForDifficulty(d)
	if w := Work(bits).Float64(); math.Abs(w/6e14-1) > 1e-6 {
		t.Errorf("work at DifficultyFor(1 TH/s, 600 s) = %g, want 6e14", w)
	}
}

func TestRetarget(t *testing.T) {
	const T = int64(600e9)
	tests := []struct {
		name     string
		bits     uint32
		actual   int64
		expected int64
		want     uint32
	}{
		// W=4, T=600 s, blocks every 1200 s: target doubles, difficulty halves.
		{"twice as slow", 0x1d00ffff, 4 * 1200e9, 4 * T, 0x1d01fffe},
		{"on time", 0x1d00ffff, 4 * T, 4 * T, 0x1d00ffff},
		{"twice as fast", 0x1d01fffe, 2 * T, 4 * T, 0x1d00ffff},
		{"clamped slow", 0x1d00ffff, 100 * T, 4 * T, 0x1d03fffc},
		{"clamped fast", 0x1d00ffff, 1, 4 * T, 0x1c3fffc0},
		{"capped at max target", 0x2100ffff, 4 * T, T, 0x2100ffff},
		{"invalid bits unchanged", 0x04923456, 4 * T, T, 0x04923456},
		// Scale by 1,000,000/1,209,600 s, truncated to the compact
		// mantissa (value from Python's exact integers).
		{"bitcoin scale", 0x1b0404cb, 1000000e9, 1209600e9, 0x1b035285},
	}
	for _, tc := range tests {
		if got := Retarget(tc.bits, tc.actual, tc.expected); got != tc.want {
			t.Errorf("%s: Retarget = %#08x, want %#08x", tc.name, got, tc.want)
		}
	}
}
