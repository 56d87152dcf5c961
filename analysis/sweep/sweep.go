// Package sweep combines the points of a parameter sweep into one table and
// one set of figures. `coinai sweep` writes one folder per point of the grid
// (the resolved scenario and the ensemble of its replications), possibly
// split over several directories by shards run on several machines; Load
// reads those directories, checks that they belong to one sweep and agree
// with each other, and Write produces the merged output: merged.json,
// merged.csv, every metric drawn against every swept parameter, an
// index.html in the style of a run's report, and the point folders copied
// byte for byte (DESIGN.md, "Sweep merge").
//
// A point is a pure function of the sweep file, its parameters and its
// seeds, so the same point written by two shards, or by a resumed run, is
// byte-identical; two copies that differ mean a changed build or an edited
// file, and Load refuses them rather than pick one. The merged output is a
// deterministic function of the point folders: merging three shards gives
// the same merged.json, merged.csv and points/ as merging one directory that
// holds every point.
package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Names of the sweep directory's files (the sweep contract, DESIGN.md).
const (
	DefinitionFile = "sweep.json"
	SweepFile      = "sweep.toml"
	PointsDir      = "points"
	PointFile      = "point.json"
	EnsembleFile   = "ensemble.json"
	// RunsDir holds a point's replications with `coinai sweep --keep-runs`;
	// their summary.json records wall-clock time, so it is neither compared
	// between copies of a point nor merged.
	RunsDir = "runs"
)

// Names of the merged output's files.
const (
	MergedJSON = "merged.json"
	MergedCSV  = "merged.csv"
	IndexHTML  = "index.html"
	FiguresDir = "figures"
)

// FormatVersion is merged.json's "coinai_sweep_merge": a change of its keys
// bumps it.
const FormatVersion = 1

// Format versions read.
const (
	// DefinitionVersion is the sweep.json format ("coinai_sweep") that
	// `coinai sweep` writes and the merge reads.
	DefinitionVersion = 1
	// PointVersion is the point.json format ("coinai_sweep_point").
	PointVersion    = 1
	ensembleVersion = 1 // ensemble.json "coinai_ensemble"
)

// Param is a swept parameter: a dotted scenario key and its values as
// typed on --set, in the declared order.
type Param struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Setting is one parameter's value at a point.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Definition is sweep.json: what the sweep is, as `coinai sweep` recorded
// it in every directory it wrote.
type Definition struct {
	Version   int      `json:"coinai_sweep"`
	Name      string   `json:"name"`
	SweepFile string   `json:"sweep_file"`
	Hash      string   `json:"sweep_hash"`
	Base      string   `json:"base"`
	Reps      int      `json:"reps"`
	Seed      int64    `json:"seed"`
	Seeds     []int64  `json:"seeds"`
	Set       []string `json:"set"`
	Params    []Param  `json:"params"`
	Points    int      `json:"points"`
	Shard     string   `json:"shard"`
	Revision  string   `json:"revision"`
	// Note is the sweep file's note, when sweep.json carries it (else it
	// is read from sweep.toml).
	Note string `json:"note"`
}

// PointRecord is point.json: which point of which sweep a point folder
// holds. `coinai sweep` writes it and the merge reads it, through this one
// type, so that the file has one description.
type PointRecord struct {
	Version int    `json:"coinai_sweep_point"`
	Hash    string `json:"sweep_hash"`
	// Index is a pointer so that a point.json without it is told apart
	// from point 0.
	Index  *int      `json:"index"`
	ID     string    `json:"id"`
	Params []Setting `json:"params"`
	Seeds  []int64   `json:"seeds"`
}

// Metric is one metric's statistics at a point, as ensemble.json gives
// them; nil where the statistic does not exist (no replication has a
// value, or fewer than two for sd and the t interval).
type Metric struct {
	Metric string   `json:"metric"`
	N      int      `json:"n"`
	Mean   *float64 `json:"mean"`
	SD     *float64 `json:"sd"`
	TLo    *float64 `json:"t_lo"`
	THi    *float64 `json:"t_hi"`
	BootLo *float64 `json:"boot_lo"`
	BootHi *float64 `json:"boot_hi"`
}

// ensembleFile is the part of ensemble.json the merge reads.
type ensembleFile struct {
	Version int      `json:"coinai_ensemble"`
	Reps    int      `json:"reps"`
	Seeds   []int64  `json:"seeds"`
	Metrics []Metric `json:"metrics"`
}

// Point is one point of the grid.
type Point struct {
	Index  int
	ID     string
	Params []Setting
	// Metrics are the point's ensemble statistics in ensemble.json order;
	// empty for a missing point.
	Metrics []Metric
	// Dir is the sweep directory the point was read from (the first one
	// given that holds it); empty for a missing point.
	Dir string
	// files are the point folder's files but runs/, slash-separated and
	// relative to the folder, sorted.
	files []string
}

// folder is the point's folder in Dir.
func (p *Point) folder() string { return filepath.Join(p.Dir, PointsDir, p.ID) }

// Source is one directory merged.
type Source struct {
	Dir      string
	Shard    string
	Revision string
	// Held is the number of complete point folders in the directory;
	// Repeated, how many of them an earlier directory held too.
	Held, Repeated int
}

// Merge is a sweep's points read from one or more directories.
type Merge struct {
	// Def is the first directory's sweep.json; every other directory has
	// the same sweep_hash, name, parameters, replications and seeds.
	Def Definition
	// Note is the sweep file's note: sweep.json's, else sweep.toml's.
	Note string
	// SweepTOML is the first directory's copy of the sweep file (nil if
	// it has none).
	SweepTOML []byte
	Sources   []Source
	// Points are the points some directory holds, in grid order.
	Points []*Point
	// Missing are the points of the grid no directory holds, in grid
	// order.
	Missing []*Point
}

// InputError is a directory that cannot be merged: not a sweep directory,
// a malformed file, a directory of another sweep, or a point that another
// directory holds with other bytes. Nothing should be written; commands
// exit with the bad-input status.
type InputError struct {
	Dir string
	Err error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(dir, format string, args ...any) error {
	return &InputError{Dir: dir, Err: fmt.Errorf(format, args...)}
}

// Load reads the sweep directories dirs (at least one) and checks that they
// hold points of one sweep: the same sweep_hash (and the same definition),
// every point folder consistent with the grid, and a point that several
// directories hold byte-identical in each (but its runs/). Points no
// directory holds are listed in Missing, not an error: whether a partial
// merge is wanted is the caller's decision.
func Load(dirs []string) (*Merge, error) {
	if len(dirs) == 0 {
		return nil, errors.New("merging a sweep: no directory given")
	}
	m := &Merge{}
	byIndex := map[int]*Point{}
	for i, dir := range dirs {
		def, err := readDefinition(dir)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			m.Def = *def
			m.Note = def.Note
			if b, err := os.ReadFile(filepath.Join(dir, SweepFile)); err == nil {
				m.SweepTOML = b
				if m.Note == "" {
					m.Note = noteOf(b)
				}
			}
		} else if err := sameSweep(dirs[0], &m.Def, dir, def); err != nil {
			return nil, err
		}
		src := Source{Dir: dir, Shard: def.Shard, Revision: def.Revision}
		pts, err := readPoints(dir, def)
		if err != nil {
			return nil, err
		}
		for _, p := range pts {
			src.Held++
			if q, ok := byIndex[p.Index]; ok {
				if err := samePoint(q, p); err != nil {
					return nil, err
				}
				src.Repeated++
				continue
			}
			byIndex[p.Index] = p
		}
		m.Sources = append(m.Sources, src)
	}
	width := 0
	for k := range m.Def.Points {
		if p, ok := byIndex[k]; ok {
			m.Points = append(m.Points, p)
			if width == 0 {
				width = len(p.ID) - 1
			}
		}
	}
	if width == 0 {
		width = max(4, len(strconv.Itoa(m.Def.Points-1)))
	}
	for k := range m.Def.Points {
		if _, ok := byIndex[k]; !ok {
			m.Missing = append(m.Missing, &Point{Index: k, ID: fmt.Sprintf("p%0*d", width, k), Params: m.Def.settings(k)})
		}
	}
	return m, nil
}

// readDefinition reads and checks dir's sweep.json.
func readDefinition(dir string) (*Definition, error) {
	file := filepath.Join(dir, DefinitionFile)
	b, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, inputErr(dir, "%s is not a sweep directory: it has no %s", dir, DefinitionFile)
		}
		return nil, &InputError{dir, fmt.Errorf("reading %s: %w", file, err)}
	}
	var d Definition
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, inputErr(dir, "reading %s: %v", file, err)
	}
	bad := func(key, format string, args ...any) error {
		return inputErr(dir, "%s: %s: %s", file, key, fmt.Sprintf(format, args...))
	}
	switch {
	case d.Version != DefinitionVersion:
		return nil, bad("coinai_sweep", "format version %d; this coinai reads version %d", d.Version, DefinitionVersion)
	case d.Hash == "":
		return nil, bad("sweep_hash", "missing")
	case d.Reps < 1:
		return nil, bad("reps", "%d; want at least 1", d.Reps)
	case len(d.Seeds) != d.Reps:
		return nil, bad("seeds", "%d seeds for %d replications", len(d.Seeds), d.Reps)
	case len(d.Params) == 0:
		return nil, bad("params", "no swept parameter")
	}
	n, seen := 1, map[string]bool{}
	for i, p := range d.Params {
		if p.Key == "" || seen[p.Key] {
			return nil, bad(fmt.Sprintf("params.%d.key", i), "%q is empty or repeated", p.Key)
		}
		seen[p.Key] = true
		if len(p.Values) == 0 {
			return nil, bad(fmt.Sprintf("params.%d.values", i), "%s has no values", p.Key)
		}
		n *= len(p.Values)
	}
	if d.Points != n {
		return nil, bad("points", "%d, but the parameters' values make a grid of %d points", d.Points, n)
	}
	return &d, nil
}

// settings are the parameter values of point k: the cartesian product in
// the declared order, the last parameter varying fastest.
func (d *Definition) settings(k int) []Setting {
	out := make([]Setting, len(d.Params))
	for i := len(d.Params) - 1; i >= 0; i-- {
		p := d.Params[i]
		out[i] = Setting{p.Key, p.Values[k%len(p.Values)]}
		k /= len(p.Values)
	}
	return out
}

// valueIndex is the index in Params[i].Values of point k's value.
func (d *Definition) valueIndex(k, i int) int {
	for j := len(d.Params) - 1; j > i; j-- {
		k /= len(d.Params[j].Values)
	}
	return k % len(d.Params[i].Values)
}

// sameSweep checks that b (of dir) is the sweep a (of first) is.
func sameSweep(first string, a *Definition, dir string, b *Definition) error {
	if a.Hash != b.Hash {
		return inputErr(dir, "%s is of sweep_hash %s but %s of %s: they are different sweeps (or the sweep file, its base scenario or its overrides changed between them); merge only directories of one sweep", dir, b.Hash, first, a.Hash)
	}
	for _, c := range []struct {
		key  string
		same bool
	}{
		{"name", a.Name == b.Name},
		{"reps", a.Reps == b.Reps},
		{"seed", a.Seed == b.Seed},
		{"seeds", slices.Equal(a.Seeds, b.Seeds)},
		{"params", slices.EqualFunc(a.Params, b.Params, func(x, y Param) bool { return x.Key == y.Key && slices.Equal(x.Values, y.Values) })},
		{"points", a.Points == b.Points},
	} {
		if !c.same {
			return inputErr(dir, "%s and %s have the same sweep_hash but different %s in %s; one of them was edited", first, dir, c.key, DefinitionFile)
		}
	}
	return nil
}

// isPointName reports whether name is a point folder's: "p" and digits.
func isPointName(name string) bool {
	if len(name) < 2 || name[0] != 'p' {
		return false
	}
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// readPoints reads the complete point folders of dir, in name order. Hidden
// entries (a point being written) and names that are no point's are
// skipped; a directory without points/ holds no point yet.
func readPoints(dir string, def *Definition) ([]*Point, error) {
	ents, err := os.ReadDir(filepath.Join(dir, PointsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &InputError{dir, fmt.Errorf("reading %s: %w", dir, err)}
	}
	var out []*Point
	for _, e := range ents {
		if !isPointName(e.Name()) {
			continue
		}
		p, err := readPoint(dir, e.Name(), def)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// readPoint reads and checks the point folder name of dir.
func readPoint(dir, name string, def *Definition) (*Point, error) {
	folder := filepath.Join(dir, PointsDir, name)
	rel := path.Join(PointsDir, name)
	st, err := os.Stat(folder)
	if err != nil {
		return nil, &InputError{dir, fmt.Errorf("reading %s: %w", folder, err)}
	}
	if !st.IsDir() {
		return nil, inputErr(dir, "%s: %s is not a point folder (not a directory)", dir, rel)
	}
	file := filepath.Join(folder, PointFile)
	var pf PointRecord
	if err := readJSON(dir, file, &pf); err != nil {
		return nil, err
	}
	bad := func(key, format string, args ...any) error {
		return inputErr(dir, "%s: %s: %s", file, key, fmt.Sprintf(format, args...))
	}
	switch {
	case pf.Version != PointVersion:
		return nil, bad("coinai_sweep_point", "format version %d; this coinai reads version %d", pf.Version, PointVersion)
	case pf.Hash != def.Hash:
		return nil, bad("sweep_hash", "%s, but %s of %s is %s: the point belongs to another sweep", pf.Hash, DefinitionFile, dir, def.Hash)
	case pf.ID != name:
		return nil, bad("id", "%q in folder %s", pf.ID, name)
	case pf.Index == nil || *pf.Index < 0 || *pf.Index >= def.Points:
		return nil, bad("index", "missing or outside the grid of %d points", def.Points)
	}
	k := *pf.Index
	if n, err := strconv.Atoi(name[1:]); err != nil || n != k {
		return nil, bad("index", "%d in folder %s", k, name)
	}
	if want := def.settings(k); !slices.Equal(pf.Params, want) {
		return nil, bad("params", "%s, but point %d of the grid in %s is %s", settingsText(pf.Params), k, DefinitionFile, settingsText(want))
	}
	if !slices.Equal(pf.Seeds, def.Seeds) {
		return nil, bad("seeds", "%v, but %s has %v", pf.Seeds, DefinitionFile, def.Seeds)
	}
	var ens ensembleFile
	efile := filepath.Join(folder, EnsembleFile)
	if err := readJSON(dir, efile, &ens); err != nil {
		return nil, err
	}
	switch {
	case ens.Version != ensembleVersion:
		return nil, inputErr(dir, "%s: coinai_ensemble: format version %d; this coinai reads version %d", efile, ens.Version, ensembleVersion)
	case ens.Reps != def.Reps || !slices.Equal(ens.Seeds, def.Seeds):
		return nil, inputErr(dir, "%s: reps and seeds: %d replications at seeds %v, but the sweep has %d at %v", efile, ens.Reps, ens.Seeds, def.Reps, def.Seeds)
	}
	for i, mt := range ens.Metrics {
		if mt.Metric == "" {
			return nil, inputErr(dir, "%s: metrics.%d.metric: missing", efile, i)
		}
	}
	files, err := pointFiles(folder)
	if err != nil {
		return nil, &InputError{dir, fmt.Errorf("reading %s: %w", folder, err)}
	}
	return &Point{Index: k, ID: name, Params: pf.Params, Metrics: ens.Metrics, Dir: dir, files: files}, nil
}

func readJSON(dir, file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return &InputError{dir, fmt.Errorf("reading %s: %w", file, err)}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return inputErr(dir, "reading %s: %v", file, err)
	}
	return nil
}

// pointFiles lists the files of a point folder but those under runs/, as
// sorted slash-separated relative paths.
func pointFiles(folder string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(folder, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(folder, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == RunsDir {
				return filepath.SkipDir
			}
			return nil
		}
		out = append(out, rel)
		return nil
	})
	slices.Sort(out)
	return out, err
}

// samePoint checks that b, another directory's copy of point a, is
// byte-identical to it (runs/ aside).
func samePoint(a, b *Point) error {
	differ := func(format string, args ...any) error {
		return inputErr(b.Dir, "point %s is in %s and in %s with different content: %s; a point is a pure function of the sweep file, its parameters and seeds, so one of them is of another build or was edited: remove the wrong copy", a.ID, a.Dir, b.Dir, fmt.Sprintf(format, args...))
	}
	if a.ID != b.ID {
		return differ("its folder is named %s in one and %s in the other", a.ID, b.ID)
	}
	for _, f := range a.files {
		if _, ok := slices.BinarySearch(b.files, f); !ok {
			return differ("%s/%s/%s exists only in %s", PointsDir, a.ID, f, a.Dir)
		}
	}
	for _, f := range b.files {
		if _, ok := slices.BinarySearch(a.files, f); !ok {
			return differ("%s/%s/%s exists only in %s", PointsDir, a.ID, f, b.Dir)
		}
	}
	for _, f := range a.files {
		x, err := os.ReadFile(filepath.Join(a.folder(), filepath.FromSlash(f)))
		if err != nil {
			return &InputError{a.Dir, fmt.Errorf("reading point %s: %w", a.ID, err)}
		}
		y, err := os.ReadFile(filepath.Join(b.folder(), filepath.FromSlash(f)))
		if err != nil {
			return &InputError{b.Dir, fmt.Errorf("reading point %s: %w", b.ID, err)}
		}
		if !bytes.Equal(x, y) {
			return differ("%s/%s/%s differs", PointsDir, a.ID, f)
		}
	}
	return nil
}

// noteOf is the [sweep] note of a sweep file, or "".
func noteOf(sweepTOML []byte) string {
	var f struct {
		Sweep struct {
			Note string `toml:"note"`
		} `toml:"sweep"`
	}
	if _, err := toml.Decode(string(sweepTOML), &f); err != nil {
		return ""
	}
	return f.Sweep.Note
}

// settingsText writes settings as "k=v, k2=v2".
func settingsText(s []Setting) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = x.Key + "=" + x.Value
	}
	return strings.Join(parts, ", ")
}

// Label is the point's parameters as "key=value, key=value".
func (p *Point) Label() string { return settingsText(p.Params) }
