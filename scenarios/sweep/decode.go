package sweep

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/coinai/coinai/scenarios"
)

// decoder walks the parsed TOML tree of a sweep file into the Sweep, key by
// key, so that it can report every problem at once with its line, as the
// scenario loader does.
type decoder struct {
	sw        *Sweep
	problems  []scenarios.Problem
	seedGiven bool
}

// lineOf is the line of path, or of its nearest ancestor written in the
// file, or 0.
func (d *decoder) lineOf(path string) int {
	for {
		if l, ok := d.sw.lines[path]; ok {
			return l
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

func (d *decoder) add(path, format string, args ...any) {
	d.problems = append(d.problems, scenarios.Problem{File: d.sw.File, Line: d.lineOf(path), Key: path, Msg: fmt.Sprintf(format, args...)})
}

var (
	sweepKeys = []string{"name", "base", "reps", "seed", "set", "note", "param"}
	paramKeys = []string{"key", "values", "from", "to", "count", "scale"}
)

// unknown reports the keys of m not in valid, in sorted order.
func (d *decoder) unknown(m map[string]any, valid []string, path string) {
	var names []string
	for k := range m {
		if !slices.Contains(valid, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		d.add(join(path, k), "unknown key (valid keys here: %s)", strings.Join(valid, ", "))
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func (d *decoder) decode(tree map[string]any) {
	d.unknown(tree, []string{"sweep"}, "")
	raw, ok := tree["sweep"]
	if !ok {
		d.add("sweep", "missing: a sweep file has a [sweep] table (name, base, reps, seed, set, note) and [[sweep.param]] tables")
		return
	}
	m, ok := raw.(map[string]any)
	if !ok {
		d.add("sweep", "%s: want a table", scenarios.TypeName(raw))
		return
	}
	sw := d.sw
	d.unknown(m, sweepKeys, "sweep")
	sw.Name = strings.TrimSuffix(filepath.Base(sw.File), filepath.Ext(sw.File))
	if v, ok := d.str(m, "sweep.name"); ok {
		if strings.TrimSpace(v) == "" {
			d.add("sweep.name", "empty: leave it out for the file name")
		}
		sw.Name = v
	}
	if v, ok := d.str(m, "sweep.base"); ok {
		if v == "" {
			d.add("sweep.base", "empty: want the path of the base scenario, relative to the sweep file")
		}
		sw.Base = v
	} else if _, present := m["base"]; !present {
		d.add("sweep", "missing base: the path of the base scenario, relative to the sweep file")
	}
	if v, ok := d.integer(m, "sweep.reps"); ok {
		if v < 1 || v > MaxReps {
			d.add("sweep.reps", "%d: want 1 to %d replications per point", v, MaxReps)
		}
		sw.Reps = int(v)
	} else if _, present := m["reps"]; !present {
		d.add("sweep", "missing reps: the number of replications of every point")
	}
	if v, ok := d.integer(m, "sweep.seed"); ok {
		if v < 0 {
			d.add("sweep.seed", "%d is negative: a seed is an integer from 0 to 9223372036854775807", v)
		}
		sw.Seed, d.seedGiven = v, true
	}
	if v, ok := d.str(m, "sweep.note"); ok {
		sw.Note = v
	}
	if raw, ok := m["set"]; ok {
		arr, ok := raw.([]any)
		if !ok {
			d.add("sweep.set", "%s: want an array of \"key=value\" strings, as --set", scenarios.TypeName(raw))
		}
		for i, e := range arr {
			path := "sweep.set." + strconv.Itoa(i)
			s, ok := e.(string)
			if !ok {
				d.add(path, "%s: want a \"key=value\" string, as --set", scenarios.TypeName(e))
				continue
			}
			if k, _, ok := strings.Cut(s, "="); !ok || strings.TrimSpace(k) == "" {
				d.add(path, "%q: want key=value, as --set", s)
				continue
			}
			sw.Set = append(sw.Set, s)
		}
	}
	raw, ok = m["param"]
	if !ok {
		d.add("sweep", "missing [[sweep.param]]: a sweep varies at least one parameter")
		return
	}
	var params []map[string]any
	switch x := raw.(type) {
	case []map[string]any:
		params = x
	case []any:
		for i, e := range x {
			t, ok := e.(map[string]any)
			if !ok {
				d.add("sweep.param."+strconv.Itoa(i), "%s: want a table (key, values)", scenarios.TypeName(e))
				continue
			}
			params = append(params, t)
		}
	default:
		d.add("sweep.param", "%s: want [[sweep.param]] tables", scenarios.TypeName(raw))
	}
	if len(params) == 0 && len(d.problems) == 0 {
		d.add("sweep.param", "empty: a sweep varies at least one parameter")
	}
	for j, p := range params {
		d.param(j, p)
	}
}

// param decodes [[sweep.param]] number j.
func (d *decoder) param(j int, m map[string]any) {
	path := "sweep.param." + strconv.Itoa(j)
	d.unknown(m, paramKeys, path)
	var p Param
	key, ok := d.str(m, path+".key")
	switch {
	case !ok:
		if _, present := m["key"]; !present {
			d.add(path, "missing key: the dotted key to vary, as --set takes it")
		}
	case strings.TrimSpace(key) == "" || strings.ContainsAny(key, "= \t"):
		d.add(path+".key", "%q: want a dotted key as --set takes it, e.g. pow.interval", key)
	case key == "run.seed":
		d.add(path+".key", "run.seed is not a parameter: every point runs seeds sweep.seed .. sweep.seed+reps-1")
	default:
		for i, q := range d.sw.Params {
			if q.Key == key {
				d.add(path+".key", "%s is swept twice (also by sweep.param.%d)", key, i)
			}
		}
	}
	p.Key = key
	_, hasValues := m["values"]
	_, hasFrom := m["from"]
	_, hasTo := m["to"]
	_, hasCount := m["count"]
	_, hasScale := m["scale"]
	isRange := hasFrom || hasTo || hasCount || hasScale
	switch {
	case hasValues && isRange:
		d.add(path, "give values or a range (from, to, count, scale), not both")
	case hasValues:
		p.Values = d.values(m["values"], path+".values")
	case isRange:
		p.Values = d.rangeValues(m, path)
	default:
		d.add(path, "missing values: the values to sweep, as typed on --set, or a range (from, to, count)")
	}
	d.sw.Params = append(d.sw.Params, p)
	d.sw.rng = append(d.sw.rng, isRange && !hasValues)
}

// values decodes a values array: strings as typed on --set; numbers and
// booleans are taken as their TOML text.
func (d *decoder) values(raw any, path string) []string {
	arr, ok := raw.([]any)
	if !ok {
		d.add(path, "%s: want an array of values as typed on --set, e.g. [\"10s\", \"60s\"]", scenarios.TypeName(raw))
		return nil
	}
	if len(arr) == 0 {
		d.add(path, "empty: want at least one value")
		return nil
	}
	var out []string
	for i, e := range arr {
		ep := path + "." + strconv.Itoa(i)
		var v string
		switch x := e.(type) {
		case string:
			v = x
		case int64:
			v = strconv.FormatInt(x, 10)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				d.add(ep, "%v: want a finite number", x)
				continue
			}
			v = formatFloat(x)
		case bool:
			v = strconv.FormatBool(x)
		default:
			d.add(ep, "%s: want a value as typed on --set (a string, number or boolean; write arrays and tables as strings)", scenarios.TypeName(e))
			continue
		}
		if strings.TrimSpace(v) == "" {
			d.add(ep, "empty value")
			continue
		}
		if i := slices.Index(out, v); i >= 0 {
			d.add(ep, "%q is given twice (also %s.%d): two points would be the same", v, path, i)
			continue
		}
		out = append(out, v)
	}
	return out
}

// formatFloat writes a float as TOML reads it back, rounded to 12
// significant digits so that a range step (0.1+0.2) does not show its
// binary rounding.
func formatFloat(x float64) string {
	s := strconv.FormatFloat(x, 'g', 12, 64)
	if !strings.ContainsAny(s, ".eEn") { // an integral float stays a float
		s += ".0"
	}
	return s
}

// rangeValues expands from, to, count and scale into values. Integer end
// points give integers.
func (d *decoder) rangeValues(m map[string]any, path string) []string {
	from, fromInt, ok1 := d.number(m, path+".from")
	to, toInt, ok2 := d.number(m, path+".to")
	count, ok3 := d.integer(m, path+".count")
	scale := "linear"
	if s, ok := d.str(m, path+".scale"); ok {
		scale = s
	}
	bad := false
	for _, k := range []string{"from", "to", "count"} {
		if _, ok := m[k]; !ok {
			d.add(path, "missing %s: a range needs from, to and count", k)
			bad = true
		}
	}
	if bad || !ok1 || !ok2 || !ok3 {
		return nil
	}
	switch {
	case scale != "linear" && scale != "log":
		d.add(path+".scale", "%q: want \"linear\" or \"log\"", scale)
		return nil
	case count < 2 || count > maxCount:
		d.add(path+".count", "%d: want 2 to %d values (for one value, write values = [...])", count, maxCount)
		return nil
	case from == to:
		d.add(path+".to", "equals from: a range of one value; write values = [...]")
		return nil
	case scale == "log" && (from <= 0 || to <= 0):
		d.add(path+".from", "a log range needs from and to above 0 (from %v, to %v)", from, to)
		return nil
	}
	ints := fromInt && toInt
	var out []string
	for i := range int(count) {
		f := float64(i) / float64(count-1)
		x := from + (to-from)*f
		if scale == "log" {
			x = math.Exp(math.Log(from) + (math.Log(to)-math.Log(from))*f)
		}
		if i == 0 {
			x = from
		} else if i == int(count)-1 {
			x = to
		}
		v := formatFloat(x)
		if ints {
			v = strconv.FormatInt(int64(math.Round(x)), 10)
		}
		if slices.Contains(out, v) {
			d.add(path+".count", "%d values from %v to %v repeat %s once rounded; lower count", count, from, to, v)
			return nil
		}
		out = append(out, v)
	}
	return out
}

func (d *decoder) str(m map[string]any, path string) (string, bool) {
	raw, ok := m[path[strings.LastIndexByte(path, '.')+1:]]
	if !ok {
		return "", false
	}
	s, ok := raw.(string)
	if !ok {
		d.add(path, "%s: want a string", scenarios.TypeName(raw))
	}
	return s, ok
}

func (d *decoder) integer(m map[string]any, path string) (int64, bool) {
	raw, ok := m[path[strings.LastIndexByte(path, '.')+1:]]
	if !ok {
		return 0, false
	}
	n, ok := raw.(int64)
	if !ok {
		d.add(path, "%s: want an integer", scenarios.TypeName(raw))
	}
	return n, ok
}

// number returns a number and whether it was written as an integer.
func (d *decoder) number(m map[string]any, path string) (float64, bool, bool) {
	raw, ok := m[path[strings.LastIndexByte(path, '.')+1:]]
	if !ok {
		return 0, false, false
	}
	switch x := raw.(type) {
	case int64:
		return float64(x), true, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			d.add(path, "%v: want a finite number", x)
			return 0, false, false
		}
		return x, false, true
	}
	d.add(path, "%s: want a number", scenarios.TypeName(raw))
	return 0, false, false
}
