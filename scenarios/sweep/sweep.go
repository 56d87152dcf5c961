// Package sweep is a sweep definition: a base scenario, overrides common to
// every point, and parameters whose values span a grid of points, each point
// run with the same replications (seeds S .. S+reps-1). It loads and
// validates a sweep file, numbers the grid's points, selects the points of a
// shard, computes the sweep's hash and resolves each point into a
// scenarios.Scenario; running the points is the command's business
// (`coinai sweep`, DESIGN.md "Sweeps").
//
// A sweep file is TOML:
//
//	[sweep]
//	name = "pow-stale"              # default: the file name without .toml
//	base = "../pow-bitcoin.toml"    # base scenario, relative to the sweep file
//	reps = 5                        # replications per point
//	seed = 1                        # first seed S (default: the base's run.seed)
//	set = ["run.stop_height=200"]   # overrides of every point, as --set
//	note = "free text"
//
//	[[sweep.param]]
//	key = "pow.interval"            # a dotted key, as --set
//	values = ["10s", "60s"]         # as typed on --set
//
//	[[sweep.param]]
//	key = "group.0.count"
//	from = 10                       # or a numeric range instead of values
//	to = 80
//	count = 4
//	scale = "log"                   # "linear" (default) or "log"
//
// Everything is checked at load time, every point resolved, so that a sweep
// that loads runs: problems name the file, line and key, as scenario
// problems do.
package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/coinai/coinai/scenarios"
)

// Limits that keep a typo from asking for a grid no machine finishes.
const (
	// MaxPoints is the largest grid a sweep may span.
	MaxPoints = 1000000
	// MaxReps is the most replications a point may have.
	MaxReps = 100000
	// maxCount bounds a numeric range's count.
	maxCount = 10000
)

// Sweep is a loaded, validated sweep definition. Its fields are what the
// file says (with defaults filled in); the base scenario and the points
// derive from them.
type Sweep struct {
	// File is the sweep file's path as given; problems name it.
	File string
	// Name names the sweep in outputs; the file name without .toml unless
	// the file sets sweep.name.
	Name string
	// Base is the base scenario's path as written in the file, relative to
	// the sweep file (outputs record it as written, so that they do not
	// depend on the directory coinai was started in).
	Base string
	// BasePath is the base scenario's path, as opened.
	BasePath string
	// Reps is the number of replications of every point.
	Reps int
	// Seed is the first seed S: replication i of every point runs seed S+i,
	// so that points differ only by their parameters.
	Seed int64
	// Set are the overrides applied to every point, "key=value" as --set.
	Set []string
	// Note is free text for reports.
	Note string
	// Params are the swept parameters in file order; the last varies
	// fastest.
	Params []Param
	// Source is the sweep file's content, for a copy beside the results.
	Source []byte

	lines map[string]int      // key path -> line in the sweep file
	base  *scenarios.Scenario // base scenario, Set and Seed applied
	hash  string              // sweep_hash
	rng   []bool              // per param: values come from a range
	sizes []int               // len(Params[j].Values)
}

// Param is one swept parameter: a key as --set takes it and its values as
// typed on --set, in file order.
type Param struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Setting is one parameter's value at a point.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Point is one point of the grid.
type Point struct {
	// Index is the point's 0-based place in the grid: the cartesian product
	// of the parameters' values in file order, the last parameter varying
	// fastest.
	Index int
	// ID names the point's outputs: "p" and the index, zero-padded to four
	// digits, or more for grids above 10000 points, so that ids sort like
	// indices.
	ID string
	// Params are the point's values, one per parameter, in file order.
	Params []Setting

	at []int // index of each parameter's value
}

// Label is the point's settings as "key=value, key=value".
func (p Point) Label() string {
	s := make([]string, len(p.Params))
	for i, kv := range p.Params {
		s[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(s, ", ")
}

// Load reads, validates and resolves the sweep file at path; see Parse.
func Load(path string) (*Sweep, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading sweep: %w", err)
	}
	return Parse(path, data)
}

// IsSweep reports whether data is TOML with a [sweep] table: a sweep file
// rather than a scenario (a scenario has no such key), so that `coinai
// validate` can take both.
func IsSweep(data []byte) bool {
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		return false
	}
	_, ok := tree["sweep"]
	return ok
}

// Parse decodes and validates the sweep file text data; path is the file's
// path, used in problems and to find the base scenario. Every problem of
// the file is reported at once in a *scenarios.Errors naming file, line
// and key: unknown keys, wrong types, missing keys, empty or duplicate
// values, a bad range, and every point whose overrides --set refuses
// (each point is resolved here, so that a sweep that loads runs). Problems
// of the base scenario itself name the base file.
func Parse(path string, data []byte) (*Sweep, error) {
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, scenarios.NewErrors([]scenarios.Problem{{File: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}})
		}
		return nil, scenarios.NewErrors([]scenarios.Problem{{File: path, Msg: err.Error()}})
	}
	sw := &Sweep{File: path, Source: slices.Clone(data), lines: scenarios.KeyLines(string(data))}
	d := &decoder{sw: sw}
	d.decode(tree)
	// Go on as far as the problems allow, so that a file is fixed in one
	// pass: the base and the common overrides, then every point.
	if sw.Base == "" || sw.Reps < 1 || sw.Reps > MaxReps || sw.Seed < 0 {
		return nil, scenarios.NewErrors(d.problems)
	}
	if err := sw.loadBase(d); err != nil {
		var errs *scenarios.Errors
		if !errors.As(err, &errs) {
			return nil, err
		}
		d.problems = append(d.problems, errs.Problems...)
	}
	if sw.base == nil {
		return nil, scenarios.NewErrors(d.problems)
	}
	n := 1
	for j, p := range sw.Params {
		if len(p.Values) == 0 {
			return nil, scenarios.NewErrors(d.problems)
		}
		sw.sizes = append(sw.sizes, len(p.Values))
		if n *= len(p.Values); n > MaxPoints {
			d.add("sweep.param."+strconv.Itoa(j), "the grid has more than %d points; sweep fewer values or split the sweep", MaxPoints)
			return nil, scenarios.NewErrors(d.problems)
		}
	}
	if len(sw.Params) == 0 {
		return nil, scenarios.NewErrors(d.problems)
	}
	sw.checkPoints(d)
	if len(d.problems) > 0 {
		return nil, scenarios.NewErrors(d.problems)
	}
	sw.hash = sw.computeHash()
	return sw, nil
}

// loadBase loads the base scenario and applies the common overrides and the
// seed. A base file's own problems are returned as its loader reports them.
func (sw *Sweep) loadBase(d *decoder) error {
	sw.BasePath = sw.Base
	if !filepath.IsAbs(sw.Base) {
		sw.BasePath = filepath.Join(filepath.Dir(sw.File), filepath.FromSlash(sw.Base))
	}
	if _, err := os.Stat(sw.BasePath); err != nil {
		d.add("sweep.base", "%q: the base scenario %s cannot be read (%v); base is relative to the sweep file", sw.Base, sw.BasePath, errors.Unwrap(err))
		return nil
	}
	base, err := scenarios.Load(sw.BasePath)
	if err != nil {
		return err
	}
	if len(sw.Set) > 0 {
		if err := base.Apply(sw.Set...); err != nil {
			d.setProblems(err)
			return nil
		}
	}
	if d.seedGiven {
		if err := base.Set("run.seed", strconv.FormatInt(sw.Seed, 10)); err != nil {
			d.add("sweep.seed", "%v", err)
			return nil
		}
	}
	sw.Seed = base.Run.Seed
	if sw.Seed > math.MaxInt64-int64(sw.Reps-1) {
		d.add("sweep.reps", "%d replications from seed %d: the last seed S+reps-1 exceeds 9223372036854775807; choose a smaller seed", sw.Reps, sw.Seed)
		return nil
	}
	sw.base = base
	return nil
}

// setProblems points the problems of the common overrides at their
// element of sweep.set.
func (d *decoder) setProblems(err error) {
	var errs *scenarios.Errors
	if !errors.As(err, &errs) {
		d.add("sweep.set", "%v", err)
		return
	}
	for _, q := range errs.Problems {
		if q.File != "--set" {
			d.problems = append(d.problems, q)
			continue
		}
		path := "sweep.set"
		for i, kv := range d.sw.Set {
			k, _, _ := strings.Cut(kv, "=")
			if k = strings.TrimSpace(k); q.Key == k || strings.HasPrefix(q.Key, k+".") {
				path = "sweep.set." + strconv.Itoa(i)
				break
			}
		}
		d.add(path, "%s: %s", q.Key, q.Msg)
	}
}

// maxPointProblems bounds the points reported whose combination of values
// (rather than one value) is refused.
const maxPointProblems = 5

// checkPoints resolves every point and reports the values and combinations
// refused: a refused value once, however many points hold it, and the
// first few points refused for their combination of values.
func (sw *Sweep) checkPoints(d *decoder) {
	// A problem of a parameter is reported at each value it is about,
	// unless it is the same for all of them (an unknown key): then once,
	// at the key.
	type valueProblem struct {
		j        int
		key, msg string
	}
	byValue := map[valueProblem][]scenarios.Problem{}
	var order []valueProblem
	at := map[valueProblem]map[int]bool{}
	failed := 0
	for k := range sw.Len() {
		p := sw.Point(k)
		_, err := sw.Resolve(p)
		if err == nil {
			continue
		}
		value, combo := sw.pointProblems(p, err)
		for _, q := range value {
			vp := valueProblem{q.j, q.key, q.msg}
			if at[vp] == nil {
				at[vp] = map[int]bool{}
				order = append(order, vp)
			}
			if !at[vp][p.at[q.j]] {
				at[vp][p.at[q.j]] = true
				byValue[vp] = append(byValue[vp], q.Problem)
			}
		}
		if len(combo) > 0 {
			if failed < maxPointProblems {
				d.problems = append(d.problems, combo...)
			}
			failed++
		}
	}
	for _, vp := range order {
		if n := len(sw.Params[vp.j].Values); n > 1 && len(at[vp]) == n {
			key := sw.Params[vp.j].Key
			if vp.key != key {
				key += ": " + vp.key
			}
			d.add(fmt.Sprintf("sweep.param.%d.key", vp.j), "%s: %s", key, vp.msg)
			continue
		}
		d.problems = append(d.problems, byValue[vp]...)
	}
	if failed > maxPointProblems {
		d.add("sweep.param", "and %d more points are refused", failed-maxPointProblems)
	}
}

// PointError locates an error about point p's scenario (a value or
// combination of values refused, a run that would not fit in memory) in
// the sweep file, as an *scenarios.Errors: a problem of a swept key is put
// at the line of that parameter's value, any other at the parameters, with
// the point's id and values.
func (sw *Sweep) PointError(p Point, err error) error {
	value, combo := sw.pointProblems(p, err)
	for _, q := range value {
		combo = append(combo, q.Problem)
	}
	return scenarios.NewErrors(combo)
}

// paramProblem is a problem of one swept value: parameter j, the
// scenario's key and message.
type paramProblem struct {
	scenarios.Problem
	j        int
	key, msg string
}

// pointProblems splits the problems of point p's err into those of one
// swept value and those of the point as a whole.
func (sw *Sweep) pointProblems(p Point, err error) (value []paramProblem, combo []scenarios.Problem) {
	d := &decoder{sw: sw}
	var errs *scenarios.Errors
	if !errors.As(err, &errs) {
		d.add("sweep.param", "point %s (%s): %v", p.ID, p.Label(), err)
		return nil, d.problems
	}
	for _, q := range errs.Problems {
		j := -1
		if q.File == "--set" {
			j = slices.IndexFunc(sw.Params, func(pr Param) bool { return q.Key == pr.Key || strings.HasPrefix(q.Key, pr.Key+".") })
		}
		if j < 0 {
			d.add("sweep.param", "point %s (%s): %s", p.ID, p.Label(), q)
			combo = append(combo, d.problems[len(d.problems)-1])
			continue
		}
		path := fmt.Sprintf("sweep.param.%d.values.%d", j, p.at[j])
		if sw.rng[j] {
			path = fmt.Sprintf("sweep.param.%d", j)
		}
		key := sw.Params[j].Key + "=" + p.Params[j].Value
		if q.Key != sw.Params[j].Key {
			key += ": " + q.Key
		}
		d.add(path, "%s: %s", key, q.Msg)
		value = append(value, paramProblem{d.problems[len(d.problems)-1], j, q.Key, q.Msg})
	}
	return value, combo
}

// Len is the number of points of the grid.
func (sw *Sweep) Len() int {
	n := 1
	for _, s := range sw.sizes {
		n *= s
	}
	return n
}

// idWidth is the digits of point ids: four, or as many as the last index
// needs.
func (sw *Sweep) idWidth() int { return max(4, len(strconv.Itoa(sw.Len()-1))) }

// Point returns point k (0 <= k < Len()).
func (sw *Sweep) Point(k int) Point {
	p := Point{Index: k, ID: fmt.Sprintf("p%0*d", sw.idWidth(), k),
		Params: make([]Setting, len(sw.Params)), at: make([]int, len(sw.Params))}
	rest := k
	for j := len(sw.Params) - 1; j >= 0; j-- {
		i := rest % sw.sizes[j]
		rest /= sw.sizes[j]
		p.at[j] = i
		p.Params[j] = Setting{Key: sw.Params[j].Key, Value: sw.Params[j].Values[i]}
	}
	return p
}

// Points returns every point in index order.
func (sw *Sweep) Points() []Point {
	out := make([]Point, sw.Len())
	for k := range out {
		out[k] = sw.Point(k)
	}
	return out
}

// Seeds are the seeds of every point's replications, S .. S+Reps-1.
func (sw *Sweep) Seeds() []int64 {
	s := make([]int64, sw.Reps)
	for i := range s {
		s[i] = sw.Seed + int64(i)
	}
	return s
}

// Hash is the sweep_hash: the hex SHA-256 of the canonical definition (the
// name, the base scenario's resolved TOML with the common overrides
// applied, the parameters and their values as strings, reps and seed). Two
// directories hold points of the same sweep exactly when their hashes are
// equal; the note, the file's layout and comments and the paths do not
// count.
func (sw *Sweep) Hash() string { return sw.hash }

// Canonical is the text Hash digests: JSON of the definition's parts that
// decide the points' results.
func (sw *Sweep) Canonical() []byte {
	base, err := sw.BaseScenario().TOML()
	if err != nil {
		// The base was encoded and decoded when it loaded; encoding it
		// again cannot fail. Keep the error in the text rather than panic.
		base = []byte("error: " + err.Error())
	}
	b, _ := json.Marshal(struct {
		Version int     `json:"coinai_sweep_hash"`
		Name    string  `json:"name"`
		Base    string  `json:"base_toml"`
		Params  []Param `json:"params"`
		Reps    int     `json:"reps"`
		Seed    int64   `json:"seed"`
	}{1, sw.Name, string(base), sw.Params, sw.Reps, sw.Seed})
	return b
}

func (sw *Sweep) computeHash() string {
	h := sha256.Sum256(sw.Canonical())
	return hex.EncodeToString(h[:])
}

// BaseScenario returns a copy of the base scenario with the common
// overrides and the seed applied; its File is Base as written in the sweep
// file, so that its resolved TOML does not depend on where coinai runs.
func (sw *Sweep) BaseScenario() *scenarios.Scenario {
	c := *sw.base
	c.File = sw.Base
	return &c
}

// Resolve returns point p's scenario: the base scenario with the common
// overrides, then the point's values applied (and validated together, as
// --set does), at seed S. Its File is Base as written in the sweep file.
func (sw *Sweep) Resolve(p Point) (*scenarios.Scenario, error) {
	c := *sw.base // Apply replaces the copy's contents; base is not touched
	kvs := make([]string, len(p.Params))
	for i, kv := range p.Params {
		kvs[i] = kv.Key + "=" + kv.Value
	}
	if err := c.Apply(kvs...); err != nil {
		return nil, err
	}
	c.File = sw.Base
	return &c, nil
}

// Shard is one of N disjoint parts of a grid, for running a sweep on
// several machines: shard I of N holds the points whose index k has
// k mod N == I. The selection depends on nothing but the index, so shards
// never overlap, together cover the grid, and a resumed shard runs the same
// points.
type Shard struct{ I, N int }

// All is the whole grid as one shard.
var All = Shard{0, 1}

// ParseShard parses "i/n" with 0 <= i < n.
func ParseShard(v string) (Shard, error) {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: want i/n, shard i (0-based) of n, e.g. 0/4", v)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard %q: want 0 <= i < n (the shards of 4 are 0/4, 1/4, 2/4 and 3/4)", v)
	}
	return Shard{i, n}, nil
}

// String is "i/n".
func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.I, sh.N) }

// Has reports whether point index k belongs to the shard.
func (sh Shard) Has(k int) bool { return k%sh.N == sh.I }

// ShardPoints returns the shard's points of the sweep, in index order.
func (sw *Sweep) ShardPoints(sh Shard) []Point {
	var out []Point
	for k := sh.I; k < sw.Len(); k += sh.N {
		out = append(out, sw.Point(k))
	}
	return out
}
