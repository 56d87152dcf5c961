package figures

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/internal/runtest"
	"github.com/coinai/coinai/analysis/rundata"
)

func synthetic(t testing.TB, c runtest.Config) *rundata.Run {
	t.Helper()
	dir := t.TempDir()
	if err := runtest.Write(dir, c); err != nil {
		t.Fatal(err)
	}
	r, err := rundata.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(figs []*Figure) []string {
	var out []string
	for _, f := range figs {
		out = append(out, f.Name)
	}
	return out
}

// TestRender draws every figure of realistic synthetic runs. With
// COINAI_FIG_DIR set it also keeps the PNGs there for a human to look at.
func TestRender(t *testing.T) {
	coin := synthetic(t, runtest.Config{Protocol: "coinai", Scenario: "coinai-300", Seed: 1, Nodes: 300, Blocks: 100, Storage: true})
	pow := synthetic(t, runtest.Config{Protocol: "pow", Scenario: "pow-300", Seed: 2, Nodes: 300, Blocks: 100, PropInBlocks: true})
	quick := synthetic(t, runtest.Config{Protocol: "coinai", Scenario: "quickstart", Seed: 3, Nodes: 20, Blocks: 8, PropInBlocks: true, Homogeneous: true})
	keep := os.Getenv("COINAI_FIG_DIR")
	all := []string{"chain_over_height", "attempts_outcome", "block_intervals", "block_intervals_qq",
		"energy_cumulative", "energy_per_block", "rewards_lorenz", "rewards_by_hardware",
		"rewards_vs_compute", "rewards_share_vs_compute_share", "propagation_cdf", "storage_availability", "storage_proofs", "storage_rewards"}
	noStorage := []string{"storage_availability", "storage_proofs", "storage_rewards"}
	// None of these runs has a problem market.
	noMarket := []string{"problem_wait", "problem_fees", "tx_confirm"}
	// The per-class compute figure needs compute.csv and two hardware
	// classes; the per-run energy figure two runs.
	byRun := "energy_per_block_by_run"
	single := append(slices.Clone(all), "rewards_vs_compute_by_hardware")
	both := append(slices.Clone(single), byRun)
	for _, tc := range []struct {
		name    string
		runs    []*rundata.Run
		want    []string
		skipped []string
	}{
		{"coinai", []*rundata.Run{coin}, single, append([]string{byRun}, noMarket...)},
		// Every PoW node hashes all the time: busy_s does not separate
		// them, and a PoW run has no compute.csv.
		{"pow", []*rundata.Run{pow}, []string{"chain_over_height", "block_intervals", "block_intervals_qq",
			"energy_cumulative", "energy_per_block", "rewards_lorenz", "rewards_by_hardware", "propagation_cdf"},
			append(append([]string{"attempts_outcome", "rewards_vs_compute", "rewards_share_vs_compute_share"}, noStorage...),
				"rewards_vs_compute_by_hardware", byRun, "problem_wait", "problem_fees", "tx_confirm")},
		// One hardware class, all nodes busy throughout: per-class shares
		// are all 100% and reward against compute is one vertical line.
		{"quickstart", []*rundata.Run{quick}, []string{"chain_over_height", "attempts_outcome", "block_intervals",
			"block_intervals_qq", "energy_cumulative", "energy_per_block", "rewards_lorenz", "propagation_cdf"},
			append(append([]string{"rewards_by_hardware", "rewards_vs_compute", "rewards_share_vs_compute_share"}, noStorage...),
				"rewards_vs_compute_by_hardware", byRun, "problem_wait", "problem_fees", "tx_confirm")},
		{"compare", []*rundata.Run{coin, pow}, both, noMarket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			figs, notes := ForRuns(tc.runs)
			if got := names(figs); !slices.Equal(got, tc.want) {
				t.Errorf("figures = %v\nwant %v", got, tc.want)
			}
			var skipped []string
			for _, n := range notes {
				skipped = append(skipped, n.Figure)
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("skipped = %v, want %v", notes, tc.skipped)
			}
			for _, f := range figs {
				if !strings.Contains(f.panels[0].Title.Text, "\n") || f.Caption == "" {
					t.Errorf("%s: title %q lacks caption line or caption empty", f.Name, f.panels[0].Title.Text)
				}
				var buf bytes.Buffer
				if tc.name != "coinai" && keep == "" {
					// PNG rasterisation is the slow part; SVG exercises the
					// same drawing code for the other cases.
					if err := f.Encode(&buf, "svg"); err != nil {
						t.Fatal(err)
					}
					if !bytes.Contains(buf.Bytes(), []byte("<svg")) {
						t.Errorf("%s: SVG output lacks <svg", f.Name)
					}
					continue
				}
				if err := f.Encode(&buf, "png"); err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				if b := img.Bounds(); b.Dx() != 1050 {
					t.Errorf("%s: %d px wide, want 1050", f.Name, b.Dx())
				}
				if keep != "" {
					p := filepath.Join(keep, tc.name+"_"+f.Name+".png")
					if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 100, []string{"0", "20", "40", "60", "80", "100"}},
		{1, 100, []string{"20", "40", "60", "80", "100"}},
		{0, 3.2, []string{"0", "1", "2", "3"}},
		{0, 2.4, []string{"0.0", "0.5", "1.0", "1.5", "2.0"}},
		{0, 1.4, []string{"0.00", "0.25", "0.50", "0.75", "1.00", "1.25"}},
		{0.8, 0.9, []string{"0.80", "0.82", "0.84", "0.86", "0.88", "0.90"}},
		{-30, 100, []string{"-25", "0", "25", "50", "75", "100"}},
	} {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ticks(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestLog10Ticks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64 // log10 of the data range
		want   []string
	}{
		{0, 4.2, []string{"1", "10", "100", "1000", "10000"}},
		{0.5, 1.5, []string{"5", "10", "20"}}, // under two decades: 2 and 5 labelled too
		{-2, 0, []string{"0.01", "0.1", "1"}}, // exactly two decades: powers only
		{-1.9, 0, []string{"0.02", "0.05", "0.1", "0.2", "0.5", "1"}},
		{5.9, 7.1, []string{"1e+06", "2e+06", "5e+06", "1e+07"}},
	} {
		var got []string
		for _, tk := range (log10Ticks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("log10Ticks(%g, %g) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestFmtDuration(t *testing.T) {
	for _, tc := range []struct {
		sec  float64
		want string
	}{{60, "60 s"}, {600, "10 min"}, {5400, "90 min"}, {9000, "2.5 h"}, {0.25, "250 ms"}, {0, "0 s"}, {3 * 86400, "3 d"}} {
		if got := fmtDuration(tc.sec); got != tc.want {
			t.Errorf("fmtDuration(%g) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}

// TestChainOverHeightPanels checks which panels each protocol gets and that
// stacked panels share one height range.
func TestChainOverHeightPanels(t *testing.T) {
	coin := synthetic(t, runtest.Config{Protocol: "coinai", Scenario: "q", Seed: 4, Nodes: 20, Blocks: 30, Homogeneous: true})
	pow := synthetic(t, runtest.Config{Protocol: "pow", Scenario: "p", Seed: 5, Nodes: 20, Blocks: 30})
	for _, tc := range []struct {
		name   string
		runs   []*rundata.Run
		ylabel []string
	}{
		{"coinai", []*rundata.Run{coin}, []string{"test accuracy", "block interval", "attempts per block"}},
		{"pow", []*rundata.Run{pow}, []string{"difficulty", "block interval"}},
		{"both", []*rundata.Run{coin, pow}, []string{"test accuracy", "difficulty", "block interval", "attempts per block"}},
	} {
		f, note := ChainOverHeight(tc.runs)
		if f == nil {
			t.Fatalf("%s: not drawn: %v", tc.name, note)
		}
		if len(f.panels) != len(tc.ylabel) {
			t.Fatalf("%s: %d panels, want %d", tc.name, len(f.panels), len(tc.ylabel))
		}
		for i, p := range f.panels {
			if !strings.HasPrefix(p.Y.Label.Text, tc.ylabel[i]) {
				t.Errorf("%s: panel %d y label %q, want prefix %q", tc.name, i, p.Y.Label.Text, tc.ylabel[i])
			}
			if p.X.Min != f.panels[0].X.Min || p.X.Max != f.panels[0].X.Max {
				t.Errorf("%s: panel %d x range [%g, %g], panel 0 [%g, %g]", tc.name, i, p.X.Min, p.X.Max, f.panels[0].X.Min, f.panels[0].X.Max)
			}
		}
		if got, want := f.panels[0].X.Max, 30.5; got != want {
			t.Errorf("%s: x max %g, want %g (last height + 0.5)", tc.name, got, want)
		}
		if !strings.Contains(f.Caption, "target interval") {
			t.Errorf("%s: caption lacks the target interval: %s", tc.name, f.Caption)
		}
	}
}
