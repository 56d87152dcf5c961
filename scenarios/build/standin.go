package build

import (
	"fmt"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/scenarios"
)

// standInOf is the node-side stand-in of data set name, nil when the
// scenario declares none for it.
func standInOf(s *scenarios.Scenario, name string) *coinai.StandIn {
	st, ok := s.CoinAI.StandInFor(name)
	if !ok {
		return nil
	}
	return &coinai.StandIn{Name: st.Name, Source: st.Source, TrainFLOPs: st.TrainFLOPs,
		EvalFLOPs: st.EvalFLOPs, ModelBytes: int(st.ModelBytes)}
}

// standInFidelity names every declared stand-in, with its source and what
// it costs on the run's miners' hardware, in the fidelity list: the
// charged time is the stand-in's, the validity the real small problem's.
func standInFidelity(s *scenarios.Scenario, p *Plan) {
	for _, st := range s.CoinAI.StandIn {
		var hw string
		seen := map[string]bool{}
		for _, n := range p.Nodes {
			if n.FLOPS <= 0 || seen[n.Hardware] {
				continue
			}
			seen[n.Hardware] = true
			if hw != "" {
				hw += ", "
			}
			if h, ok := s.HardwareByName(n.Hardware); ok && h.FLOPS > 0 {
				hw += fmt.Sprintf("%s %.3g s / %.3g s", n.Hardware, st.TrainFLOPs/float64(h.FLOPS), st.EvalFLOPs/float64(h.FLOPS))
			}
		}
		p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.standin[%s]: %q (source: %s): each training attempt on %s is charged %.4g FLOPs "+
			"and each evaluation %.4g FLOPs in virtual time and energy (attempt / evaluation at the profiles' mean rates: %s), "+
			"and a block solving it carries a %d-byte model on the wire (the difference to the real model is padding the network charges); "+
			"the real small networks trained and evaluated on %s decide validity and accuracy",
			st.Problem, st.Name, st.Source, st.Problem, st.TrainFLOPs, st.EvalFLOPs, hw, int64(st.ModelBytes), st.Problem))
	}
}
