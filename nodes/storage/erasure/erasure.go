// Package erasure is systematic Reed–Solomon erasure coding over GF(2^8):
// data is cut into m data shares and extended with n-m parity shares so that
// any m of the n shares rebuild it. Coin.AI can spread a model over n
// storage nodes, each keeping about 1/m of it, and survive the loss of any
// n-m of them, as Storj does with its stripes.
//
// The code is systematic (shares 0..m-1 are the data itself, zero-padded)
// and its parity rows form a Cauchy matrix: parity share i is
//
//	p_i = sum_j d_j / (x_i + y_j),  x_i = m+i, y_j = j   (in GF(2^8))
//
// Every square submatrix of a Cauchy matrix is invertible, so the n x m
// generator [I; C] has every m x m submatrix invertible, which is exactly the
// "any m of n" property. Since the x_i and y_j must be n distinct field
// elements, n is at most 256.
//
// Erasure coding recovers missing shares, not corrupted ones: a share that is
// present but wrong yields wrong data. Callers must authenticate each share
// first (for example by a Merkle commitment per share, see package merkle)
// and pass unauthenticated ones as missing.
//
// The encoding is this package's own and is not byte-compatible with other
// libraries (klauspost/reedsolomon uses a Vandermonde-derived matrix).
package erasure

import (
	"errors"
	"fmt"
)

// MaxShares is the largest n: the field has 256 elements.
const MaxShares = 256

// ErrTooFewShares reports that fewer than m shares were present.
var ErrTooFewShares = errors.New("erasure: too few shares")

func checkParams(m, n int) error {
	if m < 1 || n < m || n > MaxShares {
		return fmt.Errorf("erasure: need 1 <= m <= n <= %d, have m=%d n=%d", MaxShares, m, n)
	}
	return nil
}

// ShareSize is the length of every share of data of length size coded with m
// data shares: ceil(size/m), and at least 1 so that shares are never empty.
func ShareSize(size, m int) int {
	if m < 1 || size <= 0 {
		return 1
	}
	return (size + m - 1) / m
}

// coef is the generator-matrix entry for share row r (0 <= r < n) and data
// column j: the identity for data rows, 1/(x_r + y_j) for parity rows.
func coef(r, j, m int) byte {
	if r < m {
		if r == j {
			return 1
		}
		return 0
	}
	return gfInv(byte(r) ^ byte(j)) // x = r = m+i, y = j; r != j so r^j != 0
}

// Encode cuts data into m data shares, zero-padding the last, and appends
// n-m parity shares. All n shares have length ShareSize(len(data), m); the
// data shares are copies, so data may be reused.
func Encode(data []byte, m, n int) ([][]byte, error) {
	if err := checkParams(m, n); err != nil {
		return nil, err
	}
	s := ShareSize(len(data), m)
	buf := make([]byte, n*s)
	copy(buf, data)
	shares := make([][]byte, n)
	for i := range shares {
		shares[i] = buf[i*s : (i+1)*s : (i+1)*s]
	}
	for r := m; r < n; r++ {
		for j := 0; j < m; j++ {
			mulAdd(shares[r], shares[j], coef(r, j, m))
		}
	}
	return shares, nil
}

// present checks the shape of a share list and returns the indices of the
// first m present shares and the share size.
func present(shares [][]byte, m, n int) (idx []int, size int, err error) {
	if err := checkParams(m, n); err != nil {
		return nil, 0, err
	}
	if len(shares) != n {
		return nil, 0, fmt.Errorf("erasure: have %d share slots, want n=%d", len(shares), n)
	}
	size = -1
	for i, sh := range shares {
		if sh == nil {
			continue
		}
		if size == -1 {
			size = len(sh)
		} else if len(sh) != size {
			return nil, 0, fmt.Errorf("erasure: share %d has %d bytes, share %d has %d", i, len(sh), idx[0], size)
		}
		if len(sh) == 0 {
			return nil, 0, fmt.Errorf("erasure: share %d is empty", i)
		}
		if len(idx) < m {
			idx = append(idx, i)
		}
	}
	if len(idx) < m {
		return nil, 0, fmt.Errorf("erasure: %d of %d shares present, need %d: %w", len(idx), n, m, ErrTooFewShares)
	}
	return idx, size, nil
}

// dataShares returns the m data shares rebuilt from the shares at idx.
func dataShares(shares [][]byte, idx []int, m, size int) ([][]byte, error) {
	out := make([][]byte, m)
	systematic := true
	for j, r := range idx {
		if r != j {
			systematic = false
			break
		}
	}
	if systematic {
		copy(out, shares[:m])
		return out, nil
	}
	sub := make([][]byte, m)
	for a, r := range idx {
		sub[a] = make([]byte, m)
		for j := range sub[a] {
			sub[a][j] = coef(r, j, m)
		}
	}
	inv, ok := invert(sub)
	if !ok { // impossible for a Cauchy code; kept so bad input never panics
		return nil, errors.New("erasure: singular decoding matrix")
	}
	buf := make([]byte, m*size)
	for j := range out {
		out[j] = buf[j*size : (j+1)*size : (j+1)*size]
		if r := idx[j]; r == j {
			copy(out[j], shares[r])
			continue
		}
		for a, r := range idx {
			mulAdd(out[j], shares[r], inv[j][a])
		}
	}
	return out, nil
}

// Decode rebuilds the original data of length origLen from n share slots, in
// share order, where a missing share is nil. Any m present shares suffice;
// the first m present are used. Shares are not authenticated here (see the
// package doc). Decode never panics on malformed input; it returns an error
// for wrong slot counts, unequal or unexpected share lengths, or fewer than
// m shares (wrapping ErrTooFewShares).
func Decode(shares [][]byte, m, n, origLen int) ([]byte, error) {
	idx, size, err := present(shares, m, n)
	if err != nil {
		return nil, err
	}
	if origLen < 0 || size != ShareSize(origLen, m) {
		return nil, fmt.Errorf("erasure: shares of %d bytes cannot hold %d bytes in %d data shares", size, origLen, m)
	}
	ds, err := dataShares(shares, idx, m, size)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, m*size)
	for _, d := range ds {
		out = append(out, d...)
	}
	return out[:origLen], nil
}

// Reconstruct fills in the missing (nil) shares in place, data and parity
// alike, from any m present ones: what a repairing node does before handing
// a lost share to a replacement holder.
func Reconstruct(shares [][]byte, m, n int) error {
	idx, size, err := present(shares, m, n)
	if err != nil {
		return err
	}
	ds, err := dataShares(shares, idx, m, size)
	if err != nil {
		return err
	}
	for r := range shares {
		if shares[r] != nil {
			continue
		}
		if r < m {
			shares[r] = ds[r]
			continue
		}
		p := make([]byte, size)
		for j := 0; j < m; j++ {
			mulAdd(p, ds[j], coef(r, j, m))
		}
		shares[r] = p
	}
	return nil
}
