package scenarios

import (
	"reflect"
	"slices"
	"testing"
)

func TestHonestTwin(t *testing.T) {
	for _, tc := range []struct {
		file    string
		changed []string
	}{
		{"attacks/model-reuse.toml", []string{`group.1 (reusers): role "reuse" -> "miner"`}},
		{"attacks/timestamp.toml", []string{`group.1 (stampers): role "timestamp" -> "miner"`}},
		{"attacks/spoof.toml", []string{`group.1 (spoofers): role "spoof" -> "miner"`}},
		{"attacks/partition.toml", []string{"fault.0 (eu-na-rest): partition removed"}},
		{"attacks/fastest-wins.toml", nil},
		{"quickstart.toml", nil},
	} {
		s, err := Load(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.TOML()
		twin, changed, err := HonestTwin(s)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !slices.Equal(changed, tc.changed) {
			t.Errorf("%s: changed %q, want %q", tc.file, changed, tc.changed)
		}
		if after, _ := s.TOML(); string(after) != string(before) {
			t.Errorf("%s: HonestTwin modified its argument", tc.file)
		}
		if len(twin.Faults) != 0 || twin.NodeCount() != s.NodeCount() || len(twin.Groups) != len(s.Groups) {
			t.Errorf("%s: twin has %d faults, %d nodes in %d groups; want 0, %d, %d", tc.file,
				len(twin.Faults), twin.NodeCount(), len(twin.Groups), s.NodeCount(), len(s.Groups))
		}
		for i, g := range twin.Groups {
			o := s.Groups[i]
			if !slices.Contains(HonestRoles, g.Role) || g.Hardware != o.Hardware || g.Count != o.Count || g.Name != o.Name {
				t.Errorf("%s: group %d: twin %+v against %+v", tc.file, i, g, o)
			}
		}
		// Everything but the roles and faults is the same run.
		if !reflect.DeepEqual(twin.CoinAI, s.CoinAI) || !reflect.DeepEqual(twin.Run, s.Run) || !reflect.DeepEqual(twin.Network, s.Network) {
			t.Errorf("%s: the twin changed more than roles and faults", tc.file)
		}
		if tc.changed == nil && !twin.Equal(s) {
			t.Errorf("%s: a scenario without attackers or faults is not its own twin", tc.file)
		}
	}
}
