package nn

import "math"

// runner holds the scratch space of forward and backward passes over
// batches of up to batch samples. Activations of convolution and pooling
// layers are kept per sample in height, width, channel order, so that a
// convolution over the whole batch is one matrix product (im2col).
type runner struct {
	m     *Model
	batch int
	acts  [][]float32 // acts[0]: input batch; acts[i+1]: output of plan[i]
	grads [][]float32 // gradient of the loss w.r.t. acts[i] (nil for i == 0)
	conv  []*convA    // im2col operand of conv layers
	dir   []*direct   // gather-kernel plans of conv layers
	amax  [][]int32   // per pool output, index of the max in its input
	dcol  []float32   // gradient of an im2col matrix
	grad  []float32   // gradient of the loss w.r.t. Params
	ws    gemmWS
	// serial keeps all work on the calling goroutine. Splits never change
	// results, only who computes them, so this changes no bits.
	serial bool
}

func newRunner(m *Model, batch int, train bool) *runner {
	r := &runner{m: m, batch: batch}
	np := len(m.plan)
	r.acts = make([][]float32, np+1)
	r.conv = make([]*convA, np)
	r.dir = make([]*direct, np)
	r.amax = make([][]int32, np)
	r.acts[0] = make([]float32, batch*m.plan[0].in.Size(), batch*m.plan[0].in.Size()+slack)
	maxCol := 0
	for i, p := range m.plan {
		r.acts[i+1] = make([]float32, batch*p.out.Size(), batch*p.out.Size()+slack)
		switch p.Kind {
		case Conv:
			r.conv[i] = newConvA(p)
			r.dir[i] = newDirect(p, r.conv[i], batch, train)
			if i > 0 && train {
				maxCol = max(maxCol, batch*p.out.H*p.out.W*p.Kernel*p.Kernel*p.in.C)
			}
		case MaxPool:
			if train {
				r.amax[i] = make([]int32, batch*p.out.Size())
			}
		}
	}
	if train {
		r.grads = make([][]float32, np+1)
		for i := 1; i <= np; i++ {
			r.grads[i] = make([]float32, len(r.acts[i]), len(r.acts[i])+slack)
		}
		r.dcol = make([]float32, maxCol)
		r.grad = make([]float32, len(m.Params))
	}
	return r
}

// load copies samples idx (or, if idx is nil, samples off..off+nb-1) of x
// into the input batch, converting C x H x W to H x W x C.
func (r *runner) load(x []float32, idx []int, off, nb int) {
	in := r.m.plan[0].in
	sz := in.Size()
	dst := r.acts[0][:nb*sz]
	for s := 0; s < nb; s++ {
		k := off + s
		if idx != nil {
			k = idx[s]
		}
		src := x[k*sz : (k+1)*sz]
		d := dst[s*sz : (s+1)*sz]
		if in.C == 1 {
			copy(d, src)
			continue
		}
		hw := in.H * in.W
		for c := 0; c < in.C; c++ {
			for q := 0; q < hw; q++ {
				d[q*in.C+c] = src[c*hw+q]
			}
		}
	}
}

// forward computes every layer's output for the nb samples loaded; the
// logits end up in acts[len(plan)].
func (r *runner) forward(nb int) {
	P := r.m.Params
	for i, p := range r.m.plan {
		in, out := r.acts[i], r.acts[i+1]
		switch p.Kind {
		case Conv:
			rows := nb * p.out.H * p.out.W
			kk := p.Kernel * p.Kernel * p.in.C
			bias := P[p.b : p.b+p.Filters]
			if d := r.dir[i]; d.fwd && (p.Act == ActNone || p.Act == ActReLU) {
				// Bias and activation fused into the kernel.
				d.forward(out, in, P[p.w:p.w+p.nw], bias, p.Act == ActReLU, p.Filters, nb, !r.serial)
				break
			} else if d.fwd {
				d.forward(out, in, P[p.w:p.w+p.nw], nil, false, p.Filters, nb, !r.serial)
			} else {
				ca := r.conv[i]
				ca.in, ca.t = in, false
				r.ws.gemmSrc(ca, false, rows, p.Filters, kk, P[p.w:p.w+p.nw], p.Filters, out, p.Filters, false)
			}
			biasAct(out[:rows*p.Filters], bias, p.Act, !r.serial)
		case MaxPool:
			var amax []int32
			if r.amax[i] != nil {
				amax = r.amax[i]
			}
			maxPool(out, amax, in, nb, p, !r.serial)
		case Dense:
			k := p.in.Size()
			r.ws.gemm(false, false, nb, p.Units, k, in, k, P[p.w:p.w+p.nw], p.Units, out, p.Units, false)
			biasAct(out[:nb*p.Units], P[p.b:p.b+p.Units], p.Act, !r.serial)
		}
	}
}

// biasAct adds the bias b to each row of out and applies the activation.
func biasAct(out, b []float32, act Activation, par bool) {
	n := len(b)
	rows := len(out) / n
	par2(rows, par && len(out) >= 1<<14, func(lo, hi int) { biasActRange(out[lo*n:hi*n], b, act) })
}

func biasActRange(out, b []float32, act Activation) {
	n := len(b)
	for r := 0; r+n <= len(out); r += n {
		row := out[r : r+n : r+n]
		switch act {
		case ActNone:
			if biasActRowVec(row, b, false) {
				continue
			}
			for j, bv := range b {
				row[j] += bv
			}
		case ActReLU:
			if biasActRowVec(row, b, true) {
				continue
			}
			for j, bv := range b {
				v := row[j] + bv
				if !(v > 0) {
					v = 0
				}
				row[j] = v
			}
		case ActSigmoid:
			for j, bv := range b {
				row[j] = sigmoid32(row[j] + bv)
			}
		case ActTanh:
			if tanhBiasRow(row, b) {
				continue
			}
			for j, bv := range b {
				row[j] = tanh32(row[j] + bv)
			}
		}
	}
}

// actGrad multiplies the gradient g in place by the activation's derivative,
// expressed through the activation's output y.
func actGrad(g, y []float32, act Activation, par bool) {
	if act == ActNone {
		return
	}
	h := len(g) / 2
	par2(2, par && len(g) >= 1<<14, func(lo, hi int) {
		a, b := lo*h, hi*h
		if hi == 2 {
			b = len(g)
		}
		actGradRange(g[a:b], y[a:b], act)
	})
}

func actGradRange(g, y []float32, act Activation) {
	if actGradVec(g, y, act) {
		return
	}
	y = y[:len(g)]
	switch act {
	case ActReLU:
		for i, v := range y {
			if !(v > 0) {
				g[i] = 0
			}
		}
	case ActSigmoid:
		for i, v := range y {
			g[i] *= float32(v * (1 - v))
		}
	case ActTanh:
		for i, v := range y {
			g[i] *= 1 - float32(v*v)
		}
	}
}

// col2im adds the rows of dcol back onto the input positions they were
// read from, in a fixed order (sample, y, x, ky).
func col2im(dx, dcol []float32, nb int, p layerPlan) {
	K, C := p.Kernel, p.in.C
	inSz := p.in.Size()
	rowW := K * C
	kk := K * rowW
	clear(dx[:nb*inSz])
	o := 0
	for s := 0; s < nb; s++ {
		img := dx[s*inSz : (s+1)*inSz]
		for oy := 0; oy < p.out.H; oy++ {
			for ox := 0; ox < p.out.W; ox++ {
				src := dcol[o : o+kk]
				for ky := 0; ky < K; ky++ {
					d := img[((oy+ky)*p.in.W+ox)*C:][:rowW]
					for j, v := range src[ky*rowW : (ky+1)*rowW] {
						d[j] += v
					}
				}
				o += kk
			}
		}
	}
}

// maxPool takes the maximum of each non-overlapping Size x Size window
// (rows and columns past the last whole window are dropped). If amax is not
// nil it records, per output, the input index of the maximum (the first one
// in window order on ties). Samples are independent, so the batch is split
// in two fixed halves run in parallel.
func maxPool(out []float32, amax []int32, in []float32, nb int, p layerPlan, par bool) {
	par2(nb, par && nb*p.in.Size() >= 1<<14, func(lo, hi int) { maxPoolRange(out, amax, in, lo, hi, p) })
}

func maxPoolRange(out []float32, amax []int32, in []float32, lo, hi int, p layerPlan) {
	S, C := p.Size, p.in.C
	inSz, outSz := p.in.Size(), p.out.Size()
	for s := lo; s < hi; s++ {
		for oy := 0; oy < p.out.H; oy++ {
			if S == 2 && p.out.W > 0 {
				ob := s*outSz + oy*p.out.W*C
				base := s*inSz + oy*S*p.in.W*C
				var am []int32
				if amax != nil {
					am = amax[ob : ob+p.out.W*C]
				}
				if pool2Row(p.out.W, C, p.in.W*C, in[base:], base, out[ob:ob+p.out.W*C], am) {
					continue
				}
			}
			for ox := 0; ox < p.out.W; ox++ {
				ob := s*outSz + (oy*p.out.W+ox)*C
				o := out[ob : ob+C : ob+C]
				base := s*inSz + ((oy*S)*p.in.W+ox*S)*C
				copy(o, in[base:base+C])
				var am []int32
				if amax != nil {
					am = amax[ob : ob+C : ob+C]
					for c := range am {
						am[c] = int32(base + c)
					}
				}
				for dy := 0; dy < S; dy++ {
					for dx := 0; dx < S; dx++ {
						k := base + (dy*p.in.W+dx)*C
						v := in[k : k+C : k+C]
						for c, x := range v {
							if x > o[c] {
								o[c] = x
								if am != nil {
									am[c] = int32(k + c)
								}
							}
						}
					}
				}
			}
		}
	}
}

// par2 runs f on [0, n/2) and [n/2, n), concurrently if parallel, for work
// whose items are independent: the split is fixed, so results do not depend
// on scheduling.
func par2(n int, parallel bool, f func(lo, hi int)) {
	if !parallel || n < 2 {
		f(0, n)
		return
	}
	h := n / 2
	done := make(chan struct{})
	go func() {
		f(h, n)
		close(done)
	}()
	f(0, h)
	<-done
}

// lossGrad turns the logits of nb samples into the gradient of the mean
// cross-entropy (softmax(z) - onehot(y)) / nb, written to g, and returns the
// summed (not mean) loss and the number of correct argmax predictions.
// Softmax is computed in float64 after subtracting the row maximum.
func lossGrad(g, z []float32, y []uint8, nb, classes int) (loss float64, correct int) {
	inv := 1 / float64(nb)
	for s := 0; s < nb; s++ {
		row := z[s*classes : (s+1)*classes]
		mx, arg := row[0], 0
		for j, v := range row {
			if v > mx {
				mx, arg = v, j
			}
		}
		if arg == int(y[s]) {
			correct++
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(float64(v - mx))
		}
		loss += math.Log(sum) - float64(row[y[s]]-mx)
		if g == nil {
			continue
		}
		gr := g[s*classes : (s+1)*classes]
		for j, v := range row {
			q := math.Exp(float64(v-mx)) / sum
			if j == int(y[s]) {
				q--
			}
			gr[j] = float32(q * inv)
		}
	}
	return loss, correct
}

// backward computes r.grad from the gradient of the logits in
// grads[len(plan)], after forward on the same batch.
func (r *runner) backward(nb int) {
	P := r.m.Params
	firstParam := 0
	for firstParam < len(r.m.plan) && r.m.plan[firstParam].Kind == MaxPool {
		firstParam++
	}
	for i := len(r.m.plan) - 1; i >= 0; i-- {
		p := r.m.plan[i]
		dz := r.grads[i+1][:nb*p.out.Size()]
		needDX := i > firstParam
		switch p.Kind {
		case Conv:
			if i+1 == len(r.m.plan) || r.m.plan[i+1].Kind != MaxPool {
				actGrad(dz, r.acts[i+1], p.Act, !r.serial)
			}
			rows := nb * p.out.H * p.out.W
			kk := p.Kernel * p.Kernel * p.in.C
			r.dir[i].weightGrad(r.grad[p.w:p.w+p.nw], r.acts[i], r.grads[i+1], p.Filters, nb, !r.serial)
			colSums(r.grad[p.b:p.b+p.Filters], dz)
			if needDX {
				dcol := r.dcol[:rows*kk]
				r.ws.gemm(false, true, rows, kk, p.Filters, dz, p.Filters, P[p.w:p.w+p.nw], p.Filters, dcol, kk, false)
				col2im(r.grads[i], dcol, nb, p)
			}
		case MaxPool:
			if needDX {
				if i > 0 && r.m.plan[i-1].Kind == Conv {
					// The convolution's activation derivative, applied
					// here to the few values that reach it: pooling
					// passes each gradient to one input, whose output
					// y is the pooled value, and the derivative is a
					// function of y. Same bits, a quarter of the work.
					actGrad(dz, r.acts[i+1], r.m.plan[i-1].Act, !r.serial)
				}
				dx := r.grads[i][:nb*p.in.Size()]
				clear(dx)
				for o, k := range r.amax[i][:len(dz)] {
					dx[k] += dz[o]
				}
			}
		case Dense:
			actGrad(dz, r.acts[i+1], p.Act, !r.serial)
			k := p.in.Size()
			r.ws.gemm(true, false, k, p.Units, nb, r.acts[i], k, dz, p.Units, r.grad[p.w:p.w+p.nw], p.Units, false)
			colSums(r.grad[p.b:p.b+p.Units], dz)
			if needDX {
				r.ws.gemm(false, true, nb, k, p.Units, dz, p.Units, P[p.w:p.w+p.nw], p.Units, r.grads[i], k, false)
			}
		}
	}
}

// colSums sets db[j] to the sum over rows of g[row*len(db)+j], rows in order.
func colSums(db, g []float32) {
	if colSumsVec(db, g) {
		return
	}
	clear(db)
	n := len(db)
	for r := 0; r+n <= len(g); r += n {
		for j, v := range g[r : r+n] {
			db[j] += v
		}
	}
}
