package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/rundata"
)

func TestMarkdown(t *testing.T) {
	d := &Document{Title: "T", Sections: []Section{{
		Heading: "H", Paras: []string{"p"}, List: []string{"a", "b"},
		Table: &Table{Header: []string{"k", "v"}, Rows: [][]string{{"x|y", "1\n2"}}},
		Code:  "a = 1\n```\n", CodeLang: "toml",
		Figures: []*figures.Figure{{Name: "f", Title: "F", Caption: "c"}},
	}}}
	want := "# T\n\n## H\n\np\n\n- a\n- b\n\n| k | v |\n|---|---|\n| x\\|y | 1 2 |\n\n````toml\na = 1\n```\n````\n\n![F](figures/f.png)\n\n*c*\n"
	got := string(d.Markdown(func(f *figures.Figure) string { return "figures/" + f.Name + ".png" }))
	if got != want {
		t.Errorf("Markdown =\n%q\nwant\n%q", got, want)
	}
}

func TestHTMLEscapesAndEmbeds(t *testing.T) {
	d := &Document{Title: "<T>", Sections: []Section{{Heading: "H", Paras: []string{"<script>x</script>"},
		Figures: []*figures.Figure{{Name: "f", Title: "F", Caption: "a & b"}}}}}
	html, err := d.HTML(func(*figures.Figure) ([]byte, error) { return []byte{0x89, 'P', 'N', 'G'}, nil })
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{"<title>&lt;T&gt;</title>", "<p>&lt;script&gt;x&lt;/script&gt;</p>", `src="data:image/png;base64,iVBORw=="`, "a &amp; b"} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestRunStatsAndSummaryTable(t *testing.T) {
	// Intervals 100, 200, 300: mean 200, t(2, .975) = 4.302653, s = 100,
	// half-width 4.302653·100/√3 = 248.41.
	r := &rundata.Run{Blocks: []rundata.Block{
		{Height: 1, Main: true, IntervalS: 100, EnergyJ: nan()}, {Height: 2, Main: true, IntervalS: 200, EnergyJ: nan()},
		{Height: 3, Main: true, IntervalS: 300, EnergyJ: nan()},
	}, Nodes: []rundata.Node{{Reward: 0}, {Reward: 0}, {Reward: 0}, {Reward: 1}}}
	r.Summary.StaleRate = nan()
	tab := RunStats(r)
	row := tab.Rows[0]
	if row[0] != "mean block interval" || row[2] != "200 s" || row[3] != "[-48.41, 448.4] s" {
		t.Errorf("interval row = %v", row)
	}
	var gini []string
	for _, r := range tab.Rows {
		if r[0] == "reward Gini" {
			gini = r
		}
	}
	if gini == nil || gini[2] != "0.7500" {
		t.Errorf("Gini row = %v, want 0.7500", gini)
	}
	s := rundata.Summary{Raw: map[string]json.RawMessage{"zeta": []byte(`{"a": 1}`), "seed": []byte("3"), "fidelity": []byte(`["x","y"]`), "reward_gini": []byte("null")}}
	st := SummaryTable(s)
	want := [][]string{{"seed", "3"}, {"fidelity", "x; y"}, {"reward_gini", "null"}, {"zeta", `{"a":1}`}}
	if len(st.Rows) != len(want) {
		t.Fatalf("summary rows = %v", st.Rows)
	}
	for i := range want {
		if st.Rows[i][0] != want[i][0] || st.Rows[i][1] != want[i][1] {
			t.Errorf("summary row %d = %v, want %v", i, st.Rows[i], want[i])
		}
	}
}

func nan() float64 { var z float64; return z / z }

func TestKeyResults(t *testing.T) {
	coin := &rundata.Run{Scenario: []byte("[coinai]\ninterval = \"60s\"\n"),
		Threshold: []rundata.ThresholdRow{{Height: 1, Threshold: 0.9}, {Height: 2, Threshold: 0.91}, {Height: 3, Threshold: 0.905}}}
	coin.Summary, _ = rundata.ParseSummary([]byte(`{"protocol":"coinai","seed":1,"nodes":20,"virtual_seconds":226.8,
		"blocks_main":8,"blocks_stale":4,"stale_rate":0.3333,"interval_mean_s":27.41,"interval_p50_s":11.72,"interval_p90_s":136.9,
		"energy_joules":204158,"energy_joules_per_block":25519.8,"attempts_completed":161,"attempts_cancelled":146,
		"verify_cache_hits":266,"mined_accuracy_mean":0.93071,"threshold_final":0.905,"reward_gini":0.75,
		"checks":[{"name":"a","ok":true,"note":""},{"name":"b","ok":false,"note":"3 nodes disagree"}]}`))
	pow := &rundata.Run{}
	pow.Summary, _ = rundata.ParseSummary([]byte(`{"protocol":"pow","seed":2,"nodes":600,"virtual_seconds":63000,
		"attempts_completed":0,"mined_accuracy_mean":1.18e9,"difficulty_final":1.18506e9,"threshold_final":null}`))
	get := func(items []Item) map[string]string {
		m := map[string]string{}
		for _, it := range items {
			m[it.Name] = it.Value
		}
		return m
	}
	c := get(KeyResults(coin))
	for k, want := range map[string]string{
		"virtual time":       "3.78 min",
		"blocks":             "8 main chain, 4 stale",
		"block interval":     "mean 27.41 s, median 11.72 s, p90 2.282 min (target 60 s)",
		"energy":             "204.2 kJ in total, 25.52 kJ per main-chain block",
		"training attempts":  "161 completed, 146 cancelled by a new tip (20.1 completed per main-chain block)",
		"mined accuracy":     "mean 0.9307 over main-chain blocks",
		"accuracy threshold": "0.9 at height 1, final 0.905 (range 0.9–0.91)",
		"checks":             "1 of 2 FAILED: b (3 nodes disagree)",
	} {
		if c[k] != want {
			t.Errorf("coinai %s = %q, want %q", k, c[k], want)
		}
	}
	p := get(KeyResults(pow))
	if p["difficulty"] != "final 1.18506e+09" || p["virtual time"] != "17.5 h" {
		t.Errorf("pow difficulty %q, virtual time %q", p["difficulty"], p["virtual time"])
	}
	// PoW has no training: no attempts, and no "accuracy" even if the file
	// carries one.
	for _, k := range []string{"training attempts", "mined accuracy", "accuracy threshold", "verification cache hits"} {
		if v, ok := p[k]; ok {
			t.Errorf("pow has %s = %q", k, v)
		}
	}
	tab := KeyTableOf([]*rundata.Run{coin, pow})
	for _, row := range tab.Rows {
		if row[0] == "difficulty" && (row[1] != "—" || row[2] != "final 1.18506e+09") {
			t.Errorf("side-by-side difficulty row = %v", row)
		}
	}
}
