package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Regression is the [regression] section: how `coinai regress` judges the
// scenario's metrics against a committed baseline. It configures the check,
// not the simulation, so it is left out of everything that describes a run:
// the resolved scenario (TOML, hence a run directory's scenario.toml, a
// baseline's scenario_toml and regress's scenario_changed), Equal, and
// every input of the simulator. Changing a tolerance therefore changes no
// run, no trace digest and no committed baseline.
type Regression struct {
	// Alpha is the family-wise false-alarm rate of the scenario's tests,
	// held by Holm–Bonferroni; `coinai regress --alpha` overrides it.
	Alpha float64 `toml:"alpha"`
	// Reps is the number of replications of a check; 0 means as many as
	// the baseline has (else 8). `coinai regress --reps` overrides it.
	Reps int `toml:"reps"`
	// Metrics declare the test and tolerance of single metrics; a metric
	// not declared keeps regress's automatic choice (Welch's t, exact
	// equality when neither side has spread, KS for distributions).
	Metrics []RegressionMetric `toml:"metric"`
}

// RegressionMetric is one [[regression.metric]]. The loader checks its
// fields; whether Name is a metric at all is checked by CheckRegression,
// since the metric names belong to the command that computes them.
type RegressionMetric struct {
	// Name is a numeric summary.json key or a distribution name of
	// `coinai regress` (block_interval_s, prop_p50_s, reward).
	Name string `toml:"name"`
	// Test is "auto" (the default), "welch" (Welch's t on the replications'
	// values), "bootstrap" (the studentized bootstrap test of equal means),
	// "exact" (every value of both sides equal, within the tolerance), "ks"
	// (distributions only: Kolmogorov–Smirnov, permuting replications) or
	// "none" (not tested). On a distribution, auto is ks, and welch,
	// bootstrap and exact test its means per replication (one independent
	// value per replication; e.g. the mean reward per node, which the
	// block reward and the chain length determine).
	Test string `toml:"test"`
	// Tolerance is the practical equivalence margin: a difference within it
	// is never reported as moved, however significant. For welch and
	// bootstrap the difference is now's mean minus the baseline's; for
	// exact, the spread (largest minus smallest) of the values of both
	// sides; for ks, the KS distance D. A percentage ("5%") is relative to
	// the magnitude of the baseline's mean, except for ks, where it is a
	// distance (5% = 0.05). Default 0.
	Tolerance Tolerance `toml:"tolerance"`
}

// Tolerance is an absolute margin or, when Relative, a fraction of a
// reference magnitude. In a scenario file it is a number (absolute) or a
// string: a number, or a number followed by "%".
type Tolerance struct {
	Value    float64
	Relative bool
}

// String writes the tolerance as a scenario file would: "5%" or "0.3".
func (t Tolerance) String() string {
	if t.Relative {
		return strconv.FormatFloat(t.Value*100, 'g', -1, 64) + "%"
	}
	return strconv.FormatFloat(t.Value, 'g', -1, 64)
}

// Abs is the absolute margin for a reference value ref (a baseline mean):
// Value itself, or Value·|ref| when Relative (0 when ref is not finite).
func (t Tolerance) Abs(ref float64) float64 {
	if !t.Relative {
		return t.Value
	}
	if math.IsNaN(ref) || math.IsInf(ref, 0) {
		return 0
	}
	return t.Value * math.Abs(ref)
}

// UnmarshalTOML reads a number or a string such as "5%" or "0.5";
// negative and non-finite margins are refused.
func (t *Tolerance) UnmarshalTOML(v any) error {
	const want = `want a number >= 0 or a percentage such as "5%"`
	var x float64
	rel := false
	switch v := v.(type) {
	case int64:
		x = float64(v)
	case float64:
		x = v
	case string:
		s := strings.TrimSpace(v)
		s, rel = strings.CutSuffix(s, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || s == "" {
			return fmt.Errorf("%q: %s", v, want)
		}
		x = f
		if rel {
			x /= 100
		}
	default:
		return fmt.Errorf("%s: %s", TypeName(v), want)
	}
	if !(x >= 0) || math.IsInf(x, 0) {
		if str, ok := v.(string); ok {
			return fmt.Errorf("%q: %s", str, want)
		}
		return fmt.Errorf("%v: %s", v, want)
	}
	*t = Tolerance{Value: x, Relative: rel}
	return nil
}

// The tests a [[regression.metric]] may declare.
var (
	regressionTests = []string{"auto", "welch", "bootstrap", "exact", "ks", "none"}
	// For metrics (per-replication values) and for distributions (pooled
	// values of dependent samples: ks permutes replications, the tests of
	// means use one mean per replication).
	metricTests       = []string{"auto", "welch", "bootstrap", "exact", "none"}
	distributionTests = regressionTests
)

// TestOf is the declared test of a metric: "auto" when Test is empty.
func (m RegressionMetric) TestOf() string {
	if m.Test == "" {
		return "auto"
	}
	return m.Test
}

// RegressionOrDefault is the scenario's [regression] section, or the
// defaults when it has none: alpha 0.01, reps from the baseline, no
// declared metrics.
func (s *Scenario) RegressionOrDefault() Regression {
	if s.Regression == nil {
		return DefaultRegression()
	}
	return *s.Regression
}

func (v *validator) regression() {
	r := v.s.Regression
	if r == nil {
		return
	}
	if !(r.Alpha > 0 && r.Alpha < 1) {
		v.add("regression.alpha", "%v: want a false-alarm rate between 0 and 1 (exclusive)", r.Alpha)
	}
	if r.Reps == 1 || r.Reps < 0 {
		v.add("regression.reps", "%d: want 0 (as many as the baseline has) or at least 2 replications", r.Reps)
	}
	for i, m := range r.Metrics {
		key := fmt.Sprintf("regression.metric.%d", i)
		switch {
		case m.Name == "":
			v.add(key+".name", "missing: name a summary.json metric or a distribution")
		case slices.IndexFunc(r.Metrics, func(o RegressionMetric) bool { return o.Name == m.Name }) < i:
			v.add(key+".name", "%q is declared twice", m.Name)
		}
		v.oneOf(key+".test", m.TestOf(), regressionTests)
		if m.TestOf() == "ks" && !m.Tolerance.Relative && m.Tolerance.Value > 1 {
			v.add(key+".tolerance", "%v: a KS distance is at most 1", m.Tolerance.Value)
		}
	}
}

// CheckRegression checks the declared metrics of the [regression] section
// against the names the regress command knows: metrics (per-replication
// values) and distributions (pooled values). An unknown name, a test that
// does not apply to the kind of the name, or a KS tolerance above 1 is a
// problem located at its file line, as the loader's.
func (s *Scenario) CheckRegression(metrics, distributions []string) error {
	if s.Regression == nil {
		return nil
	}
	v := &validator{s: s}
	for i, m := range s.Regression.Metrics {
		key := fmt.Sprintf("regression.metric.%d", i)
		switch {
		case m.Name == "":
		case slices.Contains(distributions, m.Name):
			if ks := m.TestOf() == "auto" || m.TestOf() == "ks"; ks && !m.Tolerance.Relative && m.Tolerance.Value > 1 {
				v.add(key+".tolerance", "%v: the tolerance of a KS test is a distance, at most 1", m.Tolerance.Value)
			}
		case slices.Contains(metrics, m.Name):
			if !slices.Contains(metricTests, m.TestOf()) {
				v.add(key+".test", "%q does not apply to the metric %s: want one of %s", m.TestOf(), m.Name, quoteAll(metricTests))
			}
		default:
			v.add(key+".name", "unknown metric %q: want a distribution (%s) or a numeric summary.json key (%s)",
				m.Name, strings.Join(distributions, ", "), strings.Join(metrics, ", "))
		}
	}
	return errorsOrNil(v.problems)
}
