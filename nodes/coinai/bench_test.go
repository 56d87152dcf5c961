package coinai

import (
	"testing"

	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/nn"
)

// benchArch is the architecture the default digits grammar derives from
// the genesis of the test configuration.
func benchArch(b *testing.B) nn.Arch {
	cfg := testConfig(b, 0, false)
	g := Genesis(cfg)
	a, err := grammar.Decode(g.ID(), grammar.DefaultRanges(1, 8, 8), 1, 8, 8, 10)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkTrainAttempt is one mining attempt (3 epochs) on digits with
// the default ranges; compare with BenchmarkVerify.
func BenchmarkTrainAttempt(b *testing.B) {
	a := benchArch(b)
	j := &TrainJob{Arch: a, Data: digitsData(b),
		Train: nn.TrainConfig{Epochs: 3, Batch: 64, LR: 0.05, Momentum: 0.9}}
	for b.Loop() {
		if r := j.Run().(*TrainResult); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	b.ReportMetric(j.FLOPs(), "FLOPs/op")
}

// BenchmarkVerify is a validator's evaluation of one model on the test
// split.
func BenchmarkVerify(b *testing.B) {
	a := benchArch(b)
	m, _ := nn.NewModel(a, 1)
	j := &EvalJob{Model: m, Test: digitsData(b).Test}
	for b.Loop() {
		j.Run()
	}
	b.ReportMetric(j.FLOPs(), "FLOPs/op")
}

// BenchmarkDecodeCheck decodes a block message and runs the stateless
// checks (signature, commitment, tx root).
func BenchmarkDecodeCheck(b *testing.B) {
	n := validator(b)
	cfg := n.nodes[0].cfg
	_, msg := validChild(b, cfg, Genesis(cfg), testKey(1), 1e9, nil)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		m, err := DecodeMessage(msg)
		if err != nil {
			b.Fatal(err)
		}
		if err := n.nodes[0].checkStateless(&m.Block); err != nil {
			b.Fatal(err)
		}
	}
}
