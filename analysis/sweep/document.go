package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/report"
)

// Document is the merge's index page, in the style of a run's report: the
// sweep's definition, missing points (a partial merge), the directories
// merged, then per metric that varies a table (one row per point: mean ±
// half-width of the t interval, and the bootstrap interval) with its
// figures against each parameter, the metrics constant at every point as
// one line each, those without a value at any point, and the sweep file.
// figs are m.Figures().
func (m *Merge) Document(figs []*figures.Figure) *report.Document {
	d := &m.Def
	doc := &report.Document{Title: "Sweep " + d.Name}
	total := len(m.Points) + len(m.Missing)
	def := []string{
		"name: " + d.Name,
		"base scenario: " + d.Base,
	}
	for _, p := range d.Params {
		def = append(def, fmt.Sprintf("parameter %s: %s", p.Key, strings.Join(p.Values, ", ")))
	}
	if len(d.Set) > 0 {
		def = append(def, "set at every point: "+strings.Join(d.Set, ", "))
	}
	def = append(def,
		fmt.Sprintf("replications per point: %d, seeds %s (replication i of every point uses seed %d+i)", d.Reps, seedRange(d.Seeds), d.Seed),
		fmt.Sprintf("points: %d", total),
		"sweep_hash: "+d.Hash)
	if m.Note != "" {
		def = append(def, "note: "+m.Note)
	}
	dirs := fmt.Sprintf("%d directories", len(m.Sources))
	if len(m.Sources) == 1 {
		dirs = "one directory"
	}
	intro := fmt.Sprintf("%d of %d points merged from %s. Every statistic is the point's ensemble.json: the mean over its replications, with %g%% intervals of the mean (t: Student t; bootstrap: percentile bootstrap). The figures draw every metric that differs between points against every swept parameter.",
		len(m.Points), total, dirs, 100*Level)
	doc.Sections = append(doc.Sections, report.Section{Heading: "Sweep", Paras: []string{intro}, List: def})

	if len(m.Missing) > 0 {
		var list []string
		for _, p := range m.Missing {
			list = append(list, p.ID+": "+p.Label())
		}
		doc.Sections = append(doc.Sections, report.Section{Heading: "Missing points",
			Paras: []string{fmt.Sprintf("This merge is partial: %d of %d points are missing, and are absent from the tables and figures below. Run the sweep's missing shards (rerunning a sweep resumes it) and merge again.", len(m.Missing), total)},
			List:  list})
	}

	src := &report.Table{Header: []string{"directory", "shard", "revision", "points held", "of them also in an earlier directory"}}
	for _, s := range m.Sources {
		src.Rows = append(src.Rows, []string{s.Dir, s.Shard, s.Revision, fmt.Sprint(s.Held), fmt.Sprint(s.Repeated)})
	}
	doc.Sections = append(doc.Sections, report.Section{Heading: "Directories merged",
		Paras: []string{"A point held by several directories was checked to be byte-identical in each (its runs/ aside) and was taken from the first."},
		Table: src})

	byName := map[string]*figures.Figure{}
	for _, f := range figs {
		byName[f.Name] = f
	}
	var constants, empties []string
	for _, mi := range m.metrics() {
		switch mi.class {
		case empty:
			empties = append(empties, mi.name)
			continue
		case constant:
			line := mi.name + " — constant: " + report.Num(mi.value)
			if len(mi.lacking) > 0 {
				line += " (no value at " + listIDs(mi.lacking) + ")"
			}
			constants = append(constants, line)
			continue
		}
		sec := report.Section{Heading: mi.name, Table: m.metricTable(mi.name)}
		for _, p := range d.Params {
			if f, ok := byName[FigureName(mi.name, p.Key)]; ok {
				sec.Figures = append(sec.Figures, f)
			}
		}
		doc.Sections = append(doc.Sections, sec)
	}
	if len(constants) > 0 {
		doc.Sections = append(doc.Sections, report.Section{Heading: "Constant at every point",
			Paras: []string{"These metrics have the same mean at every point that has a value; they are not drawn."},
			List:  constants})
	}
	if len(empties) > 0 {
		doc.Sections = append(doc.Sections, report.Section{Heading: "No value at any point",
			Paras: []string{strings.Join(empties, ", ") + "."}})
	}
	if len(m.SweepTOML) > 0 {
		doc.Sections = append(doc.Sections, report.Section{Heading: "Sweep file (sweep.toml of " + m.Sources[0].Dir + ")",
			Code: string(m.SweepTOML), CodeLang: "toml"})
	}
	return doc
}

// metricTable has one row per point: its parameters, n, the mean ± the
// half-width of the t interval, and the bootstrap interval.
func (m *Merge) metricTable(name string) *report.Table {
	t := &report.Table{Header: []string{"point"}}
	for _, p := range m.Def.Params {
		t.Header = append(t.Header, p.Key)
	}
	t.Header = append(t.Header, "n", fmt.Sprintf("mean ± %g%% CI (t)", 100*Level), fmt.Sprintf("%g%% CI (bootstrap)", 100*Level))
	for _, p := range m.Points {
		row := []string{p.ID}
		for _, s := range p.Params {
			row = append(row, s.Value)
		}
		mt := p.metric(name)
		if mt == nil || mt.Mean == nil {
			n := 0
			if mt != nil {
				n = mt.N
			}
			t.Rows = append(t.Rows, append(row, fmt.Sprint(n), "n/a", "n/a"))
			continue
		}
		mean := report.Num(*mt.Mean)
		if mt.TLo != nil && mt.THi != nil {
			mean += " ± " + report.Num((*mt.THi-*mt.TLo)/2)
		}
		boot := "n/a"
		if mt.BootLo != nil && mt.BootHi != nil {
			boot = "[" + report.Num(*mt.BootLo) + ", " + report.Num(*mt.BootHi) + "]"
		}
		t.Rows = append(t.Rows, append(row, fmt.Sprint(mt.N), mean, boot))
	}
	return t
}

// Write writes the merged output into dir, an existing directory (the
// command builds it in a hidden temporary one and renames it into place):
// merged.json, merged.csv, points/ (every point folder but its runs/,
// copied byte for byte), figures/<metric>--<key>.png and .svg, and
// index.html, which embeds the PNGs so it can be mailed alone.
func (m *Merge) Write(dir string) error {
	js, err := m.JSON()
	if err != nil {
		return err
	}
	cs, err := m.CSV()
	if err != nil {
		return err
	}
	if err := writeFile(dir, MergedJSON, js); err != nil {
		return err
	}
	if err := writeFile(dir, MergedCSV, cs); err != nil {
		return err
	}
	for _, p := range m.Points {
		for _, f := range p.files {
			b, err := os.ReadFile(filepath.Join(p.folder(), filepath.FromSlash(f)))
			if err != nil {
				return fmt.Errorf("copying point %s of %s: %w", p.ID, p.Dir, err)
			}
			if err := writeFile(dir, PointsDir+"/"+p.ID+"/"+f, b); err != nil {
				return err
			}
		}
	}
	figs, err := m.Figures()
	if err != nil {
		return err
	}
	enc, err := figures.EncodeAll(figs, figures.Formats)
	if err != nil {
		return err
	}
	pngs := map[string][]byte{}
	for i, f := range figs {
		for j, format := range figures.Formats {
			if err := writeFile(dir, FiguresDir+"/"+f.Name+"."+format, enc[i][j]); err != nil {
				return err
			}
			if format == "png" {
				pngs[f.Name] = enc[i][j]
			}
		}
	}
	html, err := m.Document(figs).HTML(func(f *figures.Figure) ([]byte, error) { return pngs[f.Name], nil })
	if err != nil {
		return err
	}
	return writeFile(dir, IndexHTML, html)
}

// writeFile writes rel (slash-separated) below dir, making its folders.
func writeFile(dir, rel string, b []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	return nil
}
