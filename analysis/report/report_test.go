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
