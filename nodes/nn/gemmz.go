package nn

import "sync"

// Shape of a tile of the strided matrix multiply (gemmZ): two A panels of
// mr rows by two vectors of 16 columns.
const (
	zmr = 2 * mr
	znr = 32
)

// zPackMin is the size of the other dimension from which gemmZ packs an
// operand: A when n >= zPackMin, B when m >= zPackMin. Packing costs one
// copy per element and is then re-read by at least zPackMin/32 tiles;
// unpacked operands whose rows lie a large power of two apart would thrash
// the L1 sets that their rows share.
const zPackMin = 128

// gemmZ is gemmSrc on the strided kernels (kz), which can read a stored A
// (or its transpose) and a row-major B where they lie: on the MLP's
// shapes (m = 64, n = 100) packing cost a third of the product. A is
// packed only if it is not a stored matrix (the im2col matrix of a
// convolution), for a partial row tile, or if n >= zPackMin; B only if
// transposed or if m >= zPackMin. The arithmetic of every output element
// is gemm's: per kc block a running sum from zero over the block's indices
// in order, then stored to C or added to it, so results are bit-identical
// to gemm's with the same element operations. m, n, k >= 1.
func (ws *gemmWS) gemmZ(a aSource, tB bool, m, n, k int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	mt := (m + zmr - 1) / zmr
	nt := (n + znr - 1) / znr
	var bp []float32
	if tB || m >= zPackMin {
		need := k * nt * znr
		if cap(ws.bp) < need {
			ws.bp = make([]float32, need)
		}
		bp = ws.bp[:need]
		packBZ(bp, tB, b, ldb, n, k)
	}
	if ws.serial || m*n*k < gemmParallelMin || (mt < 2 && nt < 2) {
		ws.runZ(0, a, m, n, k, b, ldb, bp, c, ldc, acc, 0, mt, 0, nt)
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	if mt >= 2 {
		h := (mt + 1) / 2
		go func() {
			ws.runZ(1, a, m, n, k, b, ldb, bp, c, ldc, acc, h, mt, 0, nt)
			wg.Done()
		}()
		ws.runZ(0, a, m, n, k, b, ldb, bp, c, ldc, acc, 0, h, 0, nt)
	} else {
		h := (nt + 1) / 2
		go func() {
			ws.runZ(1, a, m, n, k, b, ldb, bp, c, ldc, acc, 0, mt, h, nt)
			wg.Done()
		}()
		ws.runZ(0, a, m, n, k, b, ldb, bp, c, ldc, acc, 0, mt, 0, h)
	}
	wg.Wait()
}

// packBZ lays op(B) (k x n; stored n x k if tB) out as, for each kc block
// in order, panels of kcb rows of znr values: op(B)[p0+p, jt*znr+j] at
// bp[p0*np + jt*kcb*znr + p*znr + j], np = n rounded up to znr. Values
// past n are left as they are: the kernels mask them off. A transposed B
// is moved in 8x8 blocks, transposed in registers.
func packBZ(bp []float32, tB bool, b []float32, ldb, n, k int) {
	np := (n + znr - 1) / znr * znr
	for p0 := 0; p0 < k; p0 += kc {
		kcb := min(kc, k-p0)
		blk := bp[p0*np : p0*np+kcb*np]
		for j0 := 0; j0 < n; j0 += znr {
			wd := min(znr, n-j0)
			pan := blk[j0*kcb : j0*kcb+kcb*znr]
			if !tB {
				for p := 0; p < kcb; p++ {
					copy(pan[p*znr:p*znr+wd], b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+wd])
				}
				continue
			}
			for jj := 0; jj < wd; jj += 8 {
				jh := min(8, wd-jj)
				for pp := 0; pp < kcb; pp += 8 {
					ph := min(8, kcb-pp)
					src := b[(j0+jj)*ldb+p0+pp:]
					if jh == 8 && ph == 8 {
						transposeBlock8(pan[pp*znr+jj:], znr, src, ldb)
						continue
					}
					for j := 0; j < jh; j++ {
						for p := 0; p < ph; p++ {
							pan[(pp+p)*znr+jj+j] = src[j*ldb+p]
						}
					}
				}
			}
		}
	}
}

// runZ computes the tiles [it0, it1) x [jt0, jt1) of C with worker w's
// scratch. A tile whose rows reach past m is computed into a scratch tile
// (by the 6-row kernel if it has at most 6 rows, its missing rows read as
// zeros) and its rows of C are then
// stored or added one element at a time, as gemm does with its edge
// tiles; columns past n are masked off inside the kernel.
// B is read from bp if it is not nil (see packBZ), else from b.
func (ws *gemmWS) runZ(w int, a aSource, m, n, k int, b []float32, ldb int, bp []float32, c []float32, ldc int, acc bool, it0, it1, jt0, jt1 int) {
	if cap(ws.ap[w]) < 2*mr*kc {
		ws.ap[w] = make([]float32, 2*mr*kc)
	}
	ap0, ap1 := ws.ap[w][:mr*kc], ws.ap[w][mr*kc:2*mr*kc]
	mat, stored := a.(*matA)
	stored = stored && n < zPackMin
	rs, cs := 1, mr
	if stored {
		rs, cs = mat.lda, 1
		if mat.t {
			rs, cs = 1, mat.lda
		}
	}
	nt := (n + znr - 1) / znr
	var tmp [zmr * znr]float32
	for p0 := 0; p0 < k; p0 += kc {
		kcb := min(kc, k-p0)
		add := acc || p0 > 0
		for it := it0; it < it1; it++ {
			i0 := it * zmr
			h := min(zmr, m-i0)
			var a0, a1 []float32
			trs, tcs := 1, mr
			rows := zmr
			if stored && h == zmr {
				off := i0*rs + p0*cs
				end := off + (zmr-1)*rs + (kcb-1)*cs + 1 // past the last read
				a0, a1, trs, tcs = mat.a[off:end], mat.a[off+mr*rs:end], rs, cs
			} else {
				a.pack(ap0, i0, min(h, mr), p0, kcb)
				a0, a1 = ap0[:kcb*mr], ap0[:kcb*mr]
				if h > mr {
					a.pack(ap1, i0+mr, h-mr, p0, kcb)
					a1 = ap1[:kcb*mr]
				} else {
					rows = mr // a tail of at most 6 rows: the 6-row kernel
				}
			}
			for jt := jt0; jt < jt1; jt++ {
				j0 := jt * znr
				wd := min(znr, n-j0)
				var bb []float32
				bld := ldb
				if bp != nil {
					o := p0*nt*znr + j0*kcb
					bb, bld = bp[o:o+kcb*znr], znr
				} else {
					bb = b[p0*ldb+j0 : p0*ldb+j0+(kcb-1)*ldb+wd]
				}
				if h == zmr {
					cc := c[i0*ldc+j0 : i0*ldc+j0+(zmr-1)*ldc+wd]
					kz(zmr, wd, kcb, a0, a1, trs, tcs, bb, bld, cc, ldc, add)
					continue
				}
				kz(rows, wd, kcb, a0, a1, trs, tcs, bb, bld, tmp[:], znr, false)
				for i := 0; i < h; i++ {
					dst := c[(i0+i)*ldc+j0 : (i0+i)*ldc+j0+wd]
					src := tmp[i*znr : i*znr+wd]
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
	}
}
