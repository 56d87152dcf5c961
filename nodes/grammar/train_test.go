package grammar

import (
	"crypto/sha256"
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/nn"
)

// DefaultRanges promise networks that learn the digits problem in a few
// epochs. Train the hand-worked architectures of TestDecodeHandWorked for 5
// epochs on an 80/20 split and require 0.88 test accuracy (a sample of 24
// decoded architectures reached 0.90 to 0.98 with this configuration).
func TestDefaultRangesTrainable(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	ds, err := dataset.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, _, test := ds.Split(1, 0, 0.2)
	r := DefaultRanges(ds.C, ds.H, ds.W)
	for _, pre := range []string{"coinai", "block1", "abc", "hello", ""} {
		a, err := Decode(sha256.Sum256([]byte(pre)), r, ds.C, ds.H, ds.W, ds.Classes)
		if err != nil {
			t.Fatal(err)
		}
		m, err := nn.NewModel(a, 7)
		if err != nil {
			t.Fatal(err)
		}
		cfg := nn.TrainConfig{Epochs: 5, Batch: 32, LR: 0.05, Momentum: 0.9, Seed: 3}
		if _, err := nn.Train(m, train.X, train.Y, train.Len(), cfg); err != nil {
			t.Fatal(err)
		}
		acc, _ := nn.Evaluate(m, test.X, test.Y, test.Len())
		t.Logf("sha256(%q): %s: test accuracy %.3f", pre, a, acc)
		if acc < 0.88 {
			t.Errorf("sha256(%q): %s reaches only %.3f after 5 epochs", pre, a, acc)
		}
	}
}
