package recompute

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/analysis/rundata"
)

// Tolerance of Check: the CSVs write times with 6 decimals and other
// numbers with 10 significant digits.
const (
	AbsTol = 1e-6
	RelTol = 1e-8
)

// Check compares every numeric key of run's summary.json with its value
// recomputed from the run's files, and returns the disagreements: a key
// whose values differ beyond the tolerance, a numeric key that is neither
// recomputed nor in NotRecomputable, and a key recomputed to a value (not
// null) that summary.json lacks. Keys without numbers (strings, the checkers'
// verdicts) are not compared.
func Check(run *rundata.Run) []string {
	got := Summary(run)
	var keys []string
	for k := range run.Summary.Raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		var want any
		if err := json.Unmarshal(run.Summary.Raw[k], &want); err != nil {
			out = append(out, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		if _, recomputed := got[k]; !numeric(want) && !(want == nil && recomputed) {
			continue // text, verdicts, or a null of unknown kind
		}
		if _, ok := NotRecomputable[k]; ok {
			continue
		}
		v, ok := got[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s: a numeric key that nothing recomputes from the run's files (add it to recompute.Summary)", k))
			continue
		}
		if m, ok := want.(map[string]any); ok { // rejected: counts by reason
			var sum float64
			for _, x := range m {
				f, _ := x.(float64)
				sum += f
			}
			want = sum
		}
		if err := same(want, v); err != nil {
			out = append(out, fmt.Sprintf("%s: summary.json %s, files %v: %v", k, run.Summary.Raw[k], v, err))
		}
	}
	var absent []string
	for k := range got {
		if _, ok := run.Summary.Raw[k]; !ok && same(nil, got[k]) != nil { // a value, not null
			absent = append(absent, fmt.Sprintf("%s: recomputed but absent from summary.json", k))
		}
	}
	slices.Sort(absent)
	return append(out, absent...)
}

// numeric reports whether a decoded JSON value holds a number.
func numeric(v any) bool {
	switch x := v.(type) {
	case float64:
		return true
	case []any:
		return slices.ContainsFunc(x, numeric)
	case map[string]any:
		for _, e := range x {
			if numeric(e) {
				return true
			}
		}
	}
	return false
}

// same compares a decoded summary.json value with a recomputed one.
func same(want, got any) error {
	switch w := want.(type) {
	case nil:
		switch g := got.(type) {
		case float64:
			if !math.IsNaN(g) {
				return fmt.Errorf("null against %g", g)
			}
		case []float64:
			if len(g) > 0 {
				return fmt.Errorf("null against %d values", len(g))
			}
		case []map[string]any:
			if len(g) > 0 {
				return fmt.Errorf("null against %d entries", len(g))
			}
		}
		return nil
	case float64:
		g, ok := got.(float64)
		if !ok {
			return fmt.Errorf("a number against %T", got)
		}
		if math.IsNaN(g) || math.Abs(w-g) > AbsTol+RelTol*math.Max(math.Abs(w), math.Abs(g)) {
			return fmt.Errorf("differ by %g", w-g)
		}
		return nil
	case bool, string:
		if want != got {
			return fmt.Errorf("%v against %v", want, got)
		}
		return nil
	case []any:
		switch g := got.(type) {
		case []float64:
			if len(w) != len(g) {
				return fmt.Errorf("%d values against %d", len(w), len(g))
			}
			for i := range w {
				if err := same(w[i], g[i]); err != nil {
					return fmt.Errorf("[%d]: %v", i, err)
				}
			}
			return nil
		case []map[string]any:
			if len(w) != len(g) {
				return fmt.Errorf("%d entries against %d", len(w), len(g))
			}
			for i := range w {
				we, ok := w[i].(map[string]any)
				if !ok {
					return fmt.Errorf("[%d]: not an object", i)
				}
				if len(we) != len(g[i]) {
					return fmt.Errorf("[%d]: %d fields against %d", i, len(we), len(g[i]))
				}
				for f, wv := range we {
					gv, ok := g[i][f]
					if !ok {
						return fmt.Errorf("[%d].%s not recomputed", i, f)
					}
					if err := same(wv, gv); err != nil {
						return fmt.Errorf("[%d].%s: %v", i, f, err)
					}
				}
			}
			return nil
		}
	}
	return fmt.Errorf("cannot compare %T with %T", want, got)
}
