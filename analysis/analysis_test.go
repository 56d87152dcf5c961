package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coinai/coinai/analysis/internal/runtest"
)

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	cfg := runtest.Config{Protocol: "coinai", Scenario: "small", Seed: 9, Nodes: 30, Blocks: 40, Storage: true}
	if err := runtest.Write(dir, cfg); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Run report: small seed 9", "| seed | 9 |", "| trace digest | ", "| block interval | mean ", "(target 60 s)", "synthetic run written by analysis/internal/runtest",
		"| mean block interval | 40 |", "![Block intervals](figures/block_intervals.png)", "```toml\n# resolved scenario", "| future_key | kept verbatim |"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	// 14 figures, and rewards_vs_compute_by_hardware (the synthetic run has
	// several hardware classes and compute.csv).
	if n := bytes.Count(html, []byte(`src="data:image/png;base64,iVBOR`)); n != 15 {
		t.Errorf("report.html embeds %d PNGs, want 15", n)
	}
	for _, name := range []string{"block_intervals.png", "block_intervals.svg", "storage_proofs.png", "rewards_share_vs_compute_share.png", "rewards_vs_compute_by_hardware.png"} {
		if _, err := os.Stat(filepath.Join(dir, FiguresDir, name)); err != nil {
			t.Error(err)
		}
	}
	// Deterministic: a second report is byte-identical.
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	md2, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	html2, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !bytes.Equal(md, md2) || !bytes.Equal(html, html2) {
		t.Error("second report differs from the first")
	}
}

func TestWriteReportPoWWithoutOptionalFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := runtest.Config{Protocol: "pow", Scenario: "bare", Seed: 1, Nodes: 10, Blocks: 20,
		Omit: []string{"energy.csv", "propagation.csv", "scenario.toml"}}
	if err := runtest.Write(dir, cfg); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"energy_cumulative: no energy.csv", "propagation_cdf: no prop_* columns", "file absent: scenario.toml",
		"storage_availability: no storage.csv"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks note %q", want)
		}
	}
}

func TestWriteCompareAndPlots(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	if err := runtest.Write(a, runtest.Config{Protocol: "coinai", Scenario: "c", Seed: 1, Nodes: 20, Blocks: 30}); err != nil {
		t.Fatal(err)
	}
	if err := runtest.Write(b, runtest.Config{Protocol: "pow", Scenario: "p", Seed: 2, Nodes: 20, Blocks: 30}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "cmp")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteCompare([]string{a, b}, out); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(out, "compare.md"))
	for _, want := range []string{"# Comparison of 2 runs", "| quantity | c seed 1 | p seed 2 |", "| c seed 1 | p seed 2 | 30 | 30 |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("compare.md lacks %q\n%s", want, md)
		}
	}
	if err := WriteCompare([]string{a}, out); err == nil {
		t.Error("compare of one run succeeded")
	}
	plots := filepath.Join(root, "plots")
	if _, err := WritePlots(b, plots, []string{"svg"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(plots, "rewards_lorenz.svg")); err != nil {
		t.Error(err)
	}
	if _, err := WritePlots(b, plots, []string{"gif"}); err == nil {
		t.Error("unknown format accepted")
	}
}

// BenchmarkWriteReport300 measures a full report (13 figures in PNG and SVG,
// Markdown, HTML) of a 300-node, 100-block run with 30 000 propagation rows.
func BenchmarkWriteReport300(b *testing.B) {
	dir := b.TempDir()
	if err := runtest.Write(dir, runtest.Config{Protocol: "coinai", Scenario: "bench", Seed: 1, Nodes: 300, Blocks: 100, Storage: true}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		start := time.Now()
		if err := WriteReport(dir); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/report")
	}
}

// TestReportRemovesOutdatedFigures: a report re-run on a directory drops
// images of figures it no longer draws, and leaves other files alone.
func TestReportRemovesOutdatedFigures(t *testing.T) {
	dir := t.TempDir()
	if err := runtest.Write(dir, runtest.Config{Protocol: "pow", Scenario: "p", Seed: 1, Nodes: 10, Blocks: 5}); err != nil {
		t.Fatal(err)
	}
	figDir := filepath.Join(dir, FiguresDir)
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"energy_useful_share.png", "storage_proofs.svg", "mine.png"} {
		if err := os.WriteFile(filepath.Join(figDir, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"energy_useful_share.png": false, "storage_proofs.svg": false, "mine.png": true, "chain_over_height.png": true} {
		_, err := os.Stat(filepath.Join(figDir, name))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", name, got, want)
		}
	}
}

// A run with a problem market gets the market figures in its report.
func TestWriteReportMarket(t *testing.T) {
	dir := t.TempDir()
	if err := runtest.Write(dir, runtest.Config{Protocol: "coinai", Scenario: "mkt", Seed: 3, Nodes: 20, Blocks: 40, Market: true}); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, name := range []string{"problem_wait", "problem_fees", "tx_confirm"} {
		if _, err := os.Stat(filepath.Join(dir, FiguresDir, name+".png")); err != nil {
			t.Error(err)
		}
		if !bytes.Contains(md, []byte("(figures/"+name+".png)")) {
			t.Errorf("report.md does not show %s", name)
		}
	}
	if keep := os.Getenv("COINAI_FIG_DIR"); keep != "" {
		for _, name := range []string{"problem_wait", "problem_fees", "tx_confirm"} {
			b, _ := os.ReadFile(filepath.Join(dir, FiguresDir, name+".png"))
			_ = os.WriteFile(filepath.Join(keep, name+".png"), b, 0o644)
		}
	}
}
