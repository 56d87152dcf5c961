//go:build amd64 && !purego

package nn

// actGradVec is actGradRange for ReLU and tanh on the AVX-512 path (16
// lanes, the same float32 operations per element), reporting whether it
// ran.
func actGradVec(g, y []float32, act Activation) bool {
	if !useAVX512 || len(g) == 0 || (act != ActReLU && act != ActTanh) {
		return false
	}
	y = y[:len(g)]
	if act == ActTanh {
		actGradTanh16(len(g), &g[0], &y[0])
	} else {
		actGradReLU16(len(g), &g[0], &y[0])
	}
	return true
}

// colSumsVec is colSums on the AVX-512 path: each column's sum from +0
// over the rows in order, 16 columns at a time; it reports whether it ran.
func colSumsVec(db, g []float32) bool {
	n := len(db)
	rows := 0
	if n > 0 {
		rows = len(g) / n
	}
	if !useAVX512 || rows == 0 {
		return false
	}
	_ = g[rows*n-1]
	colSums16(rows, n, &db[0], &g[0])
	return true
}

//go:noescape
func actGradTanh16(n int, dz, y *float32)

//go:noescape
func actGradReLU16(n int, dz, y *float32)

//go:noescape
func colSums16(rows, n int, db, dz *float32)

// sgdStepVec is Trainer.update's loop on the AVX-512 path (the same
// float32 operations per parameter), reporting whether it ran.
func sgdStepVec(p, v, g []float32, lr, mu float32) bool {
	if !useAVX512 || len(p) == 0 {
		return false
	}
	_, _ = v[len(p)-1], g[len(p)-1]
	sgdStep16(len(p), &p[0], &v[0], &g[0], lr, mu)
	return true
}

// biasActRowVec is one row of biasActRange for no activation or ReLU on
// the AVX-512 path, reporting whether it ran.
func biasActRowVec(row, b []float32, relu bool) bool {
	if !useAVX512 || len(b) == 0 {
		return false
	}
	_ = row[len(b)-1]
	biasAct16(len(b), &row[0], &b[0], relu)
	return true
}

//go:noescape
func sgdStep16(n int, p, v, dz *float32, lr, mu float32)

//go:noescape
func biasAct16(n int, row, b *float32, relu bool)
