package build

import (
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios"
)

// coinai.fidelity = "sampled" gives every node one shared cache of the
// run's k and names the trade in the fidelity list; "real" gives none.
func TestSampledPlan(t *testing.T) {
	tests := []struct {
		sets    []string
		sampler bool
		note    string
	}{
		{nil, false, "coinai.training=real:"},
		{[]string{"coinai.fidelity=sampled"}, true, "coinai.training=sampled(k=8): the first 8 attempts"},
		{[]string{"coinai.fidelity=sampled", "coinai.sampled_real_attempts=3"}, true, "coinai.training=sampled(k=3): the first 3 attempts of each problem and architecture (and training settings and labels) to complete, in event order, are trained for real and cached, and more, up to 24,"},
	}
	for _, tt := range tests {
		s, err := scenarios.Load("../quickstart.toml")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Apply(tt.sets...); err != nil {
			t.Fatal(err)
		}
		p, err := FromScenario(s)
		if err != nil {
			t.Fatalf("%v: %v", tt.sets, err)
		}
		if got := p.CoinAI.Sampler != nil; got != tt.sampler {
			t.Errorf("%v: sampler %v, want %v", tt.sets, got, tt.sampler)
		}
		var notes []string
		for _, f := range p.Fidelity {
			if strings.HasPrefix(f, "coinai.training=") {
				notes = append(notes, f)
			}
		}
		if len(notes) != 1 || !strings.HasPrefix(notes[0], tt.note) {
			t.Errorf("%v: training notes %q, want one starting %q", tt.sets, notes, tt.note)
		}
	}
}
