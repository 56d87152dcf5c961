package build

import (
	"fmt"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/scenarios"
)

// sampledTraining turns on the sampled training fidelity for a run: one
// coinai.Sampler, shared by every node that base is copied to, and the
// fidelity note that names what it trades. The Sampler is the run's
// mutable cache, so a Plan built from a sampled scenario drives one run
// (every caller builds a Plan per run).
func sampledTraining(s *scenarios.Scenario, base *coinai.Config, p *Plan) error {
	k := s.CoinAI.SampledRealAttempts
	sm, err := coinai.NewSampler(k)
	if err != nil {
		return fmt.Errorf("%s: coinai.sampled_real_attempts: %w", s.File, err)
	}
	base.Sampler = sm
	p.Fidelity = append(p.Fidelity, fmt.Sprintf("coinai.training=sampled(k=%d): the first %d attempts of each problem and architecture "+
		"(and training settings and labels) to complete, in event order, are trained for real and cached, and more, up to %d, while no cached "+
		"outcome would make a valid block under the threshold of the attempt completing (validation and test split); every other attempt of the pair "+
		"draws its validation accuracy and model from that cache with the node's random stream (summary.json trainings_real, attempts_sampled). "+
		"Every attempt is charged the counted FLOPs of its training in virtual time and energy, drawn or not. "+
		"A block from a drawn outcome carries the drawn real model with the low-order byte of %d weights flipped (a new commitment; "+
		"each weight moves by less than 2^-15 of itself) and claims the drawn validation accuracy; "+
		"validators evaluate its real weights on the test split (verification is not sampled). "+
		"Attempts of one pair differ only in their seed, so a draw stands for an attempt with another seed; "+
		"the law is the empirical one of at most %d real attempts, so its tails are those of that sample",
		k, k, sm.Cap(), 2, sm.Cap()))
	return nil
}
