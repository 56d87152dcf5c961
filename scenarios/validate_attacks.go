package scenarios

// moreRoles checks a group of the attacker roles "spam", "leak" and
// "steal" (issue #13): Coin.AI only, and their parameter tables.
func (v *validator) moreRoles(key string, g Group) {
	if v.s.Run.Protocol != "coinai" {
		v.add(key+".role", "%q attacks Coin.AI's model verification: it needs run.protocol = \"coinai\"", g.Role)
		return
	}
	switch g.Role {
	case "spam":
		sp := g.Spam
		v.inRange(key+".spam.per_tip", float64(sp.PerTip), 0, 1<<16, false)
		if sp.Interval < 0 {
			v.add(key+".spam.interval", "%s must not be negative", sp.Interval)
		} else if sp.Interval > 0 && sp.Interval < Millisecond {
			v.add(key+".spam.interval", "%s: want 0 (none) or at least 1ms", sp.Interval)
		}
		if sp.PerTip == 0 && sp.Interval == 0 {
			v.add(key+".spam", "per_tip = 0 and interval = 0: the spammer would send nothing")
		}
	case "leak":
		v.inRange(key+".leak.fraction", g.Leak.Fraction, 0, 1, true)
	}
}
