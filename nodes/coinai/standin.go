package coinai

import (
	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
)

// StandIn is the declared workload that a problem's real, small training
// stands for (a scenario's [[coinai.standin]]): the miners really train
// and validators really evaluate a small network on the small data set,
// and that decides validity, but the simulator charges the stand-in's work
// in virtual time and energy, and a block's model travels with the
// stand-in's size, so that training time, verification delay and model
// transfer are those of the workload a deployment would run. It replaces
// the blanket cost scales (work_scale, verify_scale) for its problem.
type StandIn struct {
	// Name says what the stand-in is ("ResNet-18 on CIFAR-10, one
	// epoch"), and Source where its figures come from.
	Name, Source string
	// TrainFLOPs is the work of one mining attempt (training and the
	// miner's own validation); EvalFLOPs that of one evaluation of a
	// model on the test split (a verification, a user's check).
	TrainFLOPs, EvalFLOPs float64
	// ModelBytes is the size of a trained model: a block carries it, so
	// a block's bytes on the wire are its encoding with the real small
	// model replaced by this many bytes (the difference is padding the
	// network charges, never sent).
	ModelBytes int
}

// ChargedFLOPs implements nodes.Charged: an attempt on a problem with a
// stand-in is charged the stand-in's training work.
func (j *TrainJob) ChargedFLOPs() (float64, bool) {
	if j.Data == nil || j.Data.StandIn == nil {
		return 0, false
	}
	return j.Data.StandIn.TrainFLOPs, true
}

// ChargedFLOPs implements nodes.Charged: an evaluation on a problem with
// a stand-in is charged the stand-in's evaluation work.
func (j *EvalJob) ChargedFLOPs() (float64, bool) {
	if j.StandIn == nil {
		return 0, false
	}
	return j.StandIn.EvalFLOPs, true
}

// ChargedFLOPs implements nodes.Charged: a lottery re-training is the
// stand-in's attempt and evaluation.
func (j *RetrainJob) ChargedFLOPs() (float64, bool) {
	if j.Train.Data == nil || j.Train.Data.StandIn == nil {
		return 0, false
	}
	s := j.Train.Data.StandIn
	return s.TrainFLOPs + s.EvalFLOPs, true
}

// wirePadding is the padding a block whose real model has modelLen bytes
// carries on the wire under stand-in s: what the stand-in's model adds
// (0 without a stand-in, or when the real model is the larger).
func wirePadding(s *StandIn, modelLen int) int {
	if s == nil {
		return 0
	}
	return max(0, s.ModelBytes-modelLen)
}

// standIn is the stand-in of the problem a pending block claims (the
// default problem's when it claims none).
func (p *pending) standIn(cfg *Config) *StandIn {
	if p.data != nil {
		return p.data.StandIn
	}
	return cfg.Default.StandIn
}

// minedPadding is wirePadding for a block this node mines on tip for
// problem; without any stand-in it is 0 without looking the problem up.
func (n *Node) minedPadding(tip chain.Entry[*rec], problem [32]byte, modelLen int) int {
	if !n.cfg.hasStandIn() {
		return 0
	}
	return wirePadding(n.claimedData(tip, problem).StandIn, modelLen)
}

// hasStandIn reports whether any problem the node serves has a stand-in.
func (c *Config) hasStandIn() bool {
	if c.Default.StandIn != nil {
		return true
	}
	if c.Market != nil {
		for i := range c.Market.Data {
			if c.Market.Data[i].Data.StandIn != nil {
				return true
			}
		}
	}
	return false
}

var (
	_ nodes.Charged = (*TrainJob)(nil)
	_ nodes.Charged = (*EvalJob)(nil)
	_ nodes.Charged = (*RetrainJob)(nil)
)
