package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// benchData is n synthetic 1x28x28 samples with 10 classes.
func benchData(n int) ([]float32, []uint8) {
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, n*784)
	for i := range x {
		x[i] = r.Float32()
	}
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(r.IntN(10))
	}
	return x, y
}

// BenchmarkEpoch trains the three peer presets for one pass over 6400
// synthetic Fashion-MNIST-shaped samples (batch 64) and reports GFLOP/s
// by the FLOPs accounting.
func BenchmarkEpoch(b *testing.B) {
	const n = 6400
	x, y := benchData(n)
	for _, name := range []string{"mlp", "mlp2", "cnn"} {
		b.Run(name, func(b *testing.B) {
			a, err := Preset(name, 1, 28, 28, 10)
			if err != nil {
				b.Fatal(err)
			}
			m, _ := NewModel(a, 1)
			tr, err := NewTrainer(m, DefaultTrainConfig)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Epoch(x, y, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(a.TrainFLOPs(n, b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemm measures the matrix multiply on the shapes of the mlp
// preset's dense layer (forward, input gradient, weight gradient).
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"fwd64x100x784", false, false, 64, 100, 784},
		{"dx64x784x100", false, true, 64, 784, 100},
		{"dw784x100x64", true, false, 784, 100, 64},
		{"conv36864x8x25", false, false, 36864, 8, 25},
		{"convdw25x8x36864", true, false, 25, 8, 36864},
		{"sq512", false, false, 512, 512, 512},
	} {
		b.Run(s.name, func(b *testing.B) {
			a := randSlice(r, s.m*s.k)
			bb := randSlice(r, s.k*s.n)
			c := make([]float32, s.m*s.n)
			lda, ldb := s.k, s.n
			if s.tA {
				lda = s.m
			}
			if s.tB {
				ldb = s.k
			}
			var ws gemmWS
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ws.gemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n, false)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// gemmShapes are the products whose GFLOP/s nodes/nn/bench/kernels.sh
// tabulates beside PyTorch and NumPy (nodes/nn/bench/matmul_peer.py has
// the same list): the mlp preset's dense layer on Fashion-MNIST (forward,
// input gradient, weight gradient), the digits grammar's widest dense
// layer at its batch of 32 and its output layer, and a large square
// product. Names are m x k x n with the transposed operand marked.
var gemmShapes = []struct {
	name    string
	tA, tB  bool
	m, k, n int
}{
	{"mlp-fwd-64x784x100", false, false, 64, 784, 100},
	{"mlp-dx-64x100x784t", false, true, 64, 100, 784},
	{"mlp-dw-784tx64x100", true, false, 784, 64, 100},
	{"digits-fwd-32x64x64", false, false, 32, 64, 64},
	{"digits-dx-32x64x64t", false, true, 32, 64, 64},
	{"digits-dw-64tx32x64", true, false, 64, 32, 64},
	{"digits-out-32x64x10", false, false, 32, 64, 10},
	{"sq-1024x1024x1024", false, false, 1024, 1024, 1024},
}

// BenchmarkGemmShapes measures gemmShapes on the kernel path this process
// runs (KernelImpl, which names the sub-benchmarks; set COINAI_NN_KERNEL to
// compare paths) in two ways: "2t" on two goroutines, as PyTorch's two
// threads, by wall time; "1t-cpu" on one goroutine locked to its thread
// (the simulator's serial trainer), by that thread's CPU time, which on a
// machine shared with other work does not count the time spent waiting
// for a core. Each reports the rate of the fastest third of its
// iterations, as the peer's best of three timed runs.
func BenchmarkGemmShapes(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, mode := range []string{"2t", "1t-cpu"} {
		for _, s := range gemmShapes {
			b.Run(KernelImpl()+"/"+mode+"/"+s.name, func(b *testing.B) {
				a := randSlice(r, s.m*s.k)
				bb := randSlice(r, s.k*s.n)
				c := make([]float32, s.m*s.n)
				lda, ldb := s.k, s.n
				if s.tA {
					lda = s.m
				}
				if s.tB {
					ldb = s.k
				}
				ws := gemmWS{serial: mode != "2t"}
				clock := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
				if ws.serial {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					clock = threadCPU
				}
				ws.gemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n, false)
				var spent [3]time.Duration
				var count [3]int
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := clock()
					ws.gemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n, false)
					spent[i*3/b.N] += clock() - t0
					count[i*3/b.N]++
				}
				best := 0.0
				for t := range spent {
					if count[t] > 0 && spent[t] > 0 {
						best = max(best, float64(count[t])/spent[t].Seconds())
					}
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*best/1e9, "GFLOP/s")
			})
		}
	}
}
