package nn

import "sync"

// Shape of a tile of the strided matrix multiply (gemmZ): two A panels of
// mr rows by two vectors of 16 columns.
const (
	zmr = 2 * mr
	znr = 32
)

// gemmZ is gemmSrc on the strided kernels (kz), which read a stored A (or
// its transpose) and a row-major B where they lie instead of packing them:
// on the MLP's shapes packing cost a third of the product. Only a left
// operand that is not a stored matrix (the im2col matrix of a
// convolution), the last partial row tile, and a transposed B (which is
// transposed once into scratch) are copied. The arithmetic of every output
// element is gemm's: per kc block a running sum from zero over the block's
// indices in order, then stored to C or added to it, so results are
// bit-identical to gemm's with the same element operations. m, n, k >= 1.
func (ws *gemmWS) gemmZ(a aSource, tB bool, m, n, k int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	if tB {
		need := k * n
		if cap(ws.bt) < need {
			ws.bt = make([]float32, need)
		}
		bt := ws.bt[:need]
		transposeInto(bt, b, ldb, n, k)
		b, ldb = bt, n
	}
	mt := (m + zmr - 1) / zmr
	nt := (n + znr - 1) / znr
	if ws.serial || m*n*k < gemmParallelMin || (mt < 2 && nt < 2) {
		ws.runZ(0, a, m, n, k, b, ldb, c, ldc, acc, 0, mt, 0, nt)
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	if mt >= 2 {
		h := (mt + 1) / 2
		go func() {
			ws.runZ(1, a, m, n, k, b, ldb, c, ldc, acc, h, mt, 0, nt)
			wg.Done()
		}()
		ws.runZ(0, a, m, n, k, b, ldb, c, ldc, acc, 0, h, 0, nt)
	} else {
		h := (nt + 1) / 2
		go func() {
			ws.runZ(1, a, m, n, k, b, ldb, c, ldc, acc, 0, mt, h, nt)
			wg.Done()
		}()
		ws.runZ(0, a, m, n, k, b, ldb, c, ldc, acc, 0, mt, 0, h)
	}
	wg.Wait()
}

// transposeInto sets dst[p*n+j] = src[j*lds+p] for j < n, p < k, in
// blocks of 8x8 so that both sides stay in cache lines.
func transposeInto(dst, src []float32, lds, n, k int) {
	const blk = 8
	for j0 := 0; j0 < n; j0 += blk {
		jh := min(blk, n-j0)
		for p0 := 0; p0 < k; p0 += blk {
			ph := min(blk, k-p0)
			for j := j0; j < j0+jh; j++ {
				row := src[j*lds+p0 : j*lds+p0+ph]
				for pp, v := range row {
					dst[(p0+pp)*n+j] = v
				}
			}
		}
	}
}

// runZ computes the tiles [it0, it1) x [jt0, jt1) of C with worker w's
// scratch. A tile whose rows reach past m is computed in full into a
// scratch tile (its missing rows read as zeros) and its rows of C are then
// stored or added one element at a time, as gemm does with its edge
// tiles; columns past n are masked off inside the kernel.
func (ws *gemmWS) runZ(w int, a aSource, m, n, k int, b []float32, ldb int, c []float32, ldc int, acc bool, it0, it1, jt0, jt1 int) {
	if cap(ws.ap[w]) < 2*mr*kc {
		ws.ap[w] = make([]float32, 2*mr*kc)
	}
	ap0, ap1 := ws.ap[w][:mr*kc], ws.ap[w][mr*kc:2*mr*kc]
	mat, stored := a.(*matA)
	rs, cs := 1, mr
	if stored {
		rs, cs = mat.lda, 1
		if mat.t {
			rs, cs = 1, mat.lda
		}
	}
	var tmp [zmr * znr]float32
	for p0 := 0; p0 < k; p0 += kc {
		kcb := min(kc, k-p0)
		add := acc || p0 > 0
		for it := it0; it < it1; it++ {
			i0 := it * zmr
			h := min(zmr, m-i0)
			var a0, a1 []float32
			trs, tcs := 1, mr
			if stored && h == zmr {
				off := i0*rs + p0*cs
				end := off + (zmr-1)*rs + (kcb-1)*cs + 1 // past the last read
				a0, a1, trs, tcs = mat.a[off:end], mat.a[off+mr*rs:end], rs, cs
			} else {
				a.pack(ap0, i0, min(h, mr), p0, kcb)
				if h > mr {
					a.pack(ap1, i0+mr, h-mr, p0, kcb)
				} else {
					clear(ap1[:kcb*mr])
				}
				a0, a1 = ap0[:kcb*mr], ap1[:kcb*mr]
			}
			for jt := jt0; jt < jt1; jt++ {
				j0 := jt * znr
				wd := min(znr, n-j0)
				bb := b[p0*ldb+j0 : p0*ldb+j0+(kcb-1)*ldb+wd]
				if h == zmr {
					cc := c[i0*ldc+j0 : i0*ldc+j0+(zmr-1)*ldc+wd]
					kz(wd, kcb, a0, a1, trs, tcs, bb, ldb, cc, ldc, add)
					continue
				}
				kz(wd, kcb, a0, a1, trs, tcs, bb, ldb, tmp[:], znr, false)
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
