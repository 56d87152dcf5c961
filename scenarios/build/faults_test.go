package build

import (
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

const faultNet = `
[run]
protocol = "pow"
stop_time = "2h"

[[group]]
name = "west"
count = 6
hardware = "asic"
regions = "NA"

[[group]]
name = "east"
count = 4
hardware = "asic"
regions = "AP"
`

func plan(t *testing.T, text string) (*Plan, error) {
	t.Helper()
	s, err := scenarios.Parse("f.toml", []byte(faultNet+text))
	if err != nil {
		t.Fatal(err)
	}
	return FromScenario(s)
}

// Sides and node sets resolve regions, group names and index ranges; the
// nodes of no side are the rest (label 0); a loss of 1 is a cut.
func TestFaultSides(t *testing.T) {
	tests := []struct {
		name, fault string
		kind        sim.LinkKind
		side        []int16
		across      bool
	}{
		{"regions", "kind = \"partition\"\nsides = [[\"NA\"], [\"AP\"]]", sim.LinkCut, []int16{1, 1, 1, 1, 1, 1, 2, 2, 2, 2}, true},
		{"rest", "kind = \"partition\"\nsides = [[\"0-1\", \"east\"]]", sim.LinkCut, []int16{1, 1, 0, 0, 0, 0, 1, 1, 1, 1}, true},
		{"loss of 1 is a cut", "kind = \"link-loss\"\nloss = 1.0\nsides = [[\"west\"]]", sim.LinkCut, []int16{1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, true},
		{"node set", "kind = \"link-loss\"\nloss = 0.5\nnodes = [\"3\", \"8-9\"]", sim.LinkLoss, []int16{0, 0, 0, 1, 0, 0, 0, 0, 1, 1}, false},
		{"every link", "kind = \"latency-spike\"\nextra = \"1s\"", sim.LinkDelay, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := plan(t, "[[fault]]\n"+tc.fault+"\n")
			if err != nil {
				t.Fatal(err)
			}
			ls := p.Faults.Links()
			if len(ls) != 1 {
				t.Fatalf("links %+v", ls)
			}
			l := ls[0]
			if l.Kind != tc.kind || l.Across != tc.across || !slicesEqual(l.Side, tc.side) {
				t.Errorf("kind %v across %v side %v; want %v %v %v", l.Kind, l.Across, l.Side, tc.kind, tc.across, tc.side)
			}
			if len(p.FaultInfo) != 1 || p.FaultInfo[0].Name != "fault0" {
				t.Errorf("fault info %+v", p.FaultInfo)
			}
		})
	}
}

func slicesEqual(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// What only the drawn regions reveal is an error of the build, naming the
// fault's key: a side without nodes, a node on two sides, a cut that cuts
// nothing.
func TestFaultSidesErrors(t *testing.T) {
	for _, tc := range []struct{ fault, want string }{
		{"kind = \"partition\"\nsides = [[\"EU\"]]", `fault.0.sides.0.0: "EU" holds no node in this run`},
		{"kind = \"partition\"\nsides = [[\"NA\"], [\"west\"]]", "fault.0.sides.1: node 0 is on side 0 too"},
		{"kind = \"partition\"\nsides = [[\"NA\", \"AP\"]]", "fault.0.sides: every node is on one side: nothing is cut"},
	} {
		if _, err := plan(t, "[[fault]]\n"+tc.fault+"\n"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.fault, err, tc.want)
		}
	}
}

// Crashes of a set strike every node at once; a rate draws them from the
// fault's stream (the same plan for the same seed, another for another
// seed); overlapping crashes of one node merge, lost if either is.
func TestFaultCrashes(t *testing.T) {
	p, err := plan(t, `
[[fault]]
kind = "crash"
nodes = ["2-3"]
at = "100s"
down = "50s"
state = "kept"

[[fault]]
kind = "crash"
nodes = ["3"]
at = "120s"
down = "100s"
state = "lost"
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.Crash{
		{Node: 2, Window: sim.Window{From: 100 * sim.Second, Until: 150 * sim.Second}, Source: 0},
		{Node: 3, Window: sim.Window{From: 100 * sim.Second, Until: 220 * sim.Second}, Lost: true, Source: 0},
	}
	if got := p.Faults.Crashes(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("crashes %+v, want %+v", got, want)
	}
	rate := "[[fault]]\nname = \"churn\"\nkind = \"crash\"\nrate = \"3/h\"\ndown = \"60s\"\nstate = \"kept\"\n"
	a, _ := plan(t, rate)
	b, _ := plan(t, rate)
	ca, cb := a.Faults.Crashes(), b.Faults.Crashes()
	// 10 nodes, 3 an hour each, over 2 hours: about 60.
	if len(ca) < 30 || len(ca) > 90 || len(ca) != len(cb) {
		t.Fatalf("%d and %d crashes, want about 60 and equal", len(ca), len(cb))
	}
	for i := range ca {
		if ca[i] != cb[i] {
			t.Fatalf("crash %d differs between builds: %+v %+v", i, ca[i], cb[i])
		}
		if ca[i].Until-ca[i].From != 60*sim.Second || ca[i].From >= 2*sim.Hour || (i > 0 && ca[i].From < ca[i-1].From) {
			t.Errorf("crash %d: %+v (want 60 s long, before 2 h, in time order)", i, ca[i])
		}
	}
	s, _ := scenarios.Parse("f.toml", []byte(faultNet+rate))
	s.Run.Seed = 2
	c, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	if cc := c.Faults.Crashes(); len(cc) > 0 && cc[0] == ca[0] {
		t.Error("seed 2 draws the same first crash as seed 1")
	}
}
