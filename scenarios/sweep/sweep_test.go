package sweep

import (
	"slices"
	"strings"
	"testing"
)

// head is a sweep file's [sweep] table over the PoW quickstart (the tests
// run in scenarios/sweep, the file is "x.toml" there).
const head = `
[sweep]
base = "../pow-quickstart.toml"
reps = 3
seed = 5
set = ["run.stop_height=5"]
`

func mustParse(t *testing.T, src string) *Sweep {
	t.Helper()
	sw, err := Parse("x.toml", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return sw
}

// The grid is the cartesian product in file order, the last parameter
// varying fastest; ids are p and the zero-padded index.
func TestGridOrderAndIDs(t *testing.T) {
	sw := mustParse(t, head+`
[[sweep.param]]
key = "pow.interval"
values = ["10s", "60s", "600s"]

[[sweep.param]]
key = "group.0.count"
values = [10, 20]
`)
	want := []string{
		"p0000 pow.interval=10s, group.0.count=10",
		"p0001 pow.interval=10s, group.0.count=20",
		"p0002 pow.interval=60s, group.0.count=10",
		"p0003 pow.interval=60s, group.0.count=20",
		"p0004 pow.interval=600s, group.0.count=10",
		"p0005 pow.interval=600s, group.0.count=20",
	}
	var got []string
	for k, p := range sw.Points() {
		if p.Index != k {
			t.Errorf("point %d has index %d", k, p.Index)
		}
		got = append(got, p.ID+" "+p.Label())
	}
	if !slices.Equal(got, want) {
		t.Errorf("points\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if sw.Name != "x" || sw.Reps != 3 || sw.Seed != 5 || !slices.Equal(sw.Seeds(), []int64{5, 6, 7}) {
		t.Errorf("name %q reps %d seed %d seeds %v", sw.Name, sw.Reps, sw.Seed, sw.Seeds())
	}
}

// Ids widen past 9999 points so that they still sort like indices.
func TestIDWidth(t *testing.T) {
	for _, tc := range []struct {
		sizes []int
		last  string
	}{
		{[]int{1}, "p0000"},
		{[]int{100, 100}, "p9999"},
		{[]int{100, 101}, "p10099"},
		{[]int{1000, 1000}, "p999999"},
	} {
		sw := &Sweep{sizes: tc.sizes}
		for _, n := range tc.sizes {
			vals := make([]string, n)
			for i := range vals {
				vals[i] = "v"
			}
			sw.Params = append(sw.Params, Param{Key: "k", Values: vals})
		}
		if got := sw.Point(sw.Len() - 1).ID; got != tc.last {
			t.Errorf("%v: last id %s, want %s", tc.sizes, got, tc.last)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"2/3", Shard{2, 3}, ""},
		{" 1 / 4 ", Shard{1, 4}, ""},
		{"3/3", Shard{}, `--shard "3/3": want 0 <= i < n`},
		{"-1/3", Shard{}, "want 0 <= i < n"},
		{"0/0", Shard{}, "want 0 <= i < n"},
		{"x", Shard{}, `--shard "x": want i/n`},
		{"1", Shard{}, "want i/n"},
		{"1/x", Shard{}, "want i/n"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		}
	}
}

// Shards are disjoint and cover the grid, by index mod n.
func TestShardsPartitionTheGrid(t *testing.T) {
	sw := mustParse(t, head+`
[[sweep.param]]
key = "group.0.count"
from = 10
to = 16
count = 7
`)
	for _, n := range []int{1, 2, 3, 7, 10} {
		seen := map[int]int{}
		for i := range n {
			for _, p := range sw.ShardPoints(Shard{i, n}) {
				seen[p.Index]++
				if p.Index%n != i || !(Shard{i, n}).Has(p.Index) {
					t.Errorf("shard %d/%d holds point %d", i, n, p.Index)
				}
			}
		}
		for k := range 7 {
			if seen[k] != 1 {
				t.Errorf("%d shards: point %d in %d shards", n, k, seen[k])
			}
		}
	}
	if got := sw.ShardPoints(Shard{1, 3}); len(got) != 2 || got[0].ID != "p0001" || got[1].ID != "p0004" {
		t.Errorf("shard 1/3: %v", got)
	}
}

// A range gives integers from integer end points, rounded floats
// otherwise, its ends exactly.
func TestRanges(t *testing.T) {
	for _, tc := range []struct {
		key, rng string
		want     []string
	}{
		{"group.0.count", "from = 10\nto = 80\ncount = 4\nscale = \"log\"", []string{"10", "20", "40", "80"}},
		{"group.0.count", "from = 10\nto = 40\ncount = 4", []string{"10", "20", "30", "40"}},
		{"group.0.count", "from = 40\nto = 10\ncount = 3", []string{"40", "25", "10"}},
		{"network.compact_fail_rate", "from = 0.1\nto = 0.5\ncount = 5", []string{"0.1", "0.2", "0.3", "0.4", "0.5"}},
		{"network.compact_fail_rate", "from = 0.0\nto = 1.0\ncount = 3", []string{"0.0", "0.5", "1.0"}},
		{"group.0.hashrate_spread", "from = 0.01\nto = 1.0\ncount = 3\nscale = \"log\"", []string{"0.01", "0.1", "1.0"}},
	} {
		sw := mustParse(t, head+"[[sweep.param]]\nkey = \""+tc.key+"\"\n"+tc.rng+"\n")
		if got := sw.Params[0].Values; !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", strings.ReplaceAll(tc.rng, "\n", " "), got, tc.want)
		}
	}
}

// The hash changes with what decides the points' results and with nothing
// else.
func TestHash(t *testing.T) {
	const params = `
[[sweep.param]]
key = "pow.interval"
values = ["10s", "60s"]
`
	ref := mustParse(t, head+params).Hash()
	if len(ref) != 64 {
		t.Fatalf("hash %q", ref)
	}
	same := []string{
		// Comments, layout, note, and an explicit name equal to the default.
		"# a comment\n" + strings.Replace(head, "reps = 3", "reps = 3 # three\nnote = \"hello\"\nname = \"x\"", 1) + params,
		// The base's own seed is overridden by the sweep's seed.
		head + "\n" + params,
	}
	for i, src := range same {
		if h := mustParse(t, src).Hash(); h != ref {
			t.Errorf("same %d: hash %s, want %s", i, h, ref)
		}
	}
	other := map[string]string{
		"reps":   strings.Replace(head, "reps = 3", "reps = 4", 1) + params,
		"seed":   strings.Replace(head, "seed = 5", "seed = 6", 1) + params,
		"name":   head + "name = \"y\"\n" + params,
		"set":    strings.Replace(head, "stop_height=5", "stop_height=6", 1) + params,
		"values": head + strings.Replace(params, `"60s"`, `"61s"`, 1),
		"order":  head + strings.Replace(params, `["10s", "60s"]`, `["60s", "10s"]`, 1),
		"key":    head + strings.Replace(params, "pow.interval", "pow.block_size", 1),
	}
	seen := map[string]string{ref: "reference"}
	for _, what := range []string{"reps", "seed", "name", "set", "values", "order", "key"} {
		src := other[what]
		if what == "key" {
			src = strings.Replace(src, `["10s", "60s"]`, `["100KB", "200KB"]`, 1)
		}
		h := mustParse(t, src).Hash()
		if prev, ok := seen[h]; ok {
			t.Errorf("changing %s gives the hash of %s", what, prev)
		}
		seen[h] = what
	}
}

// A point's scenario is the base with the common overrides, the point's
// values and the sweep's seed; the base is not touched.
func TestResolve(t *testing.T) {
	sw := mustParse(t, head+`
[[sweep.param]]
key = "pow.interval"
values = ["10s", "90s"]

[[sweep.param]]
key = "group.0.count"
values = [12, 30]
`)
	s, err := sw.Resolve(sw.Point(2))
	if err != nil {
		t.Fatal(err)
	}
	if s.PoW.Interval.Seconds() != 90 || s.NodeCount() != 12 || s.Run.Seed != 5 || s.Run.StopHeight != 5 || s.File != "../pow-quickstart.toml" {
		t.Errorf("point 2: interval %v nodes %d seed %d stop %d file %q", s.PoW.Interval, s.NodeCount(), s.Run.Seed, s.Run.StopHeight, s.File)
	}
	b := sw.BaseScenario()
	if b.PoW.Interval.Seconds() != 60 || b.NodeCount() != 50 || b.Run.StopHeight != 5 {
		t.Errorf("base changed: interval %v nodes %d stop %d", b.PoW.Interval, b.NodeCount(), b.Run.StopHeight)
	}
	text, err := s.TOML()
	if err != nil || !strings.Contains(string(text), "# Loaded from ../pow-quickstart.toml.") {
		t.Errorf("resolved TOML names %q (%v)", strings.SplitN(string(text), "\n", 3)[1], err)
	}
}

// Without seed, the sweep starts at the base's run.seed (after set).
func TestDefaultSeedAndName(t *testing.T) {
	sw := mustParse(t, `
[sweep]
base = "../pow-quickstart.toml"
reps = 2
set = ["run.seed=40"]

[[sweep.param]]
key = "pow.interval"
values = ["10s"]
`)
	if sw.Seed != 40 || sw.Name != "x" || sw.Len() != 1 {
		t.Errorf("seed %d name %q points %d", sw.Seed, sw.Name, sw.Len())
	}
}

// Every problem is reported at once, naming file, line and key.
func TestBadSweeps(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"syntax", "[sweep\nbase = 1\n", []string{"x.toml:2:"}},
		{"no sweep table", "[run]\nseed = 1\n", []string{"x.toml:1: run: unknown key (valid keys here: sweep)", "sweep: missing: a sweep file has a [sweep] table"}},
		{"unknown keys", head + "reeps = 3\n[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\nvlaues = 1\n",
			[]string{"x.toml:7: sweep.reeps: unknown key (valid keys here: name, base, reps, seed, set, note, param)",
				"x.toml:11: sweep.param.0.vlaues: unknown key (valid keys here: key, values, from, to, count, scale)"}},
		{"missing", "[sweep]\n[[sweep.param]]\nkey = \"pow.interval\"\n",
			[]string{"x.toml:1: sweep: missing base", "x.toml:1: sweep: missing reps", "x.toml:2: sweep.param.0: missing values"}},
		{"no params", head, []string{"x.toml:2: sweep: missing [[sweep.param]]"}},
		{"types", "[sweep]\nbase = 3\nreps = \"3\"\nset = \"run.seed=1\"\n[[sweep.param]]\nkey = \"pow.interval\"\nvalues = \"10s\"\n",
			[]string{"x.toml:2: sweep.base: integer 3: want a string", "x.toml:3: sweep.reps: string \"3\": want an integer",
				"x.toml:4: sweep.set: string \"run.seed=1\": want an array", "x.toml:7: sweep.param.0.values: string \"10s\": want an array"}},
		{"empty values", head + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = []\n", []string{"x.toml:9: sweep.param.0.values: empty: want at least one value"}},
		{"duplicate value", head + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\",\n \"10s\"]\n",
			[]string{`x.toml:10: sweep.param.0.values.1: "10s" is given twice`}},
		{"duplicate key", head + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\n[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"20s\"]\n",
			[]string{"x.toml:11: sweep.param.1.key: pow.interval is swept twice (also by sweep.param.0)"}},
		{"unknown param key", head + "[[sweep.param]]\nkey = \"pow.intervall\"\nvalues = [\"10s\", \"20s\"]\n",
			[]string{`x.toml:8: sweep.param.0.key: pow.intervall: unknown key "pow.intervall" (valid keys here:`}},
		{"value refused", head + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\",\n  \"60\"]\n",
			[]string{`x.toml:10: sweep.param.0.values.1: pow.interval=60: "60" has no unit`}},
		{"value refused by validation", head + "[[sweep.param]]\nkey = \"group.0.count\"\nvalues = [10, -4]\n",
			[]string{"x.toml:9: sweep.param.0.values.1: group.0.count=-4: -4 must be > 0"}},
		{"combination", head + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\n",
			nil},
		{"set refused", strings.Replace(head, `"run.stop_height=5"`, `"run.stop_height=5", "pow.intervall=3s"`, 1) + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\n",
			[]string{`x.toml:6: sweep.set.1: pow.intervall: unknown key "pow.intervall"`}},
		{"run.seed swept", head + "[[sweep.param]]\nkey = \"run.seed\"\nvalues = [1, 2]\n", []string{"x.toml:8: sweep.param.0.key: run.seed is not a parameter"}},
		{"bad reps and seed", strings.Replace(strings.Replace(head, "reps = 3", "reps = 0", 1), "seed = 5", "seed = -1", 1) + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\n",
			[]string{"x.toml:4: sweep.reps: 0: want 1 to 100000", "x.toml:5: sweep.seed: -1 is negative"}},
		{"last seed", strings.Replace(head, "seed = 5", "seed = 9223372036854775806", 1) + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\n",
			[]string{"x.toml:4: sweep.reps: 3 replications from seed 9223372036854775806: the last seed"}},
		{"missing base", strings.Replace(head, "../pow-quickstart.toml", "nope.toml", 1) + "[[sweep.param]]\nkey = \"pow.interval\"\nvalues = [\"10s\"]\n",
			[]string{`x.toml:3: sweep.base: "nope.toml": the base scenario nope.toml cannot be read`}},
		{"bad range", head + "[[sweep.param]]\nkey = \"group.0.count\"\nfrom = 1\nto = 3\ncount = 5\n", []string{"x.toml:11: sweep.param.0.count: 5 values from 1 to 3 repeat 2 once rounded"}},
		{"range and values", head + "[[sweep.param]]\nkey = \"group.0.count\"\nfrom = 1\nvalues = [3]\n", []string{"x.toml:7: sweep.param.0: give values or a range"}},
		{"log range", head + "[[sweep.param]]\nkey = \"group.0.count\"\nfrom = 0\nto = 3\ncount = 2\nscale = \"log\"\n", []string{"x.toml:9: sweep.param.0.from: a log range needs from and to above 0"}},
		{"bad scale", head + "[[sweep.param]]\nkey = \"group.0.count\"\nfrom = 1\nto = 3\ncount = 2\nscale = \"cubic\"\n", []string{`x.toml:12: sweep.param.0.scale: "cubic": want "linear" or "log"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "combination" {
				// Values each fine, refused together: named as the point.
				tc.src = head + "[[sweep.param]]\nkey = \"group.0.count\"\nvalues = [4, 10]\n[[sweep.param]]\nkey = \"network.degree\"\nvalues = [3, 8]\n"
				tc.want = []string{"x.toml:12: sweep.param.1.values.1: network.degree=8: 8 outbound peers need more than 4 nodes"}
			}
			_, err := Parse("x.toml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestIsSweep(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{head, true},
		{"[run]\nprotocol = \"pow\"\n", false},
		{"[sweep\n", false},
		{"", false},
	} {
		if got := IsSweep([]byte(tc.src)); got != tc.want {
			t.Errorf("IsSweep(%q) = %v", tc.src, got)
		}
	}
}
