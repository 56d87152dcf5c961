// Package analysis is what a researcher runs after a simulation: it reads a
// run directory's output files (never the simulator's memory) and writes
// figures, a Markdown and a self-contained HTML report, or a comparison of
// several runs. The work is done by the sub-packages rundata (loading),
// stats, figures, report and compare; this package wires them to files.
//
// All files are written atomically (temporary file and rename), and all
// output is a deterministic function of the input files.
package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/coinai/coinai/analysis/atomicfile"
	"github.com/coinai/coinai/analysis/compare"
	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/report"
	"github.com/coinai/coinai/analysis/rundata"
)

// InputError reports a run directory that could not be loaded: missing,
// unreadable or malformed (it wraps *rundata.FormatError in that case).
// Commands map it to the "bad input" exit status.
type InputError struct {
	Dir string
	Err error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func load(dir string) (*rundata.Run, error) {
	r, err := rundata.Load(dir)
	if err != nil {
		return nil, &InputError{Dir: dir, Err: err}
	}
	return r, nil
}

// FiguresDir is the sub-directory of a run (or comparison) directory that
// holds figure images.
const FiguresDir = "figures"

// WriteReport writes runDir/report.md, runDir/report.html and
// runDir/figures/*.png and *.svg for the run in runDir. The simulator calls
// it at the end of every run.
func WriteReport(runDir string) error {
	run, err := load(runDir)
	if err != nil {
		return err
	}
	figs, notes := figures.ForRun(run)
	dir := filepath.Join(runDir, FiguresDir)
	pngs, err := writeFigures(dir, figs, figures.Formats)
	if err != nil {
		return err
	}
	if err := removeStale(dir, notes); err != nil {
		return err
	}
	return writeDocument(runDir, "report", report.ForRun(run, figs, notes), pngs)
}

// WritePlots writes the figures of the run in runDir to outDir (default
// runDir/figures when outDir is "") in the given formats ("png", "svg"). It
// returns the notes about figures the run had no data for.
func WritePlots(runDir, outDir string, formats []string) ([]figures.Note, error) {
	run, err := load(runDir)
	if err != nil {
		return nil, err
	}
	if outDir == "" {
		outDir = filepath.Join(runDir, FiguresDir)
	}
	figs, notes := figures.ForRun(run)
	_, err = writeFigures(outDir, figs, formats)
	return notes, err
}

// WriteCompare loads runDirs (at least two; the first is the reference),
// and writes outDir/compare.md, outDir/compare.html and the overlaid
// figures in outDir/figures.
func WriteCompare(runDirs []string, outDir string) error {
	if len(runDirs) < 2 {
		return fmt.Errorf("comparing runs: need at least two run directories, got %d", len(runDirs))
	}
	var runs []*rundata.Run
	for _, dir := range runDirs {
		r, err := load(dir)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	figs, notes := figures.ForRuns(runs)
	dir := filepath.Join(outDir, FiguresDir)
	pngs, err := writeFigures(dir, figs, figures.Formats)
	if err != nil {
		return err
	}
	if err := removeStale(dir, notes); err != nil {
		return err
	}
	return writeDocument(outDir, "compare", compare.ForRuns(runs, figs, notes), pngs)
}

// retired lists figures earlier versions drew, whose files a new report
// removes so that figures/ holds only what the report shows.
var retired = []string{"energy_useful_share"}

// removeStale deletes, from a figure directory written before, the images
// of figures this report skipped (notes) or no longer draws (retired): a
// report re-run on the same directory must not leave an outdated figure
// beside the current ones. Only those names are touched.
func removeStale(dir string, notes []figures.Note) error {
	names := slices.Clone(retired)
	for _, n := range notes {
		names = append(names, n.Figure)
	}
	for _, name := range names {
		for _, format := range figures.Formats {
			err := os.Remove(filepath.Join(dir, name+"."+format))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing outdated figure: %w", err)
			}
		}
	}
	return nil
}

// writeFigures encodes each figure in each format into dir and returns the
// PNG bytes by figure name for embedding.
func writeFigures(dir string, figs []*figures.Figure, formats []string) (map[string][]byte, error) {
	for _, f := range formats {
		if f != "png" && f != "svg" {
			return nil, fmt.Errorf("unknown figure format %q (want png or svg)", f)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating figure directory: %w", err)
	}
	out, err := figures.EncodeAll(figs, formats)
	if err != nil {
		return nil, err
	}
	pngs := map[string][]byte{}
	for i, f := range figs {
		for j, format := range formats {
			if err := atomicfile.Write(filepath.Join(dir, f.Name+"."+format), out[i][j]); err != nil {
				return nil, err
			}
			if format == "png" {
				pngs[f.Name] = out[i][j]
			}
		}
	}
	return pngs, nil
}

func writeDocument(dir, stem string, d *report.Document, pngs map[string][]byte) error {
	md := d.Markdown(func(f *figures.Figure) string { return FiguresDir + "/" + f.Name + ".png" })
	html, err := d.HTML(func(f *figures.Figure) ([]byte, error) {
		if b, ok := pngs[f.Name]; ok {
			return b, nil
		}
		var buf bytes.Buffer
		err := f.Encode(&buf, "png")
		return buf.Bytes(), err
	})
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, stem+".md"), md); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, stem+".html"), html)
}
