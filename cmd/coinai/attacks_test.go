package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttacksReport runs the report on two tiny scenarios (a re-use attack
// and a partition), twice with different worker counts: the files are the
// same bytes, every case has its twin, and the twin differs from the
// attack run where it must (the partition's stale rate is higher than
// without the cut at each seed).
func TestAttacksReport(t *testing.T) {
	dir := t.TempDir()
	m := "testdata/attacks/attacks.toml"
	var outs [2]string
	for i, jobs := range []string{"1", "2"} {
		outs[i] = filepath.Join(dir, "out"+jobs)
		code, stdout, stderr := run("attacks", "--manifest", m, "--quick", "--jobs", jobs, "--out", outs[i])
		if code != 0 {
			t.Fatalf("jobs %s: exit %d: %s%s", jobs, code, stdout, stderr)
		}
	}
	for _, f := range []string{"attacks.md", "attacks.csv", "attacks.json", "figures/effect-partition.png", "figures/share_vs_compute-reuse.svg"} {
		a, err := os.ReadFile(filepath.Join(outs[0], f))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(outs[1], f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between --jobs 1 and --jobs 2", f)
		}
	}
	var rep struct {
		Reps  int `json:"reps"`
		Cases []struct {
			Attack, Variant string
			TwinChanges     []string `json:"twin_changes"`
			Seeds           []int64
			Metrics         map[string]struct {
				Attack, Twin, Effect struct {
					N    int
					Mean *float64
				}
			}
		}
		Runs []struct {
			Attack  string
			Variant string
			Seed    int64
			Twin    bool
			Values  map[string]*float64
		}
	}
	data, _ := os.ReadFile(filepath.Join(outs[0], "attacks.json"))
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Reps != 2 || len(rep.Cases) != 3 || len(rep.Runs) != 12 {
		t.Fatalf("%d reps, %d cases, %d runs; want 2, 3, 12", rep.Reps, len(rep.Cases), len(rep.Runs))
	}
	if _, err := os.Stat(filepath.Join(outs[0], "runs/partition/no-cut/seed1-twin")); !os.IsNotExist(err) {
		t.Errorf("a scenario without attackers or faults was run as its own twin (%v)", err)
	}
	if e := rep.Cases[2].Metrics["stale_rate"].Effect; e.N != 2 || *e.Mean != 0 {
		t.Errorf("no-cut: effect against itself %+v, want 0 over 2 seeds", e)
	}
	want := [][]string{{`group.1 (reusers): role "reuse" -> "miner"`}, {"fault.0 (eu-rest): partition removed"}, nil}
	for i, c := range rep.Cases {
		if strings.Join(c.TwinChanges, "|") != strings.Join(want[i], "|") || len(c.Seeds) != 2 {
			t.Errorf("case %s: twin changes %q, seeds %v", c.Attack, c.TwinChanges, c.Seeds)
		}
	}
	reuse := rep.Cases[0].Metrics
	if s := reuse["attacker_compute_share"]; s.Attack.N != 2 || s.Twin.N != 0 {
		t.Errorf("reuse: attacker compute share has %d attack and %d twin values; want 2 and 0 (the twin has no attacker)", s.Attack.N, s.Twin.N)
	}
	if s := reuse["attacker_set_reward_share"]; s.Attack.N != 2 || s.Twin.N != 2 || s.Effect.N != 2 {
		t.Errorf("reuse: the attacker nodes' share: %d, %d, %d values; want 2 each", s.Attack.N, s.Twin.N, s.Effect.N)
	}
	stale := map[bool]map[int64]float64{false: {}, true: {}}
	for _, r := range rep.Runs {
		if r.Attack == "partition" && r.Variant == "baseline" {
			stale[r.Twin][r.Seed] = *r.Values["stale_rate"]
		}
	}
	for seed := int64(1); seed <= 2; seed++ {
		if !(stale[false][seed] > stale[true][seed]) {
			t.Errorf("partition seed %d: stale rate %v with the cut, %v in the twin; want more with the cut", seed, stale[false][seed], stale[true][seed])
		}
	}
	md, _ := os.ReadFile(filepath.Join(outs[0], "attacks.md"))
	if !strings.Contains(string(md), "| partition | baseline |") || !strings.Contains(string(md), "coinai attacks --manifest "+m+" --reps 2") {
		t.Errorf("attacks.md lacks the partition row or the command:\n%s", md)
	}
	// The output is coinai's: a second report refuses it without --force.
	if code, _, stderr := run("attacks", "--manifest", m, "--quick", "--out", outs[0]); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("rewrite without --force: exit %d, %s", code, stderr)
	}
}

// A bad manifest or a bad case names the file, line and key, exits 2 and
// writes nothing.
func TestAttacksBadManifest(t *testing.T) {
	dir := t.TempDir()
	abs, _ := filepath.Abs("testdata/attacks/partition-tiny.toml")
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown key", "[[case]]\nattack = \"a\"\nvariant = \"b\"\nscenario = \"" + abs + "\"\nsenario = \"x\"\n", "m.toml:5: case.senario: unknown key"},
		{"duplicate", "[[case]]\nattack = \"a\"\nvariant = \"b\"\nscenario = \"" + abs + "\"\n[[case]]\nattack = \"a\"\nvariant = \"b\"\nscenario = \"" + abs + "\"\n", "m.toml:5: case.1.variant: attack \"a\", variant \"b\" is also case 0 (line 1)"},
		{"no scenario", "[[case]]\nattack = \"a\"\nvariant = \"b\"\n", "m.toml:1: case.0.scenario: missing"},
		{"bad name", "[[case]]\nattack = \"A b\"\nvariant = \"b\"\nscenario = \"x.toml\"\n", "m.toml:1: case.0.attack: \"A b\""},
		{"bad override", "[[case]]\nattack = \"a\"\nvariant = \"b\"\nscenario = \"" + abs + "\"\nset = [\"pow.interval=fast\"]\n", "m.toml:1: case.0 (a/b):"},
		{"missing scenario", "[[case]]\nattack = \"a\"\nvariant = \"b\"\nscenario = \"nope.toml\"\n", "m.toml:1: case.0 (a/b):"},
		{"no cases", "reps = 3\n", "m.toml: case: no [[case]] tables"},
		{"negative reps", "reps = -1\n[[case]]\nattack = \"a\"\nvariant = \"b\"\nscenario = \"x\"\n", "m.toml:1: reps: -1"},
	} {
		m := filepath.Join(dir, "m.toml")
		if err := os.WriteFile(m, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		code, _, stderr := run("attacks", "--manifest", m, "--quick", "--out", out)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, stderr, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: %s was written", tc.name, out)
		}
	}
}
