package nn

// convA is the im2col matrix of a convolution over a batch, as a gemm left
// operand that is gathered from the layer's input while packing, never
// stored: row r = (sample, y, x) of the output, column q = (ky, kx, c) of
// the patch, col[r][q] = in[sample*inSz + rowOff[y*OW+x] + colOff[q]].
// With t set it is the transpose (rows q, columns r), the operand of the
// weight gradient.
type convA struct {
	in     []float32
	inSz   int
	pos    int     // output positions per sample
	step   int     // offset between horizontally adjacent pixels (channels)
	rowOff []int32 // per output position, offset of its patch's corner
	colOff []int32 // per patch element, offset from the corner
	t      bool
}

func newConvA(p layerPlan) *convA {
	c := &convA{inSz: p.in.Size(), pos: p.out.H * p.out.W, step: p.in.C}
	C := p.in.C
	for y := 0; y < p.out.H; y++ {
		for x := 0; x < p.out.W; x++ {
			c.rowOff = append(c.rowOff, int32((y*p.in.W+x)*C))
		}
	}
	for ky := 0; ky < p.Kernel; ky++ {
		for kx := 0; kx < p.Kernel; kx++ {
			for ch := 0; ch < C; ch++ {
				c.colOff = append(c.colOff, int32((ky*p.in.W+kx)*C+ch))
			}
		}
	}
	return c
}

func (c *convA) pack(ap []float32, i0, h, p0, kcb int) {
	ap = ap[:kcb*mr]
	if h < mr {
		clear(ap)
	}
	if !c.t {
		cols := c.colOff[p0 : p0+kcb]
		s, q := i0/c.pos, i0%c.pos
		if h == mr && q+mr <= c.pos && c.rowOff[q+mr-1]-c.rowOff[q] == int32((mr-1)*c.step) {
			// Six neighbouring outputs of one image row: their patches
			// are the same pattern shifted by one pixel each.
			img := c.in[s*c.inSz+int(c.rowOff[q]):]
			st := c.step
			for p, off := range cols {
				src := img[int(off) : int(off)+5*st+1]
				d := ap[p*mr : p*mr+mr : p*mr+mr]
				d[0], d[1], d[2], d[3], d[4], d[5] = src[0], src[st], src[2*st], src[3*st], src[4*st], src[5*st]
			}
			return
		}
		for i := 0; i < h; i++ {
			r := i0 + i
			s, q := r/c.pos, r%c.pos
			img := c.in[s*c.inSz+int(c.rowOff[q]):]
			for p, off := range cols {
				ap[p*mr+i] = img[off]
			}
		}
		return
	}
	cols := c.colOff[i0 : i0+h]
	s, q := p0/c.pos, p0%c.pos
	for p := 0; p < kcb; p++ {
		img := c.in[s*c.inSz+int(c.rowOff[q]):]
		if h == mr {
			d := ap[p*mr : p*mr+mr : p*mr+mr]
			o := cols[:mr:mr]
			d[0], d[1], d[2], d[3], d[4], d[5] = img[o[0]], img[o[1]], img[o[2]], img[o[3]], img[o[4]], img[o[5]]
		} else {
			dst := ap[p*mr : p*mr+h]
			for i, off := range cols {
				dst[i] = img[off]
			}
		}
		if q++; q == c.pos {
			s, q = s+1, 0
		}
	}
}

// Shape of the gather micro-kernel: a tile of C is two halves of gh rows,
// each reading its A values from a contiguous run of the layer's input,
// times gn columns.
const (
	gh = 6
	gn = 8
)

// slack is how many float32 past the end of an activation or gradient
// buffer the gather kernel may read (rows of a partial half and columns of
// a partial column block, whose results are discarded). Buffers are
// allocated with this much extra capacity.
const slack = 8

// half is a run of at most gh rows of C whose A values are contiguous in
// the input: A[row+i, p] = in[pidx[p] + off + i] for i < h.
type half struct {
	off, row, h int32
}

// kgathGeneric is the portable gather micro-kernel, with the arithmetic of
// kernelGeneric: for each output a running sum from zero of rounded
// products in increasing p, then added to C if accum, then (see epilogue)
// bias and ReLU, then stored.
func kgathGeneric(k int, img []float32, pidx []int32, off0, off1 int, b []float32, ldb int, c []float32, ldc int, accum bool, bias []float32, relu bool) {
	var s [2 * gh * gn]float32
	for p := 0; p < k; p++ {
		base := int(pidx[p])
		br := b[p*ldb : p*ldb+gn : p*ldb+gn]
		for hv, off := range [2]int{off0, off1} {
			av := img[base+off : base+off+gh : base+off+gh]
			for i, a := range av {
				row := s[(hv*gh+i)*gn : (hv*gh+i+1)*gn : (hv*gh+i+1)*gn]
				for j, bv := range br {
					row[j] += float32(a * bv)
				}
			}
		}
	}
	for i := 0; i < 2*gh; i++ {
		dst := c[i*ldc : i*ldc+gn : i*ldc+gn]
		src := s[i*gn : i*gn+gn : i*gn+gn]
		if accum {
			for j, v := range dst {
				src[j] += v
			}
		}
		epilogue(src, bias, relu)
		copy(dst, src)
	}
}

// epilogue adds bias (if not nil) to v and applies ReLU (if relu), with the
// arithmetic of biasActRange.
func epilogue(v, bias []float32, relu bool) {
	if bias != nil {
		for j := range v {
			v[j] += bias[j]
		}
	}
	if relu {
		for j, x := range v {
			if !(x > 0) {
				v[j] = 0
			}
		}
	}
}

// direct holds what the convolution of one layer needs to run on the
// gather kernel instead of the packed gemm: the forward product (only for
// single-channel input, whose output rows are contiguous runs of pixels)
// and the weight gradient (any input).
type direct struct {
	fwd     bool
	fwdHalf []half  // output rows of one sample, in runs of gh along image rows
	colOff  []int32 // = convA.colOff, non-decreasing when C == 1
	wp      []float32
	fp      int // filters rounded up to gn
	inSz    int
	pos     int     // output positions per sample
	rowAbs  []int32 // per output row of the batch, offset of its patch corner
	dwHalf  []half  // rows of the weight gradient, in runs along patch rows
}

func newDirect(p layerPlan, ca *convA, batch int, train bool) *direct {
	d := &direct{fwd: p.in.C == 1, colOff: ca.colOff, fp: (p.Filters + gn - 1) / gn * gn, inSz: ca.inSz, pos: ca.pos}
	if d.fwd {
		d.wp = make([]float32, (len(ca.colOff)+1)*d.fp) // weights, then bias
		for y := 0; y < p.out.H; y++ {
			for x := 0; x < p.out.W; x += gh {
				q := y*p.out.W + x
				d.fwdHalf = append(d.fwdHalf, half{off: ca.rowOff[q], row: int32(q), h: int32(min(gh, p.out.W-x))})
			}
		}
	}
	if train {
		for s := 0; s < batch; s++ {
			for _, o := range ca.rowOff {
				d.rowAbs = append(d.rowAbs, int32(s*ca.inSz)+o)
			}
		}
		run := p.Kernel * p.in.C // a patch row is contiguous in the input
		for ky := 0; ky < p.Kernel; ky++ {
			for c0 := 0; c0 < run; c0 += gh {
				q := ky*run + c0
				d.dwHalf = append(d.dwHalf, half{off: ca.colOff[q], row: int32(q), h: int32(min(gh, run-c0))})
			}
		}
	}
	return d
}

// tile runs the gather kernel over k (split into kc blocks as gemm does)
// for the rows of halves h0 and h1 (h1.h == 0: none) and columns
// [j0, j0+gn) of C (n columns, leading dimension n), setting C (or with
// acc adding to it), then adds bias[j0:j0+gn] (if not nil) and applies
// ReLU (if relu). Rows and columns outside C are computed into tmp and
// dropped.
func gatherTile(img []float32, pidx []int32, k int, h0, h1 half, b []float32, ldb, j0 int, c []float32, n int, acc bool, bias []float32, relu bool, tmp *[2 * gh * gn]float32) {
	if bias != nil {
		bias = bias[j0 : j0+gn]
	}
	wd := min(gn, n-j0)
	full := h0.h == gh && h1.h == gh && h1.row == h0.row+gh && wd == gn
	for p0 := 0; p0 < k; p0 += kc {
		kcb := min(kc, k-p0)
		add := acc || p0 > 0
		pi := pidx[p0 : p0+kcb]
		bb := b[p0*ldb+j0:]
		var bs []float32
		rl := false
		if p0+kcb == k {
			bs, rl = bias, relu
		}
		if full {
			gatherKernel(kcb, img, pi, int(h0.off), int(h1.off), bb, ldb, c[int(h0.row)*n+j0:], n, add, bs, rl)
			continue
		}
		gatherKernel(kcb, img, pi, int(h0.off), int(h1.off), bb, ldb, tmp[:], gn, false, nil, false)
		for hv, hf := range [2]half{h0, h1} {
			for i := 0; i < int(hf.h); i++ {
				dst := c[(int(hf.row)+i)*n+j0 : (int(hf.row)+i)*n+j0+wd]
				src := tmp[(hv*gh+i)*gn : (hv*gh+i)*gn+wd]
				if add {
					for j, v := range dst {
						src[j] += v
					}
				}
				if bs != nil {
					epilogue(src, bs[:wd], rl)
				} else {
					epilogue(src, nil, rl)
				}
				copy(dst, src)
			}
		}
	}
}

// forward sets out (nb*pos rows of F values) to the convolution of the nb
// single-channel samples in in (with slack capacity) with weights w (kk x
// F), plus bias (if not nil) and then ReLU (if relu): the same arithmetic
// as the packed gemm followed by biasAct.
func (d *direct) forward(out, in, w, bias []float32, relu bool, F, nb int, par bool) {
	kk := len(d.colOff)
	for q := 0; q < kk; q++ {
		row := d.wp[q*d.fp : (q+1)*d.fp]
		copy(row, w[q*F:(q+1)*F])
		clear(row[F:])
	}
	var bp []float32
	if bias != nil {
		bp = d.wp[kk*d.fp : (kk+1)*d.fp]
		copy(bp, bias[:F])
		clear(bp[F:])
	}
	in = in[:cap(in)]
	hps, pos := len(d.fwdHalf), d.pos
	nh := nb * hps
	nt := (nh + 1) / 2
	ncb := d.fp / gn
	units := nt * ncb
	par2(units, par && nb*pos*kk*F >= gemmParallelMin, func(lo, hi int) {
		var tmp [2 * gh * gn]float32
		for u := lo; u < hi; u++ {
			t, cb := u/ncb, u%ncb
			h0 := d.fwdRows(2 * t)
			var h1 half
			if 2*t+1 < nh {
				h1 = d.fwdRows(2*t + 1)
			} else {
				h1 = half{off: h0.off}
			}
			gatherTile(in, d.colOff, kk, h0, h1, d.wp, d.fp, cb*gn, out, F, false, bp, relu, &tmp)
		}
	})
}

// fwdRows is the i-th run of output rows of the batch.
func (d *direct) fwdRows(i int) half {
	hps := len(d.fwdHalf)
	s := i / hps
	h := d.fwdHalf[i%hps]
	h.off += int32(s * d.inSz)
	h.row += int32(s * d.pos)
	return h
}

// weightGrad sets dw (kk x F) to the product of the transposed im2col
// matrix of in (nb samples, with slack capacity) and dz (nb*pos rows of F
// values, with slack capacity): the same arithmetic as the packed gemm, by
// kc blocks of output rows. Tiles are split between two goroutines, never
// the summed rows.
func (d *direct) weightGrad(dw, in, dz []float32, F, nb int, par bool) {
	in, dz = in[:cap(in)], dz[:cap(dz)]
	P := nb * d.pos
	pidx := d.rowAbs[:P]
	nh := len(d.dwHalf)
	nt := (nh + 1) / 2
	ncb := d.fp / gn
	units := nt * ncb
	par2(units, par && P*len(d.colOff)*F >= gemmParallelMin, func(lo, hi int) {
		var tmp [2 * gh * gn]float32
		for u := lo; u < hi; u++ {
			t, cb := u/ncb, u%ncb
			h0 := d.dwHalf[2*t]
			h1 := half{off: h0.off}
			if 2*t+1 < nh {
				h1 = d.dwHalf[2*t+1]
			}
			gatherTile(in, pidx, P, h0, h1, dz, F, cb*gn, dw, F, false, nil, false, &tmp)
		}
	})
}
