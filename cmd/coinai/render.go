package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"

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
	// Encode on all processors with a fixed assignment (figure i on worker
	// i mod w), so that output does not depend on scheduling.
	enc := make([][][]byte, len(figs))
	errs := make([]error, len(figs))
	w := max(1, min(runtime.GOMAXPROCS(0), len(figs)))
	var wg sync.WaitGroup
	for k := range w {
		wg.Go(func() {
			for i := k; i < len(figs); i += w {
				for _, format := range figures.Formats {
					var b bytes.Buffer
					if errs[i] = figs[i].Encode(&b, format); errs[i] != nil {
						break
					}
					enc[i] = append(enc[i], b.Bytes())
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
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
