package pipeline

import "testing"

// The spam and theft scenario pairs of scenarios/attacks, shortened: the
// attack pays under today's rules and the defence stops it, in the
// summary keys that coinai compare reads.
func TestAttack13Pairs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four scenarios")
	}
	_, steal := runScenario(t, "../attacks/steal.toml", "run.stop_height=6")
	_, stealD := runScenario(t, "../attacks/steal-defended.toml", "run.stop_height=6")
	s, d := steal.Summary, stealD.Summary
	t.Logf("steal: attacker blocks %d, reward share %.3f; defended: %d (stolen-model refusals %d)",
		*s.AttackerBlocks, *s.AttackerRewardShare, *d.AttackerBlocks, d.Rejected["stolen-model"])
	if *s.AttackerBlocks == 0 || *d.AttackerBlocks != 0 || d.Rejected["stolen-model"] == 0 {
		t.Errorf("steal: attacker blocks %d today, %d under commit-reveal", *s.AttackerBlocks, *d.AttackerBlocks)
	}

	_, spam := runScenario(t, "../attacks/spam.toml", "run.stop_height=4")
	_, spamD := runScenario(t, "../attacks/spam-defended.toml", "run.stop_height=4")
	s, d = spam.Summary, spamD.Summary
	t.Logf("spam: %d received, %.3g FLOPs, time share %.3f; defended: %d received, %d dropped, %.3g FLOPs, time share %.3f",
		*s.SpamModelsReceived, *s.HonestVerifyFLOPsSpam, *s.HonestVerifyTimeShare,
		*d.SpamModelsReceived, *d.SpamModelsDropped, *d.HonestVerifyFLOPsSpam, *d.HonestVerifyTimeShare)
	if *s.AttackerBlocks != 0 || *d.AttackerBlocks != 0 {
		t.Error("a spam block was accepted")
	}
	if *s.SpamModelsDropped != 0 || *d.SpamModelsDropped == 0 || *d.SpamModelsReceived*4 > *s.SpamModelsReceived ||
		*d.HonestVerifyFLOPsSpam*4 > *s.HonestVerifyFLOPsSpam || *d.HonestVerifyTimeShare >= *s.HonestVerifyTimeShare {
		t.Error("ban_after = 1 does not bound what spam costs the honest nodes")
	}
}
