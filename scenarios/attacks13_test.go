package scenarios

import (
	"strings"
	"testing"
)

// The spam, leak and steal scenario pairs (issue #13): 20 laptop nodes of
// which a group of 2 is the attacker, and each defended scenario is the
// same run but for its name and its defence's keys, so that a pair
// compares the rule and nothing else (and coinai compare can pick them
// up as X.toml / X-defended.toml).
func TestAttack13ScenarioPairs(t *testing.T) {
	for _, tc := range []struct {
		name, role string
		defend     func(plain, defended *Scenario) bool // checks and undoes the defence on defended
	}{
		{"spam", "spam", func(p, d *Scenario) bool {
			ok := p.CoinAI.BanAfter == 0 && d.CoinAI.BanAfter == 1 && p.Groups[1].Spam == (Spam{PerTip: 4, WellFormed: true})
			d.CoinAI.BanAfter = p.CoinAI.BanAfter
			return ok
		}},
		{"leak", "leak", func(p, d *Scenario) bool {
			ok := p.CoinAI.Reveal == "none" && d.CoinAI.Reveal == "delayed-test" && d.CoinAI.RevealSubset == 32 && p.Groups[1].Leak.Fraction == 1
			d.CoinAI.Reveal, d.CoinAI.RevealDelay, d.CoinAI.RevealSubset = p.CoinAI.Reveal, p.CoinAI.RevealDelay, p.CoinAI.RevealSubset
			return ok
		}},
		{"steal", "steal", func(p, d *Scenario) bool {
			ok := p.CoinAI.Reveal == "none" && d.CoinAI.Reveal == "delayed-test" && p.CoinAI.Duplicate == "chain" && d.CoinAI.Duplicate == "chain"
			d.CoinAI.Reveal, d.CoinAI.RevealDelay, d.CoinAI.RevealSubset = p.CoinAI.Reveal, p.CoinAI.RevealDelay, p.CoinAI.RevealSubset
			return ok
		}},
	} {
		plain, defended := mustLoad(t, "attacks/"+tc.name+".toml"), mustLoad(t, "attacks/"+tc.name+"-defended.toml")
		if plain.NodeCount() != 20 || len(plain.Groups) != 2 || plain.Groups[1].Role != tc.role || plain.Groups[1].Count != 2 {
			t.Errorf("%s.toml: %d nodes, groups %+v", tc.name, plain.NodeCount(), plain.Groups)
		}
		d := *defended
		if !tc.defend(plain, &d) {
			t.Errorf("%s: the defence keys are not the documented ones: %+v against %+v", tc.name, plain.CoinAI, defended.CoinAI)
		}
		d.Run.Name = plain.Run.Name
		if !plain.Equal(&d) {
			t.Errorf("%s-defended.toml differs from %s.toml beyond its name and its defence", tc.name, tc.name)
		}
	}
}

// The roles' parameters are validated with their keys.
func TestAttack13RolesValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Scenario)
		want string
	}{
		{"spam sends nothing", func(s *Scenario) { s.Groups[1].Spam = Spam{} }, "group.1.spam: per_tip = 0 and interval = 0"},
		{"spam interval", func(s *Scenario) { s.Groups[1].Spam.Interval = 10 }, "group.1.spam.interval"},
		{"spam per tip", func(s *Scenario) { s.Groups[1].Spam.PerTip = -1 }, "group.1.spam.per_tip"},
		{"leak fraction", func(s *Scenario) { s.Groups[1].Role = "leak"; s.Groups[1].Leak.Fraction = 0 }, "group.1.leak.fraction"},
		{"pow", func(s *Scenario) { s.Run.Protocol = "pow" }, `group.1.role: "spam" attacks Coin.AI`},
		{"reveal", func(s *Scenario) { s.CoinAI.Reveal = "soon" }, "coinai.reveal"},
		{"reveal delay", func(s *Scenario) { s.CoinAI.Reveal = "delayed-test"; s.CoinAI.RevealDelay = 0 }, "coinai.reveal_delay"},
		{"reveal subset", func(s *Scenario) { s.CoinAI.Reveal = "delayed-test"; s.CoinAI.RevealSubset = 0 }, "coinai.reveal_subset"},
		{"duplicate", func(s *Scenario) { s.CoinAI.Duplicate = "never" }, "coinai.duplicate"},
		{"ban", func(s *Scenario) { s.CoinAI.BanAfter = -1 }, "coinai.ban_after"},
	} {
		s := mustLoad(t, "attacks/spam.toml")
		tc.edit(s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}
