package nn

import "sync"

// Blocking of the matrix multiply. A micro-tile of C is mr x nr; the shared
// dimension is cut into blocks of at most kc so that an A panel (mr x kc)
// stays in L1 and a B panel (kc x nr) in L2 while the micro-kernel runs.
//
// These constants are part of the arithmetic, not just of the speed: each
// element of C is accumulated over one kc block at a time from zero, in
// increasing index order, and the block sums are added to C in block order.
// Changing kc changes the bits of trained weights.
const (
	mr = 6
	nr = 16
	kc = 256
)

// gemmParallelMin is the number of multiply-adds below which a product runs
// on one goroutine; the split point never changes results (see gemm).
const gemmParallelMin = 1 << 16

// gemmWS is the scratch space of the matrix multiply: the packed B operand
// and one packed A panel per worker. A gemmWS must not be used by two
// goroutines at once; each trainer or evaluator owns one.
type gemmWS struct {
	mat    matA
	bp     []float32
	ap     [2][]float32
	serial bool // never start a second goroutine
}

// gemm computes C = op(A) op(B) (acc false) or C += op(A) op(B) (acc true)
// for row-major matrices: op(A) is m x k, stored as A (lda >= k) or, if tA,
// as its k x m transpose (lda >= m); likewise op(B) is k x n, stored as B or,
// if tB, as its n x k transpose. C is m x n with leading dimension ldc.
//
// Every element of C is computed by the same sequence of float32 operations
// whatever m, n, its position and the number of workers: per kc block, a
// running sum from zero over the block's indices in order (fused
// multiply-adds on amd64 with AVX2 and FMA, a rounded product then a rounded
// add elsewhere), then added to C. Work is split between at most two
// goroutines by whole output panels, never along k, so the result does not
// depend on GOMAXPROCS or scheduling.
func (ws *gemmWS) gemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	ws.mat = matA{a: a, lda: lda, t: tA}
	ws.gemmSrc(&ws.mat, tB, m, n, k, b, ldb, c, ldc, acc)
}

// aSource packs panels of a left operand that need not exist as a matrix,
// such as the im2col matrix of a convolution, which is gathered from the
// layer's input while packing instead of being written out.
type aSource interface {
	// pack sets ap[p*mr+i] = A[i0+i, p0+p] for i < h, p < kcb, and zero
	// for h <= i < mr.
	pack(ap []float32, i0, h, p0, kcb int)
}

// matA is a stored matrix A (or, if t, its transpose) as an aSource.
type matA struct {
	a   []float32
	lda int
	t   bool
}

func (s *matA) pack(ap []float32, i0, h, p0, kcb int) { packA(s.t, ap, s.a, s.lda, i0, h, p0, kcb) }

// gemmSrc is gemm with the left operand given by a source.
func (ws *gemmWS) gemmSrc(a aSource, tB bool, m, n, k int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	if useAVX512 {
		ws.gemmZ(a, tB, m, n, k, b, ldb, c, ldc, acc)
		return
	}
	mp := (m + mr - 1) / mr
	np := (n + nr - 1) / nr
	ws.packB(tB, n, k, np, b, ldb)
	if ws.serial || m*n*k < gemmParallelMin || (mp < 2 && np < 2) {
		ws.run(0, a, m, n, k, c, ldc, acc, 0, mp, 0, np)
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	if mp >= 2 {
		h := (mp + 1) / 2
		go func() {
			ws.run(1, a, m, n, k, c, ldc, acc, h, mp, 0, np)
			wg.Done()
		}()
		ws.run(0, a, m, n, k, c, ldc, acc, 0, h, 0, np)
	} else {
		h := (np + 1) / 2
		go func() {
			ws.run(1, a, m, n, k, c, ldc, acc, 0, mp, h, np)
			wg.Done()
		}()
		ws.run(0, a, m, n, k, c, ldc, acc, 0, mp, 0, h)
	}
	wg.Wait()
}

// packB lays op(B) out as, for each kc block in order, np panels of
// kcb x nr values (row p of a panel holds op(B)[p0+p, j0:j0+nr], zero
// padded past n).
func (ws *gemmWS) packB(tB bool, n, k, np int, b []float32, ldb int) {
	need := k * np * nr
	if cap(ws.bp) < need {
		ws.bp = make([]float32, need)
	}
	bp := ws.bp[:need]
	off := 0
	for p0 := 0; p0 < k; p0 += kc {
		kcb := min(kc, k-p0)
		for jp := 0; jp < np; jp++ {
			j0 := jp * nr
			w := min(nr, n-j0)
			dst := bp[off : off+kcb*nr]
			if !tB {
				for p := 0; p < kcb; p++ {
					row := dst[p*nr : p*nr+nr]
					src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+w]
					copy(row, src)
					clear(row[w:])
				}
			} else {
				if w < nr {
					clear(dst)
				}
				for jj := 0; jj < w; jj++ {
					src := b[(j0+jj)*ldb+p0 : (j0+jj)*ldb+p0+kcb]
					for p, v := range src {
						dst[p*nr+jj] = v
					}
				}
			}
			off += kcb * nr
		}
	}
}

// run computes the output panels [ip0, ip1) x [jp0, jp1) with worker w's
// A scratch.
func (ws *gemmWS) run(w int, a aSource, m, n, k int, c []float32, ldc int, acc bool, ip0, ip1, jp0, jp1 int) {
	if cap(ws.ap[w]) < mr*kc {
		ws.ap[w] = make([]float32, mr*kc)
	}
	ap := ws.ap[w][:mr*kc]
	np := (n + nr - 1) / nr
	var tmp [mr * nr]float32
	boff := 0
	for p0 := 0; p0 < k; p0 += kc {
		kcb := min(kc, k-p0)
		add := acc || p0 > 0
		for ip := ip0; ip < ip1; ip++ {
			i0 := ip * mr
			h := min(mr, m-i0)
			a.pack(ap, i0, h, p0, kcb)
			for jp := jp0; jp < jp1; jp++ {
				j0 := jp * nr
				wd := min(nr, n-j0)
				bpan := ws.bp[boff+jp*kcb*nr : boff+(jp+1)*kcb*nr]
				if h == mr && wd == nr {
					microKernel(kcb, ap, bpan, c[i0*ldc+j0:], ldc, add)
					continue
				}
				microKernel(kcb, ap, bpan, tmp[:], nr, false)
				for i := 0; i < h; i++ {
					dst := c[(i0+i)*ldc+j0 : (i0+i)*ldc+j0+wd]
					src := tmp[i*nr : i*nr+wd]
					if add {
						for j, v := range src {
							dst[j] += v
						}
					} else {
						copy(dst, src)
					}
				}
			}
		}
		boff += kcb * np * nr
	}
}

// packA lays rows [i0, i0+h) and columns [p0, p0+kcb) of op(A) out as
// kcb rows of mr values (ap[p*mr+i] = op(A)[i0+i, p0+p], zero padded past h).
func packA(tA bool, ap, a []float32, lda, i0, h, p0, kcb int) {
	ap = ap[:kcb*mr]
	if h < mr {
		clear(ap)
	}
	if tA {
		for p := 0; p < kcb; p++ {
			src := a[(p0+p)*lda+i0 : (p0+p)*lda+i0+h]
			copy(ap[p*mr:p*mr+h], src)
		}
		return
	}
	for i := 0; i < h; i++ {
		src := a[(i0+i)*lda+p0 : (i0+i)*lda+p0+kcb]
		for p, v := range src {
			ap[p*mr+i] = v
		}
	}
}

// kernelGeneric is the portable micro-kernel: for each of the mr x nr
// outputs, a running sum from zero of rounded products over k, then stored
// to C or added to it. Products are converted to float32 explicitly so that
// no compiler may fuse them into multiply-adds: the bits are the same on
// every platform that runs it.
func kernelGeneric(k int, a, b, c []float32, ldc int, accum bool) {
	var s [mr * nr]float32
	for p := 0; p < k; p++ {
		ar := a[p*mr : p*mr+mr : p*mr+mr]
		br := b[p*nr : p*nr+nr : p*nr+nr]
		for i, av := range ar {
			row := s[i*nr : i*nr+nr : i*nr+nr]
			for j, bv := range br {
				row[j] += float32(av * bv)
			}
		}
	}
	for i := 0; i < mr; i++ {
		dst := c[i*ldc : i*ldc+nr]
		src := s[i*nr : i*nr+nr]
		if accum {
			for j, v := range src {
				dst[j] += v
			}
		} else {
			copy(dst, src)
		}
	}
}
