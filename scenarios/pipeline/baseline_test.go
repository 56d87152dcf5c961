package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/nn"
)

// TestBaselinesReplay replays every committed baseline under results/ from
// its scenario and seed and requires the same trace digest and
// byte-identical CSVs: a change that moves a baseline must re-make it, in
// the same commit, and say why (see results/README.md).
//
// A Coin.AI baseline holds for the trainer kernel that made it (its
// summary's "kernel"): trained weights differ in their last bits between
// the AVX2/FMA assembly and the portable Go kernel (-tags purego), and so
// do the traces. The test replays the baselines of the running kernel and
// requires that every baselined Coin.AI scenario has one for it.
// newerThanBaselines are the CSVs added to run outputs after the committed
// baselines were made (an added file is an additive change of the output
// contract, not a change of behaviour): a baseline that lacks one is not
// failed for it, and a re-made baseline includes it and is compared as
// usual. The trace digest still pins the run's behaviour.
var newerThanBaselines = map[string]bool{
	"compute.csv": true, // issue #13: per-node compute for the attack and verification-cost keys
}

func TestBaselinesReplay(t *testing.T) {
	dirs, _ := filepath.Glob("../../results/*/scenario.toml")
	if len(dirs) == 0 {
		t.Fatal("no baselines under results/")
	}
	type baseline struct {
		TraceDigest string `json:"trace_digest"`
		Protocol    string `json:"protocol"`
		Kernel      string `json:"kernel"`
	}
	read := func(dir string) baseline {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var v baseline
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Scenario files baselined per kernel, and those the running kernel has.
	kernelScenarios, covered := map[string]bool{}, map[string]bool{}
	for _, sc := range dirs {
		dir := filepath.Dir(sc)
		if v := read(dir); v.Protocol == "coinai" {
			cmd, _ := os.ReadFile(filepath.Join(dir, "COMMAND"))
			name := "(no scenario in " + dir + "/COMMAND)"
			for _, f := range strings.Fields(string(cmd)) {
				if strings.HasSuffix(f, ".toml") {
					name = f
					break
				}
			}
			kernelScenarios[name] = true
			if v.Kernel == nn.Kernel() {
				covered[name] = true
			}
		}
	}
	for name := range kernelScenarios {
		if !covered[name] {
			t.Errorf("no baseline of %s for the running trainer kernel %q: make one with its COMMAND under this kernel", name, nn.Kernel())
		}
	}
	for _, sc := range dirs {
		dir := filepath.Dir(sc)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := read(dir)
			if want.Protocol == "coinai" && want.Kernel == "" {
				t.Fatal("a Coin.AI baseline must record its trainer kernel in summary.json")
			}
			if want.Protocol == "coinai" && want.Kernel != nn.Kernel() {
				t.Skipf("baseline of trainer kernel %q; this run uses %q", want.Kernel, nn.Kernel())
			}
			s, res := runScenario(t, sc)
			if res.Summary.TraceDigest != want.TraceDigest {
				t.Errorf("trace digest %s, baseline %s: the protocol or simulator changed behaviour; re-make the baseline with results/%s/COMMAND if that is intended",
					res.Summary.TraceDigest, want.TraceDigest, filepath.Base(dir))
			}
			files, err := res.Files(s.Output.Propagation)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range files {
				if !strings.HasSuffix(name, ".csv") {
					continue
				}
				base, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil && newerThanBaselines[name] {
					t.Logf("%s was added to the outputs after this baseline was made: not compared", name)
					continue
				}
				if err != nil {
					t.Errorf("baseline lacks %s", name)
					continue
				}
				if string(base) != string(got) {
					t.Errorf("%s differs from the baseline", name)
				}
			}
		})
	}
}
