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
