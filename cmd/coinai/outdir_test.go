package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coinai/coinai/analysis"
)

const quick = "../../scenarios/pow-quickstart.toml"

// snapshot records every entry below dir (mode and content), to check that
// a refused command touched nothing.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %s changed or vanished", what, k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: %s appeared", what, k)
		}
	}
}

// userDir makes a directory of a user's files.
func userDir(t *testing.T, dir string) {
	t.Helper()
	for name, body := range map[string]string{"notes.txt": "my notes\n", "data/results.csv": "a,b\n1,2\n", "summary.json": `{"mine": true}`} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := run(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return stdout
}

// refused runs a command that must be refused with exit 2, touching
// nothing below root, and returns its stderr.
func refused(t *testing.T, root string, args ...string) string {
	t.Helper()
	before := snapshot(t, root)
	code, _, stderr := run(args...)
	if code != 2 {
		t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr)
	}
	sameTree(t, fmt.Sprint(args), before, snapshot(t, root))
	return stderr
}

func readManifestT(t *testing.T, dir string) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// --out onto a folder of someone's files, or onto a file (the scenario
// itself), is refused and leaves them byte-identical.
func TestRunOutRefusesWhatCoinaiDidNotWrite(t *testing.T) {
	root := t.TempDir()
	user := filepath.Join(root, "mine")
	userDir(t, user)
	msg := refused(t, root, "run", quick, "--out", user)
	for _, w := range []string{user, "coinai did not write", "notes.txt", "--out"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
	// --force replaces only a previous run.
	refused(t, root, "run", quick, "--out", user, "--force")

	sc := filepath.Join(root, "mine.toml")
	b, _ := os.ReadFile(quick)
	if err := os.WriteFile(sc, b, 0o644); err != nil {
		t.Fatal(err)
	}
	msg = refused(t, root, "run", sc, "--out", sc)
	if !strings.Contains(msg, sc+" exists and is not a directory") {
		t.Errorf("message %q", msg)
	}
	refused(t, root, "run", sc, "--out", sc, "--force")
	// A symbolic link to a run directory is not replaced either.
	mustRun(t, "run", sc, "--out", filepath.Join(root, "r"), "--no-report", "--quiet")
	if err := os.Symlink("r", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	refused(t, root, "run", sc, "--out", filepath.Join(root, "link"), "--force")
}

// A previous run is replaced only with --force; files a user added to it
// are kept.
func TestRunOutReplacesPreviousRunWithForce(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "runs", "q")
	mustRun(t, "run", quick, "--out", dir, "--no-report", "--quiet")
	m := readManifestT(t, dir)
	if m.Kind != kindRun || !slices.Contains(m.Files, "summary.json") || !slices.Contains(m.Files, "scenario.toml") {
		t.Errorf("manifest %+v", m)
	}
	msg := refused(t, root, "run", quick, "--out", dir, "--no-report", "--seed", "5")
	if !strings.Contains(msg, "previous run") || !strings.Contains(msg, "--force") {
		t.Errorf("message %q", msg)
	}
	if err := os.WriteFile(filepath.Join(dir, "COMMAND"), []byte("go run ./cmd/coinai run ...\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "run", quick, "--out", dir, "--no-report", "--quiet", "--seed", "5", "--force")
	sum, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Contains(sum, []byte(`"seed": 5`)) {
		t.Errorf("not replaced: %s", sum)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "COMMAND")); err != nil || !strings.HasPrefix(string(b), "go run") {
		t.Errorf("the user's COMMAND was not kept: %q %v", b, err)
	}
	if m := readManifestT(t, dir); slices.Contains(m.Files, "COMMAND") {
		t.Errorf("manifest claims the user's file: %v", m.Files)
	}
	// A user's file under a name a run writes is not replaced.
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte("my report"), 0o644); err != nil {
		t.Fatal(err)
	}
	msg = refused(t, root, "run", quick, "--out", dir, "--force")
	if !strings.Contains(msg, "report.md") {
		t.Errorf("message %q", msg)
	}
	if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
		t.Errorf("left beside the run: %v", ents)
	}
}

// A run directory of an earlier coinai (no manifest) counts as a previous
// run; an empty directory may be used.
func TestRunOutLegacyAndEmpty(t *testing.T) {
	root := t.TempDir()
	old := filepath.Join(root, "old")
	for name, body := range map[string]string{"summary.json": `{"trace_digest": "ab"}`, "scenario.toml": "x", "blocks.csv": "h\n", "COMMAND": "cmd\n"} {
		os.MkdirAll(old, 0o755)
		if err := os.WriteFile(filepath.Join(old, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	refused(t, root, "run", quick, "--out", old, "--no-report")
	mustRun(t, "run", quick, "--out", old, "--no-report", "--quiet", "--force")
	if b, _ := os.ReadFile(filepath.Join(old, "COMMAND")); string(b) != "cmd\n" {
		t.Errorf("COMMAND = %q", b)
	}
	empty := filepath.Join(root, "empty")
	os.Mkdir(empty, 0o755)
	mustRun(t, "run", quick, "--out", empty, "--no-report", "--quiet")
	if _, err := os.Stat(filepath.Join(empty, "summary.json")); err != nil {
		t.Error(err)
	}
}

// plot --out and compare --out follow the rule of run --out.
func TestPlotAndCompareOut(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	mustRun(t, "run", quick, "--out", a, "--no-report", "--quiet")
	mustRun(t, "run", quick, "--out", b, "--no-report", "--quiet", "--seed", "2")
	user := filepath.Join(root, "mine")
	userDir(t, user)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"plot", []string{"plot", a, "--format", "svg"}},
		{"compare", []string{"compare", a, b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(root, tc.name)
			with := func(extra ...string) []string { return append(slices.Clone(tc.args), extra...) }
			refused(t, root, with("--out", user)...)
			refused(t, root, with("--out", user, "--force")...)
			refused(t, root, with("--out", filepath.Join(a, "summary.json"))...)
			refused(t, root, with("--out", a, "--force")...) // a run is not a figure or comparison directory
			mustRun(t, with("--out", out)...)
			if m := readManifestT(t, out); m.Kind != tc.name || len(m.Files) == 0 {
				t.Errorf("manifest %+v", m)
			}
			msg := refused(t, root, with("--out", out)...)
			if !strings.Contains(msg, "--force") {
				t.Errorf("message %q", msg)
			}
			mustRun(t, with("--out", out, "--force")...)
		})
	}
	// compare's default output is a new directory named after the runs.
	t.Chdir(root)
	mustRun(t, "compare", a, b)
	if _, err := os.Stat(filepath.Join(root, "compare-a-vs-b", "compare.md")); err != nil {
		t.Error(err)
	}
	refused(t, root, "compare", a, b)
}

// report (and plot into the run directory) replace only files coinai wrote.
func TestReportReplacesOnlyCoinaiFiles(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "r")
	mustRun(t, "run", quick, "--out", dir, "--no-report", "--quiet")
	mine := filepath.Join(dir, "report.md")
	if err := os.WriteFile(mine, []byte("my own report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	msg := refused(t, root, "report", dir)
	if !strings.Contains(msg, "report.md") || !strings.Contains(msg, "coinai did not write") {
		t.Errorf("message %q", msg)
	}
	os.Remove(mine)
	os.MkdirAll(filepath.Join(dir, "figures"), 0o755)
	os.WriteFile(filepath.Join(dir, "figures", "block_intervals.svg"), []byte("<svg/>"), 0o644)
	refused(t, root, "plot", dir)
	refused(t, root, "plot", dir, "--out", filepath.Join(dir, "figures"))
	os.Remove(filepath.Join(dir, "figures", "block_intervals.svg"))
	os.WriteFile(filepath.Join(dir, "figures", "mine.png"), []byte("png"), 0o644)
	mustRun(t, "report", dir)
	mustRun(t, "report", dir) // its own files are replaced
	mustRun(t, "plot", dir)
	m := readManifestT(t, dir)
	for _, f := range []string{"report.md", "report.html", "figures/block_intervals.svg", "summary.json"} {
		if !slices.Contains(m.Files, f) {
			t.Errorf("manifest lacks %s: %v", f, m.Files)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "figures", "mine.png")); string(b) != "png" || slices.Contains(m.Files, "figures/mine.png") {
		t.Errorf("the user's figure was touched or claimed")
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// The report a run writes is the report analysis.WriteReport writes.
func TestRenderReportMatchesAnalysis(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "r")
	mustRun(t, "run", quick, "--out", dir, "--no-report", "--quiet")
	run, err := loadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	if err := renderReport(run, out); err != nil {
		t.Fatal(err)
	}
	if err := analysis.WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, out)
	want := snapshot(t, dir)
	for k, v := range got {
		if k != "." && want[k] != v {
			t.Errorf("%s differs from analysis.WriteReport's", k)
		}
	}
	if len(got) < 5 {
		t.Errorf("rendered only %v", got)
	}
}

// A signal while the report is written leaves no run directory (the CSVs
// are complete by then, the report is not).
func TestInterruptWhileWritingReport(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "r")
	testHook = func(phase string, intr *interrupt) {
		if phase != "report" {
			return
		}
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		for deadline := time.Now().Add(10 * time.Second); intr.caught() == nil && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	defer func() { testHook = func(string, *interrupt) {} }()
	code, _, stderr := run("run", quick, "--out", dir, "--trace")
	if code != 130 || !strings.Contains(stderr, "interrupted by SIGINT") {
		t.Errorf("exit %d, stderr %q; want 130 and a message", code, stderr)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}
