package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

const regressionFile = `[run]
protocol = "pow"
stop_height = 20

[regression]
alpha = 0.05
reps = 6

[[regression.metric]]
name = "interval_mean_s"
test = "welch"
tolerance = "5%"

[[regression.metric]]
name = "events"
test = "none"

[[regression.metric]]
name = "block_interval_s"
tolerance = 0.1

[[regression.metric]]
name = "nodes"
test = "exact"
tolerance = 2
`

func TestRegressionSection(t *testing.T) {
	s, err := Parse("r.toml", []byte(regressionFile))
	if err != nil {
		t.Fatal(err)
	}
	want := &Regression{Alpha: 0.05, Reps: 6, Metrics: []RegressionMetric{
		{Name: "interval_mean_s", Test: "welch", Tolerance: Tolerance{Value: 0.05, Relative: true}},
		{Name: "events", Test: "none"},
		{Name: "block_interval_s", Tolerance: Tolerance{Value: 0.1}},
		{Name: "nodes", Test: "exact", Tolerance: Tolerance{Value: 2}},
	}}
	if !reflect.DeepEqual(s.Regression, want) {
		t.Errorf("Regression = %+v, want %+v", s.Regression, want)
	}
	if got := s.Regression.Metrics[2].TestOf(); got != "auto" {
		t.Errorf("TestOf() = %q, want auto", got)
	}
	// The section leaves the run alone: the resolved scenario is
	// byte-identical to that of the file without it, and Equal.
	plain, err := Parse("r.toml", []byte(regressionFile[:strings.Index(regressionFile, "[regression]")]))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.TOML()
	b, _ := plain.TOML()
	if string(a) != string(b) || strings.Contains(string(a), "regression") {
		t.Errorf("resolved TOML differs with [regression]:\n%s\nwithout:\n%s", a, b)
	}
	if !s.Equal(plain) || plain.Regression != nil {
		t.Errorf("Equal: %v; plain.Regression %+v", s.Equal(plain), plain.Regression)
	}
	if got := plain.RegressionOrDefault(); got.Alpha != 0.01 || got.Reps != 0 || got.Metrics != nil {
		t.Errorf("RegressionOrDefault without a section = %+v", got)
	}
	// Overrides keep the section; they cannot set it.
	if err := s.Set("run.seed", "7"); err != nil || !reflect.DeepEqual(s.Regression, want) {
		t.Errorf("after Set: %v, %+v", err, s.Regression)
	}
	if err := s.Set("regression.alpha", "0.5"); err == nil || !strings.Contains(err.Error(), "--set: regression.alpha: the [regression] section configures coinai regress") {
		t.Errorf("Set(regression.alpha) = %v", err)
	}
	// A section with only some keys starts from the defaults.
	s, err = Parse("r.toml", []byte("[run]\nprotocol = \"pow\"\n[[regression.metric]]\nname = \"events\"\n"))
	if err != nil || s.Regression.Alpha != 0.01 || len(s.Regression.Metrics) != 1 {
		t.Errorf("partial section: %v, %+v", err, s.Regression)
	}
}

func TestTolerance(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want Tolerance
		str  string
		abs  float64 // for a reference of -40
		err  string
	}{
		{int64(3), Tolerance{Value: 3}, "3", 3, ""},
		{0.25, Tolerance{Value: 0.25}, "0.25", 0.25, ""},
		{"5%", Tolerance{Value: 0.05, Relative: true}, "5%", 2, ""},
		{" 12.5 % ", Tolerance{Value: 0.125, Relative: true}, "12.5%", 5, ""},
		{"1e-9", Tolerance{Value: 1e-9}, "1e-09", 1e-9, ""},
		{"-5%", Tolerance{}, "", 0, `"-5%": want a number >= 0 or a percentage such as "5%"`},
		{"%", Tolerance{}, "", 0, `"%": want`},
		{"five", Tolerance{}, "", 0, `"five": want`},
		{int64(-1), Tolerance{}, "", 0, `-1: want`},
		{true, Tolerance{}, "", 0, `boolean true: want`},
	} {
		var got Tolerance
		err := got.UnmarshalTOML(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.str || got.Abs(-40) != tc.abs {
			t.Errorf("%v: %+v %q abs %v, %v; want %+v %q %v", tc.in, got, got.String(), got.Abs(-40), err, tc.want, tc.str, tc.abs)
		}
	}
}

// Bad [regression] values are located at file, line and key like any
// other problem of a scenario.
func TestRegressionProblems(t *testing.T) {
	const head = "[run]\nprotocol = \"pow\"\n[regression]\n" // lines 1-3
	for _, tc := range []struct {
		name, text, want string
	}{
		{"alpha", "alpha = 1.5\n", "r.toml:4: regression.alpha: 1.5: want a false-alarm rate between 0 and 1 (exclusive)"},
		{"alpha type", "alpha = \"1%\"\n", `r.toml:4: regression.alpha: string "1%": want a number`},
		{"reps", "reps = 1\n", "r.toml:4: regression.reps: 1: want 0 (as many as the baseline has) or at least 2 replications"},
		{"unknown key", "[[regression.metric]]\nname = \"events\"\ntol = 1\n", "r.toml:6: regression.metric.0.tol: unknown key (valid keys here: name, test, tolerance)"},
		{"unknown section key", "bonferroni = true\n", "r.toml:4: regression.bonferroni: unknown key (valid keys here: alpha, reps, metric)"},
		{"test", "[[regression.metric]]\nname = \"events\"\ntest = \"t\"\n", `r.toml:6: regression.metric.0.test: "t" is not one of "auto", "welch", "bootstrap", "exact", "ks", "none"`},
		{"tolerance", "[[regression.metric]]\nname = \"events\"\ntolerance = \"-5%\"\n", `r.toml:6: regression.metric.0.tolerance: "-5%": want a number >= 0 or a percentage such as "5%"`},
		{"ks tolerance", "[[regression.metric]]\nname = \"reward\"\ntest = \"ks\"\ntolerance = 2\n", "r.toml:7: regression.metric.0.tolerance: 2: a KS distance is at most 1"},
		{"no name", "[[regression.metric]]\ntest = \"none\"\n", "r.toml:4: regression.metric.0.name: missing: name a summary.json metric or a distribution"},
		{"twice", "[[regression.metric]]\nname = \"events\"\n[[regression.metric]]\nname = \"events\"\n", `r.toml:7: regression.metric.1.name: "events" is declared twice`},
		{"not a table", "metric = 3\n", "r.toml:4: regression.metric: integer 3: want an array"},
	} {
		_, err := Parse("r.toml", []byte(head+tc.text))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error\n%v\nwant\n%s", tc.name, err, tc.want)
		}
	}
}

func TestCheckRegression(t *testing.T) {
	metrics, dists := []string{"nodes", "events", "interval_mean_s"}, []string{"block_interval_s", "reward"}
	const head = "[run]\nprotocol = \"pow\"\n" // lines 1-2
	for _, tc := range []struct {
		name, text, want string
	}{
		{"ok", "[[regression.metric]]\nname = \"events\"\ntest = \"bootstrap\"\n[[regression.metric]]\nname = \"reward\"\ntolerance = \"10%\"\n", ""},
		{"no section", "", ""},
		{"unknown", "[[regression.metric]]\ntest = \"none\"\nname = \"evnets\"\n", `r.toml:5: regression.metric.0.name: unknown metric "evnets": want a distribution (block_interval_s, reward) or a numeric summary.json key (nodes, events, interval_mean_s)`},
		{"ks on a metric", "[[regression.metric]]\nname = \"events\"\ntest = \"ks\"\n", `r.toml:5: regression.metric.0.test: "ks" does not apply to the metric events: want one of "auto", "welch", "bootstrap", "exact", "none"`},
		{"exact on a distribution", "[[regression.metric]]\nname = \"reward\"\ntest = \"exact\"\ntolerance = 3\n", ""},
		{"distance above 1", "[[regression.metric]]\nname = \"reward\"\ntolerance = 3\n", "r.toml:5: regression.metric.0.tolerance: 3: the tolerance of a KS test is a distance, at most 1"},
	} {
		s, err := Parse("r.toml", []byte(head+tc.text))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = s.CheckRegression(metrics, dists)
		if got := ""; err != nil {
			got = err.Error()
			if got != tc.want {
				t.Errorf("%s: error\n%s\nwant\n%s", tc.name, got, tc.want)
			}
		} else if tc.want != "" {
			t.Errorf("%s: no error, want %s", tc.name, tc.want)
		}
	}
}
