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
	keep := os.Getenv("COINAI_FIG_DIR")
	for _, tc := range []struct {
		name    string
		runs    []*rundata.Run
		want    []string
		skipped []string
	}{
		{"coinai", []*rundata.Run{coin}, []string{"energy_cumulative", "energy_per_block", "energy_useful_share",
			"block_intervals", "block_intervals_qq", "chain_over_height", "rewards_lorenz", "rewards_by_hardware",
			"rewards_vs_compute", "propagation_cdf", "storage_availability", "storage_proofs", "storage_rewards"}, nil},
		{"pow", []*rundata.Run{pow}, []string{"energy_cumulative", "energy_per_block",
			"block_intervals", "block_intervals_qq", "chain_over_height", "rewards_lorenz", "rewards_by_hardware",
			"rewards_vs_compute", "propagation_cdf"},
			[]string{"energy_useful_share", "storage_availability", "storage_proofs", "storage_rewards"}},
		{"compare", []*rundata.Run{coin, pow}, []string{"energy_cumulative", "energy_per_block", "energy_useful_share",
			"block_intervals", "block_intervals_qq", "chain_over_height", "rewards_lorenz", "rewards_by_hardware",
			"rewards_vs_compute", "propagation_cdf", "storage_availability", "storage_proofs", "storage_rewards"}, nil},
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
