package erasure

// Arithmetic in GF(2^8) with the reducing polynomial x^8+x^4+x^3+x^2+1
// (0x11d), the field of most Reed–Solomon codes (RAID-6, QR codes,
// klauspost/reedsolomon). Addition is XOR; multiplication goes through
// logarithm tables of the generator 2.

const poly = 0x11d

var (
	gfExp [510]byte // gfExp[i] = 2^i, doubled so that exp[log a + log b] needs no mod
	gfLog [256]byte // gfLog[a] = log_2 a for a != 0; gfLog[0] is unused
	// gfMulTable[c] is the row of products c*x, so that the coding loops do
	// one lookup per byte (64 KiB, built once).
	gfMulTable [256][256]byte
)

func init() {
	x := 1
	for i := 0; i < 255; i++ {
		gfExp[i] = byte(x)
		gfExp[i+255] = byte(x)
		gfLog[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= poly
		}
	}
	for a := 1; a < 256; a++ {
		for b := 1; b < 256; b++ {
			gfMulTable[a][b] = gfExp[int(gfLog[a])+int(gfLog[b])]
		}
	}
}

// gfMul is the field product.
func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// gfInv is the multiplicative inverse; a must not be 0.
func gfInv(a byte) byte {
	return gfExp[255-int(gfLog[a])]
}

// mulAdd sets dst[i] ^= c*src[i], the inner loop of both coding directions.
func mulAdd(dst, src []byte, c byte) {
	switch c {
	case 0:
		return
	case 1:
		for i, s := range src {
			dst[i] ^= s
		}
		return
	}
	row := &gfMulTable[c]
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] ^= row[s]
	}
}

// invert returns the inverse of the square matrix a (row-major, k x k) by
// Gauss–Jordan elimination, or false if it is singular.
func invert(a [][]byte) ([][]byte, bool) {
	k := len(a)
	w := make([][]byte, k)
	for i := range w {
		w[i] = make([]byte, 2*k)
		copy(w[i], a[i])
		w[i][k+i] = 1
	}
	for col := 0; col < k; col++ {
		p := col
		for p < k && w[p][col] == 0 {
			p++
		}
		if p == k {
			return nil, false
		}
		w[col], w[p] = w[p], w[col]
		if inv := gfInv(w[col][col]); inv != 1 {
			for j := range w[col] {
				w[col][j] = gfMul(w[col][j], inv)
			}
		}
		for r := 0; r < k; r++ {
			if r != col && w[r][col] != 0 {
				mulAdd(w[r], w[col], w[r][col])
			}
		}
	}
	out := make([][]byte, k)
	for i := range out {
		out[i] = w[i][k:]
	}
	return out, true
}
