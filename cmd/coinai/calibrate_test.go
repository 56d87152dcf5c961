package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios/calibrate"
)

// Fake cases, registered only in this test binary: "zz-fake/pass/*"
// reproduce their published value, "zz-fake/fail" does not.
func init() {
	for _, x := range []float64{1, 2} {
		calibrate.Register(calibrate.Case{
			Name: "zz-fake/pass/x=" + map[float64]string{1: "1", 2: "2"}[x], Group: "zz-fake", Source: "a test",
			Run: func(_ context.Context, opt calibrate.Options) (calibrate.Result, error) {
				return calibrate.Result{Published: 0.5 * x, Measured: 0.5*x + 0.01*float64(opt.Seed%3), StdErr: 0.01,
					Tolerance: 0.05, Trials: 100, FairTrials: 40, Unit: "probability",
					X: x, XLabel: "x", Series: "fake", Note: "fake case"}, nil
			},
		})
	}
	calibrate.Register(calibrate.Case{
		Name: "zz-fake/fail", Group: "zz-fake-fail", Source: "a test",
		Run: func(context.Context, calibrate.Options) (calibrate.Result, error) {
			return calibrate.Result{Published: 1, Measured: 2, Tolerance: 0.1, Relative: true, Trials: 10, FairTrials: 400}, nil
		},
	})
	calibrate.Register(calibrate.Case{
		Name: "zz-fake/info", Group: "zz-fake-fail", Source: "a test",
		Run: func(context.Context, calibrate.Options) (calibrate.Result, error) {
			return calibrate.Result{Published: 1, Measured: 2, Tolerance: 0.1, Relative: true, Trials: 10, FairTrials: 4, Informational: true}, nil
		},
	})
}

// calibrate exits 0 when every case is within its tolerance, 1 when one is
// outside (an informational case never fails), 2 on bad usage; its output
// directory holds calibration.json with the documented keys and a figure
// of each group that has an x axis; the table and JSON are deterministic
// but for wall_s.
func TestCalibrateExitCodesAndJSON(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		cases    []string
		pass     bool
		figures  []string
		noOutput bool
	}{
		{name: "pass", args: []string{"--case", "zz-fake/pass"}, code: 0,
			stdout: []string{"zz-fake/pass/x=1", "0.51 ± 0.01", "±0.05", "pass", "calibration: pass (2 cases)"},
			cases:  []string{"zz-fake/pass/x=1", "zz-fake/pass/x=2"}, pass: true,
			figures: []string{"figures/calibration-zz-fake.png", "figures/calibration-zz-fake.svg"}},
		{name: "fail", args: []string{"--case", "zz-fake/*", "--seed", "3"}, code: 1,
			stdout: []string{"zz-fake/fail", "FAIL (few trials)", "info: outside", "10%", "calibration: FAIL (1 of 2 cases"},
			cases:  []string{"zz-fake/fail", "zz-fake/info"}, pass: false},
		{name: "informational only", args: []string{"--case", "zz-fake/info"}, code: 0,
			stdout: []string{"info: outside", "calibration: pass"}, cases: []string{"zz-fake/info"}, pass: true},
		{name: "no match", args: []string{"--case", "no-such-case"}, code: 2, noOutput: true},
		{name: "bad glob", args: []string{"--case", "[x"}, code: 2, noOutput: true},
		{name: "positional", args: []string{"extra"}, code: 2, noOutput: true},
		{name: "negative jobs", args: []string{"--jobs", "-1"}, code: 2, noOutput: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cal")
			code, stdout, stderr := run(append([]string{"calibrate", "--out", dir}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if tc.noOutput {
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("bad usage wrote %s (%v)", dir, err)
				}
				return
			}
			b, err := os.ReadFile(filepath.Join(dir, "calibration.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"cases", "pass", "revision", "quick"} {
				if _, ok := doc[k]; !ok {
					t.Errorf("calibration.json lacks %q", k)
				}
			}
			if doc["pass"] != tc.pass {
				t.Errorf("pass = %v, want %v", doc["pass"], tc.pass)
			}
			var names []string
			for _, c := range doc["cases"].([]any) {
				m := c.(map[string]any)
				names = append(names, m["name"].(string))
				for _, k := range []string{"name", "group", "source", "published", "measured", "stderr", "tolerance",
					"relative", "trials", "fair_trials", "unit", "pass", "note", "wall_s", "informational"} {
					if _, ok := m[k]; !ok {
						t.Errorf("case %s lacks %q", m["name"], k)
					}
				}
			}
			if !slices.Equal(names, tc.cases) {
				t.Errorf("cases %v, want %v", names, tc.cases)
			}
			for _, f := range tc.figures {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s missing or empty: %v", f, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, manifestName)); err != nil {
				t.Errorf("no manifest: %v", err)
			}
		})
	}
}

// The same calibration twice prints the same table and writes the same
// calibration.json (wall_s aside) and figures; a second --out into the
// first's directory is refused without --force, and so is a directory
// coinai did not write.
func TestCalibrateDeterministicAndRefuses(t *testing.T) {
	td := t.TempDir()
	var outs [2]string
	var jsons [2]map[string]any
	for i := range outs {
		dir := filepath.Join(td, []string{"a", "b"}[i])
		code, stdout, stderr := run("calibrate", "--case", "zz-fake/pass", "--seed", "4", "--out", dir, "--jobs", []string{"1", "2"}[i])
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs[i] = strings.ReplaceAll(stdout, dir, "DIR")
		b, err := os.ReadFile(filepath.Join(dir, "calibration.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &jsons[i]); err != nil {
			t.Fatal(err)
		}
		for _, c := range jsons[i]["cases"].([]any) {
			delete(c.(map[string]any), "wall_s")
		}
	}
	if outs[0] != outs[1] {
		t.Errorf("tables differ:\n%s\n%s", outs[0], outs[1])
	}
	a, _ := json.Marshal(jsons[0])
	b, _ := json.Marshal(jsons[1])
	if string(a) != string(b) {
		t.Errorf("calibration.json differs:\n%s\n%s", a, b)
	}
	fa, _ := os.ReadFile(filepath.Join(td, "a", "figures", "calibration-zz-fake.svg"))
	fb, _ := os.ReadFile(filepath.Join(td, "b", "figures", "calibration-zz-fake.svg"))
	if len(fa) == 0 || string(fa) != string(fb) {
		t.Errorf("figures differ or are empty (%d, %d bytes)", len(fa), len(fb))
	}

	if code, _, stderr := run("calibrate", "--case", "zz-fake/pass", "--out", filepath.Join(td, "a")); code != 2 {
		t.Errorf("second write without --force: exit %d, want 2 (%s)", code, stderr)
	}
	if code, _, stderr := run("calibrate", "--case", "zz-fake/pass", "--out", filepath.Join(td, "a"), "--force"); code != 0 {
		t.Errorf("--force over an earlier calibration: exit %d (%s)", code, stderr)
	}
	user := filepath.Join(td, "user")
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(user, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := run("calibrate", "--case", "zz-fake/pass", "--out", user, "--force"); code != 2 {
		t.Errorf("--out into a user's directory: exit %d, want 2", code)
	}
	if b, _ := os.ReadFile(filepath.Join(user, "notes.txt")); string(b) != "mine" {
		t.Errorf("the user's file was touched: %q", b)
	}
}

// --case takes a name prefix or a glob in which * stops at "/".
func TestMatchCase(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          bool
	}{
		{"double-spend/nakamoto/q=0.1/z=5", "double-spend", true},
		{"double-spend/nakamoto/q=0.1/z=5", "double-spend/*/q=0.1/z=5", true},
		{"double-spend/nakamoto/q=0.1/z=5", "double-spend/*", false},
		{"double-spend/nakamoto/q=0.1/z=5", "stale", false},
		{"stale-rate/T=60s/bs=535KB", "stale-rate/*/bs=535KB", true},
	}
	for _, tc := range tests {
		if got := matchCase(tc.name, tc.pattern); got != tc.want {
			t.Errorf("matchCase(%q, %q) = %v, want %v", tc.name, tc.pattern, got, tc.want)
		}
	}
}
