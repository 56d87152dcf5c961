package main

import (
	"os"
	"path/filepath"

	"github.com/coinai/coinai/analysis"
	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/report"
	"github.com/coinai/coinai/analysis/rundata"
)

// loadRun loads a run directory; a missing or malformed one is bad input.
func loadRun(dir string) (*rundata.Run, error) {
	r, err := rundata.Load(dir)
	if err != nil {
		return nil, &analysis.InputError{Dir: dir, Err: err}
	}
	return r, nil
}

// renderReport writes report.md, report.html and figures/*.png|svg of run
// into out, as analysis.WriteReport does into the run directory itself. The
// report names run.Dir as the run directory, so that a run can be reported
// on before its directory is renamed into place, and a report rendered
// aside before it is moved into the run directory.
func renderReport(run *rundata.Run, out string) error {
	figs, notes := figures.ForRun(run)
	dir := filepath.Join(out, analysis.FiguresDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	enc, err := figures.EncodeAll(figs, figures.Formats)
	if err != nil {
		return err
	}
	pngs := map[string][]byte{}
	for i, f := range figs {
		for j, format := range figures.Formats {
			if err := os.WriteFile(filepath.Join(dir, f.Name+"."+format), enc[i][j], 0o644); err != nil {
				return err
			}
			if format == "png" {
				pngs[f.Name] = enc[i][j]
			}
		}
	}
	d := report.ForRun(run, figs, notes)
	md := d.Markdown(func(f *figures.Figure) string { return analysis.FiguresDir + "/" + f.Name + ".png" })
	html, err := d.HTML(func(f *figures.Figure) ([]byte, error) { return pngs[f.Name], nil })
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "report.md"), md, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "report.html"), html, 0o644)
}
