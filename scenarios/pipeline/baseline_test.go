package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaselinesReplay replays every committed baseline under results/ from
// its scenario and seed and requires the same trace digest and
// byte-identical CSVs: a change that moves a baseline must re-make it, in
// the same commit, and say why (see results/README.md).
func TestBaselinesReplay(t *testing.T) {
	dirs, _ := filepath.Glob("../../results/*/scenario.toml")
	if len(dirs) == 0 {
		t.Fatal("no baselines under results/")
	}
	for _, sc := range dirs {
		dir := filepath.Dir(sc)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			s, res := runScenario(t, sc)
			b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				TraceDigest string `json:"trace_digest"`
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
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
