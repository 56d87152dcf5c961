package nn

import (
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
)

// TestSegmentsReproduceTrain checks the two properties spot-check
// verification rests on: training with checkpoints ends at Train's model,
// bit for bit, and re-running any segment from its start checkpoint ends
// at the next checkpoint, bit for bit, while a perturbed start does not.
func TestSegmentsReproduceTrain(t *testing.T) {
	ds, err := dataset.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, _, _ := ds.Split(1, 0, 0.2)
	n := 300
	x, y := train.X[:n*64], train.Y[:n]
	for _, tc := range []struct {
		arch         string
		batch, every int
		epochs       int
		serial       bool
	}{
		{"fc16-relu", 32, 4, 2, true}, // 10 steps an epoch, last batch 12
		{"fc32-tanh", 64, 3, 3, true}, // 5 steps an epoch: segments cross epochs
		{"conv4x3-relu,pool2", 50, 5, 1, false},
	} {
		a, err := ParseArch(tc.arch, 1, 8, 8, 10)
		if err != nil {
			t.Fatal(err)
		}
		cfg := TrainConfig{Epochs: tc.epochs, Batch: tc.batch, LR: 0.05, Momentum: 0.9, Seed: 99, Serial: tc.serial}
		ref, _ := NewModel(a, 5)
		st, err := Train(ref, x, y, n, cfg)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := NewModel(a, 5)
		type ckpt struct {
			step      int
			params, v []float32
		}
		var cks []ckpt
		st2, err := TrainCheckpointed(m, x, y, n, cfg, tc.every, func(s int, p, v []float32) {
			cks = append(cks, ckpt{s, slices.Clone(p), slices.Clone(v)})
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Params, ref.Params) || !slices.Equal(st.Loss, st2.Loss) || st.Steps != st2.Steps {
			t.Fatalf("%s: checkpointed training differs from Train", tc.arch)
		}
		total := StepsPerEpoch(n, tc.batch) * tc.epochs
		if want := (total+tc.every-1)/tc.every + 1; len(cks) != want || cks[len(cks)-1].step != total {
			t.Fatalf("%s: %d checkpoints ending at %d, want %d ending at %d", tc.arch, len(cks), cks[len(cks)-1].step, want, total)
		}
		for i := 0; i+1 < len(cks); i++ {
			seg := &Model{Arch: a, Params: slices.Clone(cks[i].params), plan: m.plan}
			v := slices.Clone(cks[i].v)
			if err := TrainSegment(seg, v, x, y, n, cfg, cks[i].step, cks[i+1].step); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(seg.Params, cks[i+1].params) || !slices.Equal(v, cks[i+1].v) {
				t.Fatalf("%s: segment [%d, %d) does not reproduce its end checkpoint", tc.arch, cks[i].step, cks[i+1].step)
			}
			// A start one ulp off ends elsewhere: the check is bit-exact.
			bad := &Model{Arch: a, Params: slices.Clone(cks[i].params), plan: m.plan}
			bad.Params[0] = bad.Params[0] * (1 + 1e-6)
			v = slices.Clone(cks[i].v)
			_ = TrainSegment(bad, v, x, y, n, cfg, cks[i].step, cks[i+1].step)
			if slices.Equal(bad.Params, cks[i+1].params) {
				t.Fatalf("%s: a perturbed start reproduces the end checkpoint", tc.arch)
			}
		}
	}
}

func TestSegmentSamples(t *testing.T) {
	for _, tc := range []struct{ n, batch, from, to, want int }{
		{300, 32, 0, 10, 300},
		{300, 32, 8, 12, 32 + 12 + 32 + 32},
		{300, 64, 3, 3, 0},
		{10, 0, 0, 1, 0},
	} {
		if got := SegmentSamples(tc.n, tc.batch, tc.from, tc.to); got != tc.want {
			t.Errorf("SegmentSamples(%d, %d, %d, %d) = %d, want %d", tc.n, tc.batch, tc.from, tc.to, got, tc.want)
		}
	}
	if err := TrainSegment(&Model{}, nil, nil, nil, 0, TrainConfig{}, 0, 1); err == nil {
		t.Error("TrainSegment accepted no data")
	}
}
