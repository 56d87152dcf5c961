package scenarios

import (
	"fmt"
	"math"
	"slices"
)

// StandIn is one [[coinai.standin]] table: the workload that a problem's
// real, small training stands for. The miners really train, and
// validators really evaluate, small networks on the small data set (that
// decides validity), but every training attempt on the problem is charged
// TrainFLOPs and every evaluation EvalFLOPs, on the node's hardware, in
// virtual time and energy, and a block solving it carries a model of
// ModelBytes on the wire, so that training time, verification delay and
// model transfer are those of the declared workload. It replaces
// coinai.work_scale and coinai.verify_scale, which must stay 1 when a
// stand-in is declared. Its Name and Source are named in the run's
// fidelity list.
type StandIn struct {
	// Problem is the data set it stands in for: coinai.problem, or one of
	// the data sets a [[workload]] submits problems on.
	Problem string `toml:"problem"`
	// Name says what is stood for ("ResNet-18 on CIFAR-10, one epoch").
	Name string `toml:"name"`
	// TrainFLOPs is the work of one mining attempt (training and the
	// miner's own validation), in floating-point operations.
	TrainFLOPs float64 `toml:"train_flops"`
	// EvalFLOPs is the work of evaluating one model on the test split (a
	// validator's verification, a submitter's check).
	EvalFLOPs float64 `toml:"eval_flops"`
	// ModelBytes is the size of one trained model on the wire.
	ModelBytes Size `toml:"model_bytes"`
	// Source says where the figures come from (paper, data sheet).
	Source string `toml:"source"`
}

// StandInFor returns the stand-in declared for data set problem.
func (c *CoinAI) StandInFor(problem string) (StandIn, bool) {
	i := slices.IndexFunc(c.StandIn, func(s StandIn) bool { return s.Problem == problem })
	if i < 0 {
		return StandIn{}, false
	}
	return c.StandIn[i], true
}

// standins checks the [[coinai.standin]] tables.
func (v *validator) standins() {
	s := v.s
	c := &s.CoinAI
	if len(c.StandIn) == 0 {
		return
	}
	if s.Run.Protocol != "coinai" {
		v.add("coinai.standin", "stand-in workloads apply to protocol \"coinai\" only")
		return
	}
	if c.WorkScale != 1 {
		v.add("coinai.work_scale", "%v with [[coinai.standin]]: a stand-in declares the work it charges; leave work_scale at 1 (jobs on a data set without a stand-in are charged their counted FLOPs)", c.WorkScale)
	}
	if c.VerifyScale != 1 {
		v.add("coinai.verify_scale", "%v with [[coinai.standin]]: a stand-in declares the work it charges; leave verify_scale at 1", c.VerifyScale)
	}
	if c.Fidelity != "real" {
		v.add("coinai.fidelity", "%q with [[coinai.standin]]: stand-ins charge the jobs of real training only for now; use \"real\"", c.Fidelity)
	}
	if s.Storage.Enabled {
		v.add("coinai.standin", "stand-ins and [storage] together are not supported yet: proof-of-storage moves the real model's chunks, not the stand-in's bytes")
	}
	seen := map[string]int{}
	for i, st := range c.StandIn {
		key := fmt.Sprintf("coinai.standin.%d", i)
		if st.Problem == "" {
			v.add(key+".problem", "missing: name the data set it stands in for, one of %s", quoteAll(WorkloadDatasets))
		} else if !slices.Contains(WorkloadDatasets, st.Problem) {
			v.add(key+".problem", "%q is not one of %s", st.Problem, quoteAll(WorkloadDatasets))
		} else if j, dup := seen[st.Problem]; dup {
			v.add(key+".problem", "duplicate stand-in for %q (coinai.standin.%d has it)", st.Problem, j)
		} else {
			seen[st.Problem] = i
		}
		if st.Name == "" {
			v.add(key+".name", "missing: say what the stand-in is (it is named in the run's fidelity list)")
		}
		if st.Source == "" {
			v.add(key+".source", "missing: say where the figures come from (it is named in the run's fidelity list)")
		}
		v.inRange(key+".train_flops", st.TrainFLOPs, 0, math.MaxFloat64, true)
		v.inRange(key+".eval_flops", st.EvalFLOPs, 0, math.MaxFloat64, true)
		if st.ModelBytes <= 0 {
			v.add(key+".model_bytes", "%d: want a positive size (e.g. \"46.8MB\")", int64(st.ModelBytes))
		}
	}
}
