package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

const faultHead = `[run]
protocol = "pow"
stop_height = 5
stop_time = "2h"

[[group]]
name = "miners"
count = 10
hardware = "asic"

[[group]]
name = "relays"
count = 4
hardware = "asic"
role = "relay"
`

// A [[fault]] of each kind loads into its FaultSpec, and the resolved
// scenario loads back equal.
func TestFaultTablesLoad(t *testing.T) {
	text := faultHead + `
[[fault]]
name = "cut"
kind = "partition"
sides = [["NA", "relays"], ["0-3"]]
at = "10m"
heal = "20m"

[[fault]]
kind = "link-loss"
nodes = ["EU"]
loss = 0.25
at = "1s"
until = "2s"

[[fault]]
kind = "latency-spike"
extra = "3s"
factor = 2.5
at = "5s"

[[fault]]
kind = "crash"
rate = "3/m"
down = "90s"
state = "lost"
`
	s, err := Parse("f.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []FaultSpec{
		{Name: "cut", Kind: "partition", Sides: [][]string{{"NA", "relays"}, {"0-3"}}, At: 10 * Minute, Heal: 20 * Minute},
		{Kind: "link-loss", Nodes: []string{"EU"}, Loss: 0.25, At: Second, Until: 2 * Second},
		{Kind: "latency-spike", Extra: 3 * Second, Factor: 2.5, At: 5 * Second},
		{Kind: "crash", Rate: 180, Down: 90 * Second, State: "lost"},
	}
	if !reflect.DeepEqual(s.Faults, want) {
		t.Errorf("faults\n got %+v\nwant %+v", s.Faults, want)
	}
	resolved, err := s.TOML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("resolved.toml", resolved)
	if err != nil {
		t.Fatalf("resolved scenario does not load: %v\n%s", err, resolved)
	}
	if !back.Equal(s) {
		t.Errorf("resolved scenario loads back different:\n%s", resolved)
	}
	// A scenario without faults writes no [[fault]] table.
	d := Default()
	if b, _ := d.TOML(); strings.Contains(string(b), "[[fault]]") {
		t.Error("the default scenario writes a [[fault]] table")
	}
}

// Every problem of a [[fault]] table is reported at its file, line and
// key.
func TestFaultTableProblems(t *testing.T) {
	tests := []struct {
		name, fault, want string
	}{
		{"no kind", `at = "1s"`, `f.toml:17: fault.0.kind: missing: a [[fault]] must set kind to one of "partition", "link-loss", "latency-spike", "crash"`},
		{"unknown kind", `kind = "meteor"`, `f.toml:18: fault.0.kind: "meteor" is not one of`},
		{"unknown key", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nnode = 3", `f.toml:21: fault.0.node: unknown key (valid keys here: name, kind, at, heal, until, sides, nodes, loss, extra, factor, rate, down, state)`},
		{"bare duration", "kind = \"partition\"\nsides = [[\"NA\"]]\nat = 600", `f.toml:20: fault.0.at: bare number 600: want a duration`},
		{"negative at", "kind = \"partition\"\nsides = [[\"NA\"]]\nat = \"-1s\"", `f.toml:20: fault.0.at: -1s must be >= 0`},
		{"heal before at", "kind = \"partition\"\nsides = [[\"NA\"]]\nat = \"10s\"\nheal = \"10s\"", `f.toml:21: fault.0.heal: 10s is not after at = 10s`},
		{"no sides", `kind = "partition"`, `f.toml:17: fault.0.sides: missing: a partition needs at least one side`},
		{"empty side", "kind = \"partition\"\nsides = [[\"NA\"], []]", `f.toml:19: fault.0.sides.1: an empty side`},
		{"one name on two sides", "kind = \"partition\"\nsides = [[\"NA\"], [\"EU\", \"NA\"]]", `f.toml:19: fault.0.sides.1: "NA" is also on side 0`},
		{"key of another kind", "kind = \"partition\"\nsides = [[\"NA\"]]\ndown = \"5s\"", `f.toml:20: fault.0.down: does not apply to kind "partition" (its keys: sides, heal)`},
		{"loss above 1", "kind = \"link-loss\"\nloss = 1.5", `f.toml:19: fault.0.loss: 1.5 must be <= 1`},
		{"nodes and sides", "kind = \"link-loss\"\nloss = 0.1\nnodes = [\"NA\"]\nsides = [[\"EU\"]]", `fault.0.nodes: give nodes or sides, not both`},
		{"unknown selector", "kind = \"link-loss\"\nloss = 0.1\nnodes = [\"MARS\"]", `f.toml:20: fault.0.nodes.0: "MARS" is not a region (NA, EU, SA, AP, JP, AU), a group name (miners, relays), a node index or a range "a-b" (0..13)`},
		{"index beyond", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nnodes = [\"10-14\"]", `f.toml:21: fault.0.nodes.0: "10-14": node 14 is beyond the last node 13`},
		{"empty range", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nnodes = [\"5-2\"]", `fault.0.nodes.0: "5-2": an empty range`},
		{"spike without effect", "kind = \"latency-spike\"\nfactor = 1", `f.toml:17: fault.0.extra: a latency-spike needs extra > 0 or factor > 1`},
		{"factor below 1", "kind = \"latency-spike\"\nfactor = 0.5\nextra = \"1s\"", `f.toml:19: fault.0.factor: 0.5 must be >= 1`},
		{"crash without down", "kind = \"crash\"\nstate = \"kept\"", `f.toml:17: fault.0.down: 0s: a crash needs down > 0`},
		{"crash state", "kind = \"crash\"\ndown = \"1s\"\nstate = \"gone\"", `f.toml:20: fault.0.state: "gone" is not one of "kept", "lost"`},
		{"crash until without rate", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nuntil = \"5s\"", `f.toml:21: fault.0.until: applies to a crash with a rate only`},
		{"rate unit", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nrate = \"2/day\"", `f.toml:21: fault.0.rate: unknown unit "/day" in "2/day": want a rate of events like "0.5/h" (units: /h, /m, /s)`},
		{"negative rate", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nrate = \"-2/h\"", `f.toml:21: fault.0.rate: -2/h must be >= 0`},
		{"rate window", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nrate = \"2/h\"\nat = \"3h\"", `fault.0.until: a crash rate draws crashes from at = 10800s until run.stop_time = 7200s`},
		{"rate too high", "kind = \"crash\"\ndown = \"1s\"\nstate = \"kept\"\nrate = \"100/s\"", `f.toml:21: fault.0.rate: 360000/h over 7200s on up to 14 nodes is about 1.01e+07 crashes, more than the 1000000 supported`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(faultHead+"\n[[fault]]\n"+tc.fault+"\n"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %q", err, tc.want)
			}
		})
	}
	// Two faults of one name would share their random streams.
	_, err := Parse("f.toml", []byte(faultHead+"\n[[fault]]\nname = \"x\"\nkind = \"link-loss\"\nloss = 0.1\n[[fault]]\nname = \"x\"\nkind = \"link-loss\"\nloss = 0.2\n"))
	if err == nil || !strings.Contains(err.Error(), `f.toml:22: fault.1.name: duplicate fault name "x" (fault 0 has it)`) {
		t.Errorf("duplicate names: %v", err)
	}
}

// Frequencies are per hour; per minute and per second convert exactly.
func TestFrequency(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Frequency
		out  string
	}{{"0.5/h", 0.5, "0.5/h"}, {"2/m", 120, "120/h"}, {"1/s", 3600, "3600/h"}, {"0/h", 0, "0/h"}} {
		var f Frequency
		if err := f.UnmarshalText([]byte(tc.in)); err != nil || f != tc.want || f.String() != tc.out {
			t.Errorf("%q: %v %v (%q), want %v %q", tc.in, f, err, f.String(), tc.want, tc.out)
		}
	}
	if got := Frequency(7200).PerSecond(); got != 2 {
		t.Errorf("7200/h = %v/s, want 2", got)
	}
}
