package erasure

import (
	"bytes"
	"errors"
	"testing"
)

// slowMul is carry-less multiplication reduced by 0x11d, bit by bit.
func slowMul(a, b byte) byte {
	var p int
	x, y := int(a), int(b)
	for y != 0 {
		if y&1 != 0 {
			p ^= x
		}
		x <<= 1
		if x&0x100 != 0 {
			x ^= poly
		}
		y >>= 1
	}
	return byte(p)
}

func TestFieldTables(t *testing.T) {
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			if got, want := gfMul(byte(a), byte(b)), slowMul(byte(a), byte(b)); got != want {
				t.Fatalf("gfMul(%#x,%#x) = %#x, want %#x", a, b, got, want)
			}
			if got, want := gfMulTable[a][b], slowMul(byte(a), byte(b)); got != want {
				t.Fatalf("gfMulTable[%#x][%#x] = %#x, want %#x", a, b, got, want)
			}
		}
		if a != 0 && gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("gfInv(%#x) = %#x is not an inverse", a, gfInv(byte(a)))
		}
	}
	// Known values in GF(2^8)/0x11d: 2^8 = 0x1d, 1/2 = 0x8e, 1/3 = 0xf4.
	for _, tc := range []struct{ got, want byte }{
		{gfExp[8], 0x1d}, {gfInv(2), 0x8e}, {gfInv(3), 0xf4}, {gfMul(0x80, 2), 0x1d},
	} {
		if tc.got != tc.want {
			t.Errorf("got %#x, want %#x", tc.got, tc.want)
		}
	}
}

func TestKnownParity(t *testing.T) {
	// m=2, n=3: p = d0/(2^0) + d1/(2^1) = 0x8e*d0 + 0xf4*d1.
	tests := []struct {
		data   []byte
		parity []byte
	}{
		{[]byte{1, 0}, []byte{0x8e}},
		{[]byte{0, 1}, []byte{0xf4}},
		{[]byte{1, 1}, []byte{0x8e ^ 0xf4}},
		{[]byte{2, 3}, []byte{0x01 ^ 0x01}},   // 2/2 + 3/3
		{[]byte{1, 2, 0}, []byte{0x8e, 0x01}}, // d0 = [1 2], d1 = [0 pad]: 2/2 = 1
	}
	for _, tc := range tests {
		sh, err := Encode(tc.data, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sh[2], tc.parity) {
			t.Errorf("Encode(%v): parity %x, want %x", tc.data, sh[2], tc.parity)
		}
	}
}

func testData(n int) []byte {
	b := make([]byte, n)
	x := uint32(88172645)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x >> 3)
	}
	return b
}

// subsets calls f with every subset of {0..n-1} as a bit mask.
func subsets(n int, f func(mask uint)) {
	for mask := uint(0); mask < 1<<n; mask++ {
		f(mask)
	}
}

func popcount(x uint) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

func TestEverySubset(t *testing.T) {
	params := []struct{ m, n, size int }{
		{1, 1, 10}, {1, 3, 7}, {2, 3, 5}, {2, 4, 0}, {3, 5, 100},
		{4, 8, 1001}, {5, 9, 64}, {8, 10, 33},
	}
	for _, p := range params {
		data := testData(p.size)
		shares, err := Encode(data, p.m, p.n)
		if err != nil {
			t.Fatal(err)
		}
		if len(shares) != p.n {
			t.Fatalf("m=%d n=%d: %d shares", p.m, p.n, len(shares))
		}
		for i := 0; i < p.m; i++ { // systematic
			lo := min(i*len(shares[0]), p.size)
			hi := min(lo+len(shares[0]), p.size)
			if !bytes.Equal(shares[i][:hi-lo], data[lo:hi]) {
				t.Fatalf("m=%d n=%d: share %d is not data", p.m, p.n, i)
			}
		}
		subsets(p.n, func(mask uint) {
			got := make([][]byte, p.n)
			for i := range got {
				if mask&(1<<i) != 0 {
					got[i] = shares[i]
				}
			}
			dec, err := Decode(got, p.m, p.n, p.size)
			if popcount(mask) < p.m {
				if !errors.Is(err, ErrTooFewShares) {
					t.Errorf("m=%d n=%d mask %b: err %v, want ErrTooFewShares", p.m, p.n, mask, err)
				}
				return
			}
			if err != nil || !bytes.Equal(dec, data) {
				t.Errorf("m=%d n=%d mask %b: decode failed: %v", p.m, p.n, mask, err)
			}
			if err := Reconstruct(got, p.m, p.n); err != nil {
				t.Errorf("m=%d n=%d mask %b: reconstruct: %v", p.m, p.n, mask, err)
				return
			}
			for i := range got {
				if !bytes.Equal(got[i], shares[i]) {
					t.Errorf("m=%d n=%d mask %b: reconstructed share %d differs", p.m, p.n, mask, i)
				}
			}
		})
	}
}

func TestLargeModel(t *testing.T) {
	data := testData(1 << 20)
	shares, err := Encode(data, 10, 30)
	if err != nil {
		t.Fatal(err)
	}
	got := make([][]byte, 30)
	for i := 20; i < 30; i++ { // parity only
		got[i] = shares[i]
	}
	dec, err := Decode(got, 10, 30, len(data))
	if err != nil || !bytes.Equal(dec, data) {
		t.Fatalf("decode from parity only: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	shares, _ := Encode(testData(10), 2, 4)
	tests := []struct {
		name    string
		shares  [][]byte
		m, n, l int
	}{
		{"m=0", shares, 0, 4, 10},
		{"n<m", shares, 3, 2, 10},
		{"n>256", make([][]byte, 257), 2, 257, 10},
		{"slot count", shares[:3], 2, 4, 10},
		{"unequal lengths", [][]byte{shares[0], shares[1][:4], nil, nil}, 2, 4, 10},
		{"empty share", [][]byte{{}, {}, nil, nil}, 2, 4, 0},
		{"length too big", shares, 2, 4, 11},
		{"length too small", shares, 2, 4, 8},
		{"negative length", shares, 2, 4, -1},
		{"all nil", make([][]byte, 4), 2, 4, 10},
	}
	for _, tc := range tests {
		if _, err := Decode(tc.shares, tc.m, tc.n, tc.l); err == nil {
			t.Errorf("%s: Decode succeeded", tc.name)
		}
	}
	if _, err := Encode(nil, 3, 2); err == nil {
		t.Error("Encode(m=3,n=2) succeeded")
	}
}

func TestInvertSingular(t *testing.T) {
	if _, ok := invert([][]byte{{1, 2}, {2, 4}}); ok { // row 2 = 2 * row 1
		t.Fatal("singular matrix inverted")
	}
	a := [][]byte{{3, 7}, {5, 1}}
	inv, ok := invert(a)
	if !ok {
		t.Fatal("regular matrix not inverted")
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			var s byte
			for k := 0; k < 2; k++ {
				s ^= gfMul(a[i][k], inv[k][j])
			}
			want := byte(0)
			if i == j {
				want = 1
			}
			if s != want {
				t.Errorf("(A*A^-1)[%d][%d] = %#x", i, j, s)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("hello, world"), uint8(3), uint8(5), uint16(0b10101), 12)
	f.Add([]byte{}, uint8(1), uint8(1), uint16(1), 0)
	f.Add([]byte("x"), uint8(0), uint8(0), uint16(0), -3)
	f.Fuzz(func(t *testing.T, raw []byte, m8, n8 uint8, mask uint16, origLen int) {
		m, n := int(m8%12), int(n8%12)
		// Arbitrary share bytes: cut raw into n slots by the mask.
		shares := make([][]byte, n)
		if n > 0 {
			s := len(raw) / n
			for i := range shares {
				if mask&(1<<i) != 0 {
					shares[i] = raw[i*s : (i+1)*s]
				}
			}
		}
		dec, err := Decode(shares, m, n, origLen)
		if err == nil && len(dec) != origLen {
			t.Fatalf("decoded %d bytes, want %d", len(dec), origLen)
		}
		// Round trip on the raw bytes as data.
		if m >= 1 && n >= m {
			sh, err := Encode(raw, m, n)
			if err != nil {
				t.Fatal(err)
			}
			for i := range sh {
				if mask&(1<<i) == 0 {
					sh[i] = nil
				}
			}
			dec, err := Decode(sh, m, n, len(raw))
			if popcount(uint(mask)&(1<<n-1)) >= m {
				if err != nil || !bytes.Equal(dec, raw) {
					t.Fatalf("round trip m=%d n=%d mask %b: %v", m, n, mask, err)
				}
			} else if err == nil {
				t.Fatalf("decoded from too few shares")
			}
		}
	})
}

func BenchmarkEncode1MB(b *testing.B) {
	data := testData(1 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Encode(data, 10, 30)
	}
}

func BenchmarkDecode1MBParity(b *testing.B) {
	data := testData(1 << 20)
	shares, _ := Encode(data, 10, 30)
	got := make([][]byte, 30)
	copy(got[20:], shares[20:])
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Decode(got, 10, 30, len(data))
	}
}
