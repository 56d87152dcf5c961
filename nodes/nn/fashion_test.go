package nn

import (
	"errors"
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
)

// TestFashionMNISTPeerAccuracy trains the three presets as the PyTorch peer
// does (3 epochs, batch 64, lr 0.05, momentum 0.9) and requires test
// accuracies no more than 1.5 points below the peer's (mlp 0.849, mlp2
// 0.849, cnn 0.872). It takes about 10-20 s on two cores, so -short skips
// it; it also skips when the data set is not installed.
func TestFashionMNISTPeerAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three models on 60000 samples; skipped with -short")
	}
	train, test, err := dataset.FashionMNIST("")
	if errors.Is(err, dataset.ErrNotInstalled) {
		t.Skipf("Fashion-MNIST not installed (apt-get install -y dataset-fashion-mnist): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model string
		peer  float64
	}{{"mlp", 0.849}, {"mlp2", 0.849}, {"cnn", 0.872}} {
		a, err := Preset(tc.model, train.C, train.H, train.W, train.Classes)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(a, 1)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultTrainConfig
		cfg.Seed = 1
		if _, err := Train(m, train.X, train.Y, train.Len(), cfg); err != nil {
			t.Fatal(err)
		}
		acc, loss := Evaluate(m, test.X, test.Y, test.Len())
		t.Logf("%s: test accuracy %.4f (peer %.3f), loss %.4f", tc.model, acc, tc.peer, loss)
		if acc < tc.peer-0.015 {
			t.Errorf("%s: test accuracy %.4f, more than 1.5 points below the peer's %.3f", tc.model, acc, tc.peer)
		}
	}
}
