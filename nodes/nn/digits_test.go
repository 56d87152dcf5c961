package nn

import (
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
)

// TestDigitsAccuracy trains an MLP and a small CNN on the embedded UCI
// digits (80/20 split) and requires the test accuracy the issue asks for.
func TestDigitsAccuracy(t *testing.T) {
	ds, err := dataset.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, _, test := ds.Split(1, 0, 0.2)
	for _, tc := range []struct {
		arch   string
		epochs int
	}{
		{"fc100-relu", 20},
		{"conv8x3-relu,pool2", 20},
		{"fc64-tanh", 20},
		{"fc64-sigmoid", 40},
	} {
		a, err := ParseArch(tc.arch, ds.C, ds.H, ds.W, ds.Classes)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(a, 7)
		if err != nil {
			t.Fatal(err)
		}
		cfg := TrainConfig{Epochs: tc.epochs, Batch: 32, LR: 0.05, Momentum: 0.9, Seed: 3}
		st, err := Train(m, train.X, train.Y, train.Len(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		acc, loss := Evaluate(m, test.X, test.Y, test.Len())
		t.Logf("%s: train loss %.4f -> %.4f, test acc %.4f loss %.4f", tc.arch, st.Loss[0], st.Loss[len(st.Loss)-1], acc, loss)
		if acc < 0.95 {
			t.Errorf("%s: test accuracy %.4f < 0.95", tc.arch, acc)
		}
	}
}

// TestEvaluateConcurrent evaluates one model from several goroutines at
// once (run with -race) and requires the same result as a lone call.
func TestEvaluateConcurrent(t *testing.T) {
	ds, err := dataset.Digits()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ParseArch("conv4x3-relu,pool2,fc16-relu", ds.C, ds.H, ds.W, ds.Classes)
	m, _ := NewModel(a, 5)
	wantAcc, wantLoss := Evaluate(m, ds.X, ds.Y, ds.Len())
	type res struct{ acc, loss float64 }
	ch := make(chan res, 4)
	for i := 0; i < 4; i++ {
		go func() {
			acc, loss := Evaluate(m, ds.X, ds.Y, ds.Len())
			ch <- res{acc, loss}
		}()
	}
	for i := 0; i < 4; i++ {
		if r := <-ch; r.acc != wantAcc || r.loss != wantLoss {
			t.Errorf("concurrent Evaluate = %v, %v; alone %v, %v", r.acc, r.loss, wantAcc, wantLoss)
		}
	}
}
