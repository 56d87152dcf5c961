package scenarios

import "slices"

// adversary checks the [group.selfish] and [group.eclipse] tables of a
// group whose role uses them (other roles ignore them).
func (v *validator) adversary(key string, g Group) {
	switch g.Role {
	case "selfish":
		v.selectors(key+".selfish.reach", g.Selfish.Reach)
		if g.Name != "" && slices.Contains(g.Selfish.Reach, g.Name) {
			v.add(key+".selfish.reach", "names the pool's own group %q: reach lists the honest nodes the pool pushes ties to", g.Name)
		}
	case "eclipse":
		e := g.Eclipse
		if len(e.Victims) == 0 {
			v.add(key+".eclipse.victims", "empty: an eclipse attacker needs at least one victim (node selectors as in [[fault]] nodes)")
		}
		v.selectors(key+".eclipse.victims", e.Victims)
		if g.Name != "" && slices.Contains(e.Victims, g.Name) {
			v.add(key+".eclipse.victims", "names the attacker's own group %q", g.Name)
		}
		v.oneOf(key+".eclipse.mode", e.Mode, eclipseMode)
		if e.Delay < 0 {
			v.add(key+".eclipse.delay", "%s must be >= 0", e.Delay)
		}
	}
}
