package coinai

import (
	"testing"

	"github.com/coinai/coinai/nodes"
)

// Jobs on a problem with a stand-in declare its FLOPs (the host charges
// them instead of the counted ones); without one they declare nothing; a
// block's wire padding is what the stand-in's model adds to the real one.
func TestStandInCharges(t *testing.T) {
	s := &StandIn{Name: "x", TrainFLOPs: 3e15, EvalFLOPs: 2e12, ModelBytes: 1000}
	with, without := &Data{Name: "d", StandIn: s}, &Data{Name: "d"}
	for _, tc := range []struct {
		name string
		job  nodes.Job
		want float64
		ok   bool
	}{
		{"train", &TrainJob{Data: with}, 3e15, true},
		{"train-none", &TrainJob{Data: without}, 0, false},
		{"eval", &EvalJob{StandIn: s}, 2e12, true},
		{"eval-none", &EvalJob{}, 0, false},
		{"retrain", &RetrainJob{Train: TrainJob{Data: with}}, 3e15 + 2e12, true},
		{"retrain-none", &RetrainJob{Train: TrainJob{Data: without}}, 0, false},
	} {
		got, ok := nodes.ChargedFLOPs(tc.job)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: charged %g, %v; want %g, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		s        *StandIn
		model    int
		wantPad  int
		scenario string
	}{
		{s, 300, 700, "stand-in larger than the real model"},
		{s, 1000, 0, "same size"},
		{s, 4000, 0, "real model larger: nothing removed"},
		{nil, 300, 0, "no stand-in"},
	} {
		if got := wirePadding(tc.s, tc.model); got != tc.wantPad {
			t.Errorf("%s: padding %d, want %d", tc.scenario, got, tc.wantPad)
		}
	}
}
