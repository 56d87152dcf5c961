package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// value strips what is not part of a scenario's value (its file name,
// source positions and [regression] section, which the resolved TOML
// leaves out) so that scenarios can be compared with DeepEqual.
func value(s *Scenario) Scenario {
	c := *s
	c.File, c.src, c.Regression = "", nil, nil
	return c
}

func mustLoad(t *testing.T, path string) *Scenario {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return s
}

func TestEqual(t *testing.T) {
	a, b := mustLoad(t, "reference.toml"), Default()
	if !a.Equal(&b) {
		t.Error("reference.toml and Default() are not Equal")
	}
	b.Network.LatencyMs[5][5] = 17
	if a.Equal(&b) {
		t.Error("Equal ignores a changed latency")
	}
}

func BenchmarkParse(b *testing.B) {
	text, err := os.ReadFile("reference.toml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Parse("reference.toml", text); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDefaultIsValid(t *testing.T) {
	d := Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("Default() is invalid:\n%v", err)
	}
}

func TestReferenceEqualsDefault(t *testing.T) {
	s := mustLoad(t, "reference.toml")
	if got, want := value(s), Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("reference.toml differs from Default():\n got %+v\nwant %+v", got, want)
	}
	// reference.toml must spell out every key: every key of the resolved
	// scenario is written in it.
	text, err := os.ReadFile("reference.toml")
	if err != nil {
		t.Fatal(err)
	}
	lines := keyLines(string(text))
	resolved, err := s.TOML()
	if err != nil {
		t.Fatal(err)
	}
	for k := range keyLines(string(resolved)) {
		if _, ok := lines[k]; !ok {
			t.Errorf("reference.toml does not document key %s", k)
		}
	}
}

func TestShippedScenarios(t *testing.T) {
	tests := []struct {
		file       string
		nodes      int
		protocol   string
		interval   Duration
		blockSize  Size
		stopHeight int
		spread     float64
	}{
		{"pow-bitcoin.toml", 600, "pow", 600 * Second, 535_000, 100, 0.25},
		{"pow-quickstart.toml", 50, "pow", 60 * Second, 535_000, 20, 0.25},
		{"reference.toml", 100, "pow", 600 * Second, 535_000, 100, 0.25},
	}
	for _, tt := range tests {
		s := mustLoad(t, tt.file)
		if s.NodeCount() != tt.nodes || s.Run.Protocol != tt.protocol || s.PoW.Interval != tt.interval ||
			s.PoW.BlockSize != tt.blockSize || s.Run.StopHeight != tt.stopHeight || s.Groups[0].HashrateSpread != tt.spread {
			t.Errorf("%s: nodes %d protocol %s interval %v block %v stop %d spread %v; want %d %s %v %v %d %v",
				tt.file, s.NodeCount(), s.Run.Protocol, s.PoW.Interval, s.PoW.BlockSize, s.Run.StopHeight, s.Groups[0].HashrateSpread,
				tt.nodes, tt.protocol, tt.interval, tt.blockSize, tt.stopHeight, tt.spread)
		}
		if s.Network.Relay != "compact" || s.Groups[0].Hardware != "asic" || s.Groups[0].Role != "miner" {
			t.Errorf("%s: relay %q hardware %q role %q", tt.file, s.Network.Relay, s.Groups[0].Hardware, s.Groups[0].Role)
		}
		if s.File != tt.file {
			t.Errorf("File = %q, want %q", s.File, tt.file)
		}
	}
	coinai := []struct {
		file       string
		nodes      int
		stopHeight int
		threshold  float64
		workScale  float64
	}{
		{"quickstart.toml", 20, 8, 0.90, 20000},
		{"coinai-300.toml", 300, 100, 0.90, 50000},
		{"coinai-1000-mixed.toml", 1000, 100, 0.90, 1e8},
		{"coinai-10000-sampled.toml", 10000, 100, 0.90, 1e8},
	}
	for _, tt := range coinai {
		s := mustLoad(t, tt.file)
		if s.NodeCount() != tt.nodes || s.Run.Protocol != "coinai" || s.Run.StopHeight != tt.stopHeight ||
			s.CoinAI.ThresholdInitial != tt.threshold || s.CoinAI.WorkScale != tt.workScale {
			t.Errorf("%s: nodes %d protocol %s stop %d threshold %v scale %v; want %d coinai %d %v %v", tt.file,
				s.NodeCount(), s.Run.Protocol, s.Run.StopHeight, s.CoinAI.ThresholdInitial, s.CoinAI.WorkScale,
				tt.nodes, tt.stopHeight, tt.threshold, tt.workScale)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	if err != nil || len(files) < 3 {
		t.Fatalf("shipped scenarios: %v %v", files, err)
	}
	attacks, err := filepath.Glob("attacks/*.toml")
	if err != nil || len(attacks) < 2 {
		t.Fatalf("attack scenarios: %v %v", attacks, err)
	}
	files = append(files, attacks...)
	custom := `
[run]
protocol = "coinai"
stop_time = "1.5h"
[network]
regions = ["A", "B"]
latency_ms = [[1.5, 20], [20, 0.25]]
download = ["1Gbps", "123.456Mbps"]
upload = ["0.3Mbps", "10Kbps"]
region_share = [66.7, 33.3]
jitter = "none"
degree = 3
[[hardware]]
name = "asic"
hashrate = "13.5TH/s"
[[hardware]]
name = "tpu"
flops = "123.4TFLOPS"
busy_watts = "0.2kW"
storage = "3GiB"
[[group]]
name = "trainers"
count = 7
hardware = "tpu"
regions = "B"
[[group]]
count = 2
hardware = "laptop-cpu"
role = "storage"
[coinai.grammar]
activations = ["tanh"]
`
	scenarios := map[string][]byte{"custom.toml": []byte(custom)}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scenarios[f] = b
	}
	for name, text := range scenarios {
		s, err := Parse(name, text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := s.TOML()
		if err != nil {
			t.Fatalf("%s: TOML: %v", name, err)
		}
		back, err := Parse("resolved-"+name, out)
		if err != nil {
			t.Fatalf("%s: resolved scenario does not load:\n%v\n%s", name, err, out)
		}
		if !reflect.DeepEqual(value(s), value(back)) {
			t.Errorf("%s: round trip changed the scenario:\n got %+v\nwant %+v", name, value(back), value(s))
		}
		again, _ := back.TOML()
		if got, want := strings.SplitN(string(again), "\n", 3)[2], strings.SplitN(string(out), "\n", 3)[2]; got != want {
			t.Errorf("%s: TOML of the reloaded scenario differs", name)
		}
	}
	// The custom scenario resolves hardware by merging with the built-ins:
	// the file's entries first, starting from a built-in of the same name.
	s, _ := Parse("custom.toml", []byte(custom))
	var names []string
	for _, h := range s.Hardware {
		names = append(names, h.Name)
	}
	if got, want := strings.Join(names, ","), "asic,tpu,laptop-cpu,rtx4090,h100"; got != want {
		t.Errorf("hardware order %s, want %s", got, want)
	}
	asic, _ := s.HardwareByName("asic")
	if asic.Hashrate != 13.5e12 || asic.BusyWatts != 1350 || asic.IdleWatts != 10 {
		t.Errorf("overridden asic = %+v; want hashrate 13.5e12 with the built-in watts", asic)
	}
	if g := s.Groups[1]; g.Role != "storage" || g.Regions != "default" || g.Name != "" {
		t.Errorf("group defaults not applied: %+v", g)
	}
	if s.Run.StopHeight != 100 || s.Run.StopTime != 5400*Second {
		t.Errorf("run = %+v", s.Run)
	}
}

// TestBadFiles checks that each class of error is reported with its file,
// line and key.
func TestBadFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string // each is a whole line of the error
	}{
		{"unknown-key.toml", []string{
			"testdata/unknown-key.toml:4: run.stop_hieght: unknown key (valid keys here: name, seed, protocol, stop_height, stop_time, max_events)",
			"testdata/unknown-key.toml:6: netwrk: unknown key (valid keys here: run, network, hardware, group, pow, coinai, storage, fault, workload, output, regression)",
		}},
		{"wrong-unit.toml", []string{
			`testdata/wrong-unit.toml:3: pow.interval: bare number 600: want a duration like "600s" (units: ns, us, ms, s, m, h)`,
			`testdata/wrong-unit.toml:4: pow.block_size: unknown unit "KBytes" in "535KBytes": want a size like "535KB" (units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`,
			`testdata/wrong-unit.toml:7: network.download.5: unknown unit "MB/s" in "29.9MB/s": want a bit rate like "19.2Mbps" (units: bps, Kbps, Mbps, Gbps, Tbps)`,
		}},
		{"negative-count.toml", []string{
			"testdata/negative-count.toml:9: group.1.count: -5 must be > 0",
		}},
		{"latency-shape.toml", []string{
			"testdata/latency-shape.toml:4: network.latency_ms.0: row 0 has 2 columns; want 6 (latency_ms must be 6x6)",
			"testdata/latency-shape.toml:5: network.latency_ms.1: row 1 has 2 columns; want 6 (latency_ms must be 6x6)",
			"testdata/latency-shape.toml:6: network.latency_ms.2: row 2 has 2 columns; want 6 (latency_ms must be 6x6)",
			"testdata/latency-shape.toml:7: network.latency_ms.3: row 3 has 2 columns; want 6 (latency_ms must be 6x6)",
			"testdata/latency-shape.toml:8: network.latency_ms.4: row 4 has 2 columns; want 6 (latency_ms must be 6x6)",
			"testdata/latency-shape.toml:9: network.latency_ms.5: row 5 has 1 columns; want 6 (latency_ms must be 6x6)",
		}},
		{"parse-error.toml", []string{
			`testdata/parse-error.toml:3: expected '.' or ']' to end table name, but got '\n' instead`,
		}},
		{"impossible.toml", []string{
			"testdata/impossible.toml:2: run: no stop condition: set stop_height, stop_time or max_events",
			`testdata/impossible.toml:3: run.protocol: "pos" is not one of "pow", "coinai"`,
			"testdata/impossible.toml:7: network.region_share: sums to 94 percent; want 100",
			"testdata/impossible.toml:8: network.upload.1: 0bps must be > 0",
			`testdata/impossible.toml:12: group.0.hardware: unknown hardware "tpu-v9" (known: laptop-cpu, rtx4090, h100, asic)`,
		}},
	}
	for _, tt := range tests {
		s, err := Load(filepath.Join("testdata", tt.file))
		if s != nil || err == nil {
			t.Errorf("%s: loaded; want an error", tt.file)
			continue
		}
		var errs *Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: error %T, want *Errors", tt.file, err)
			continue
		}
		if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
			t.Errorf("%s: error\n%s\nwant\n%s", tt.file, got, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "no-such-file.toml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "loading scenario") {
		t.Errorf("error %v; want a wrapped not-exist error", err)
	}
}

// TestDecodeProblems covers the type errors of the decoder and that a key
// whose value failed to decode is not reported again by validation.
func TestDecodeProblems(t *testing.T) {
	const pow = "[run]\nprotocol = \"pow\"\n" // appended: it moves no line
	const missing = `missing: a scenario must set run.protocol to "pow" or "coinai" (every other key has a default; see scenarios/reference.toml)`
	tests := []struct {
		name, text string
		want       []string
	}{
		{"types", "[run]\nseed = \"seven\"\nstop_height = 1.5\n[output]\ntrace = 1\n[network]\nregion_share = \"all\"\n",
			[]string{
				"t.toml:1: run.protocol: " + missing,
				`t.toml:2: run.seed: string "seven": want an integer`,
				"t.toml:3: run.stop_height: float 1.5: want an integer",
				`t.toml:5: output.trace: integer 1: want true or false`,
				`t.toml:7: network.region_share: string "all": want an array`,
			}},
		{"failed count not revalidated", "[[group]]\ncount = \"many\"\nhardware = \"asic\"\n" + pow,
			[]string{`t.toml:2: group.0.count: string "many": want an integer`}},
		{"section not a table", "run = 5\n",
			[]string{"t.toml:1: run: integer 5: want a table"}},
		{"inline tables", "run = { seed = 2, sed = 3, protocol = \"pow\" }\ngroup = [ { count = 20, hardware = \"asic\" },\n  { count = 0, hardware = \"asic\" } ]\n",
			[]string{
				"t.toml:1: run.sed: unknown key (valid keys here: name, seed, protocol, stop_height, stop_time, max_events)",
				"t.toml:3: group.1.count: 0 must be > 0",
			}},
		{"quantity wrong type", "[pow]\ninterval = true\n" + pow,
			[]string{`t.toml:2: pow.interval: boolean true: want a duration like "600s" (units: ns, us, ms, s, m, h)`}},
		{"no miners", "[[group]]\ncount = 20\nhardware = \"laptop-cpu\"\nrole = \"user\"\n" + pow,
			[]string{`t.toml:1: group: no group has role "miner": nobody would mine blocks`}},
		{"stop condition", "[run]\nprotocol = \"pow\"\nstop_height = 0\n",
			[]string{"t.toml:1: run: no stop condition: set stop_height, stop_time or max_events"}},
		{"empty file", "", []string{"t.toml: run.protocol: " + missing}},
		{"no protocol", "# a comment\n[run]\nseed = 3\n", []string{"t.toml:2: run.protocol: " + missing}},
		{"negative seed", "[run]\nprotocol = \"pow\"\nseed = -3\n", []string{"t.toml:3: run.seed: -3 is negative; a seed is an integer from 0 to 9223372036854775807"}},
		{"no section", "[run]\nstop_height = 0\n[network]\nregions = [\"X\"]\n",
			[]string{
				"t.toml:1: run: no stop condition: set stop_height, stop_time or max_events",
				"t.toml:1: run.protocol: " + missing,
				"t.toml:3: network.download: has 6 entries; want 1 (one per region); the default is for the default regions, so set it with network.regions",
				"t.toml:3: network.latency_ms: has 6 rows; want 1 (one per region, 1x1); the default is for the default regions, so set it with network.regions",
				"t.toml:3: network.region_share: has 6 entries; want 1 (one per region); the default is for the default regions, so set it with network.regions",
				"t.toml:3: network.upload: has 6 entries; want 1 (one per region); the default is for the default regions, so set it with network.regions",
			}},
	}
	for _, tt := range tests {
		_, err := Parse("t.toml", []byte(tt.text))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
			t.Errorf("%s: error\n%s\nwant\n%s", tt.name, got, want)
		}
	}
}

// The model re-use attack scenarios (issue #13): 20 nodes of which the
// "reusers" group of 2 is the re-use attacker, and the defended scenario
// is the same run but for its name and coinai.bind, so that the two
// compare the rule and nothing else.
func TestAttackScenarios(t *testing.T) {
	plain, defended := mustLoad(t, "attacks/model-reuse.toml"), mustLoad(t, "attacks/model-reuse-defended.toml")
	if plain.NodeCount() != 20 || len(plain.Groups) != 2 || plain.Groups[1].Role != "reuse" || plain.Groups[1].Count != 2 ||
		plain.Groups[1].Reuse != (Reuse{PerturbBytes: 1, Source: "any", Fallback: "idle"}) {
		t.Errorf("model-reuse.toml: %d nodes, groups %+v", plain.NodeCount(), plain.Groups)
	}
	if plain.CoinAI.Bind != "none" || defended.CoinAI.Bind != "label-permutation" {
		t.Errorf("bind %q and %q, want none and label-permutation", plain.CoinAI.Bind, defended.CoinAI.Bind)
	}
	d := *defended
	d.Run.Name, d.CoinAI.Bind = plain.Run.Name, plain.CoinAI.Bind
	if !plain.Equal(&d) {
		t.Error("model-reuse-defended.toml differs from model-reuse.toml beyond its name and coinai.bind")
	}
}

// The timestamp attack scenarios (issue #13): 20 nodes of which the
// "stampers" group of 5 is the timestamp attacker with the whole drift of
// a 60 s interval, and the defended scenario is the same run but for its
// name and coinai.decay_clock.
func TestTimestampAttackScenarios(t *testing.T) {
	plain, defended := mustLoad(t, "attacks/timestamp.toml"), mustLoad(t, "attacks/timestamp-defended.toml")
	if plain.NodeCount() != 20 || len(plain.Groups) != 2 || plain.Groups[1].Role != "timestamp" || plain.Groups[1].Count != 5 ||
		plain.Groups[1].Timestamp != (Timestamp{Forward: 30 * Second}) || plain.CoinAI.Interval != 60*Second || plain.CoinAI.ThresholdDecay == 0 {
		t.Errorf("timestamp.toml: %d nodes, groups %+v, coinai %+v", plain.NodeCount(), plain.Groups, plain.CoinAI)
	}
	if plain.CoinAI.DecayClock != "timestamp" || defended.CoinAI.DecayClock != "verifier" {
		t.Errorf("decay_clock %q and %q, want timestamp and verifier", plain.CoinAI.DecayClock, defended.CoinAI.DecayClock)
	}
	d := *defended
	d.Run.Name, d.CoinAI.DecayClock = plain.Run.Name, plain.CoinAI.DecayClock
	if !plain.Equal(&d) {
		t.Error("timestamp-defended.toml differs from timestamp.toml beyond its name and coinai.decay_clock")
	}
}

// The fastest-wins pair (issue #13): sixteen laptops and four
// workstations of four times their FLOP rate (a [[hardware]] profile of
// the scenario), and the lottery scenario is the same run but for its
// name, the lottery keys and the threshold retarget the lottery replaces.
func TestFastestWinsScenarios(t *testing.T) {
	plain, lottery := mustLoad(t, "attacks/fastest-wins.toml"), mustLoad(t, "attacks/fastest-wins-lottery.toml")
	ws, ok := plain.HardwareByName("workstation")
	laptop, _ := plain.HardwareByName("laptop-cpu")
	if !ok || ws.FLOPS != 4*laptop.FLOPS || plain.NodeCount() != 20 || len(plain.Groups) != 2 ||
		plain.Groups[1].Hardware != "workstation" || plain.Groups[1].Count != 4 || plain.CoinAI.Lottery {
		t.Errorf("fastest-wins.toml: hardware %+v, groups %+v, lottery %v", ws, plain.Groups, plain.CoinAI.Lottery)
	}
	if !lottery.CoinAI.Lottery || lottery.CoinAI.ThresholdWindow != 0 || lottery.CoinAI.VerifyScale != lottery.CoinAI.WorkScale {
		t.Errorf("fastest-wins-lottery.toml: coinai %+v", lottery.CoinAI)
	}
	l := *lottery
	l.Run.Name, l.CoinAI.ThresholdWindow = plain.Run.Name, plain.CoinAI.ThresholdWindow
	l.CoinAI.Lottery, l.CoinAI.LotteryDifficulty, l.CoinAI.LotteryWindow = plain.CoinAI.Lottery, plain.CoinAI.LotteryDifficulty, plain.CoinAI.LotteryWindow
	if !plain.Equal(&l) {
		t.Error("fastest-wins-lottery.toml differs from fastest-wins.toml beyond its name, the lottery keys and threshold_window")
	}
}
