package scenarios

import (
	"fmt"
	"slices"
)

// HonestRoles are the roles of honest nodes; every other role a group can
// take ("reuse", "timestamp", "spoof", and the attacker roles added
// later) is an attacker's. HonestTwin relies on this list, not on the
// attacker roles, so that a new attacker role needs no change here.
var HonestRoles = []string{"miner", "storage", "user", "relay"}

// HonestTwin returns the honest run an attack or a fault is measured
// against at the same seed (coinai attacks): a copy of s in which every
// group whose role is not one of HonestRoles mines honestly (role
// "miner", the same name, count, hardware, spreads and regions, so the
// nodes keep their indices, keys and places), and which has no [[fault]]
// or [[storage.fault]] tables. changed says what was replaced, one entry
// per group or fault kind, in file order; it is empty when s is its own
// twin. s is not modified. Returns an error if the twin does not validate
// (e.g. an attacker group whose hardware cannot mine).
func HonestTwin(s *Scenario) (twin *Scenario, changed []string, err error) {
	text, err := s.TOML()
	if err != nil {
		return nil, nil, fmt.Errorf("honest twin of %s: %w", s.File, err)
	}
	t, err := Parse(s.File, text)
	if err != nil {
		return nil, nil, fmt.Errorf("honest twin of %s: %w", s.File, err)
	}
	for i := range t.Groups {
		g := &t.Groups[i]
		if !slices.Contains(HonestRoles, g.Role) {
			changed = append(changed, fmt.Sprintf("group.%d (%s): role %q -> \"miner\"", i, g.Name, g.Role))
			g.Role = "miner"
		}
	}
	for i, f := range t.Faults {
		changed = append(changed, fmt.Sprintf("fault.%d (%s): %s removed", i, f.Name, f.Kind))
	}
	for i, f := range t.Storage.Faults {
		changed = append(changed, fmt.Sprintf("storage.fault.%d: %s removed", i, f.Kind))
	}
	t.Faults, t.Storage.Faults = nil, nil
	t.Regression = s.Regression
	if err := t.Validate(); err != nil {
		return nil, nil, fmt.Errorf("honest twin of %s: %w", s.File, err)
	}
	return t, changed, nil
}
