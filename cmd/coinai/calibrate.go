package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis"
	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/scenarios/calibrate"
)

// `coinai calibrate`: runs the published cases of package
// scenarios/calibrate, prints published against measured with the
// tolerance and the trials that make it fair, and exits 1 when a case is
// outside its tolerance. With --out it writes calibration.json (a contract,
// DESIGN.md "Calibration") and a figure per group of cases.

// kindCalibrate is the manifest kind of a calibration directory.
const kindCalibrate = "calibrate"

// calibrationJSON is calibration.json.
type calibrationJSON struct {
	Cases    []calibrationCase `json:"cases"`
	Pass     bool              `json:"pass"`
	Revision string            `json:"revision"`
	Quick    bool              `json:"quick"`
	Seed     uint64            `json:"seed"`
	Pattern  []string          `json:"case_patterns"`
}

// calibrationCase is one case of calibration.json. Floats that are not
// finite (a standard error that could not be estimated) are null.
type calibrationCase struct {
	Name          string   `json:"name"`
	Group         string   `json:"group"`
	Source        string   `json:"source"`
	Published     *float64 `json:"published"`
	Measured      *float64 `json:"measured"`
	StdErr        *float64 `json:"stderr"`
	Tolerance     *float64 `json:"tolerance"`
	Relative      bool     `json:"relative"`
	Trials        int      `json:"trials"`
	FairTrials    int      `json:"fair_trials"`
	Unit          string   `json:"unit"`
	Pass          bool     `json:"pass"`
	Informational bool     `json:"informational"`
	Note          string   `json:"note"`
	WallS         float64  `json:"wall_s"`
	X             *float64 `json:"x"`
	XLabel        string   `json:"xlabel"`
	Series        string   `json:"series"`
}

func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// patternsFlag is a repeatable --case.
type patternsFlag []string

func (p *patternsFlag) String() string { return strings.Join(*p, ",") }
func (p *patternsFlag) Set(v string) error {
	if v == "" {
		return errors.New("empty pattern")
	}
	if _, err := path.Match(v, ""); err != nil {
		return fmt.Errorf("%q: %w", v, err)
	}
	*p = append(*p, v)
	return nil
}

// matchCase reports whether a case name matches a --case pattern: a name
// prefix ("double-spend" or "double-spend/") or a glob of the whole name
// ("stale-rate/*/bs=8MB"), in which * does not cross a "/".
func matchCase(name, pattern string) bool {
	if strings.HasPrefix(name, pattern) {
		return true
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

// selectCases is the cases to run: every case (or the quick ones) that
// matches one of the patterns (any when none), in name order.
func selectCases(quick bool, patterns []string) []calibrate.Case {
	all := calibrate.All()
	if quick {
		all = calibrate.Quick()
	}
	if len(patterns) == 0 {
		return all
	}
	var out []calibrate.Case
	for _, c := range all {
		for _, p := range patterns {
			if matchCase(c.Name, p) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func cmdCalibrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coinai calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "run only the quick cases (the subset CI runs)")
	out := fs.String("out", "", "write calibration.json and the figures into this directory (new, empty, or with --force an earlier calibrate output)")
	force := fs.Bool("force", false, "replace an earlier calibrate output at --out")
	seed := fs.Uint64("seed", 1, "first seed of every case's trials")
	jobs := fs.Int("jobs", 0, "simulator runs at once within a case (default GOMAXPROCS); results do not depend on it")
	list := fs.Bool("list", false, "list the selected cases and exit")
	var patterns patternsFlag
	fs.Var(&patterns, "case", "run the cases whose name starts with PATTERN or matches it as a glob (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coinai calibrate [--quick] [--case PATTERN]... [--seed N] [--jobs J] [--out DIR] [--force] [--list]")
		fs.PrintDefaults()
	}
	flags, pos := interleaved(args, map[string]bool{"quick": true, "force": true, "list": true, "h": true, "help": true})
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "coinai calibrate: unexpected argument %q\n", pos[0])
		fs.Usage()
		return 2
	}
	if *jobs < 0 {
		fmt.Fprintf(stderr, "coinai calibrate: --jobs %d: want a positive number of runs at once\n", *jobs)
		return 2
	}
	if *jobs == 0 {
		*jobs = runtime.GOMAXPROCS(0)
	}
	cases := selectCases(*quick, patterns)
	if len(cases) == 0 {
		fmt.Fprintf(stderr, "coinai calibrate: no case matches %s\n", patterns.String())
		return 2
	}
	if *list {
		for _, c := range cases {
			q := ""
			if c.Quick {
				q = " (quick)"
			}
			fmt.Fprintf(stdout, "%s%s\n", c.Name, q)
		}
		return 0
	}
	var od *outDir
	if *out != "" {
		var err error
		if od, err = prepareOut(*out, kindCalibrate, "--out", *force); err != nil {
			fmt.Fprintf(stderr, "coinai calibrate: %v\n", err)
			return exitCode(err)
		}
	}
	intr := catchSignals(func(os.Signal) {
		if od != nil {
			od.abandon()
		}
	})
	defer intr.stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // a caught signal cancels the case running
		for ctx.Err() == nil {
			if intr.caught() != nil {
				cancel()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()

	curves := map[string]calibrate.Case{} // case name -> case, for the figures' published curves
	doc := calibrationJSON{Pass: true, Revision: revision(), Quick: *quick, Seed: *seed, Pattern: patterns}
	if doc.Pattern == nil {
		doc.Pattern = []string{}
	}
	opt := calibrate.Options{Seed: *seed, Jobs: *jobs}
	for _, c := range cases {
		curves[c.Name] = c
		began := time.Now()
		res, err := c.Run(ctx, opt)
		if intr.caught() != nil {
			fmt.Fprintf(stderr, "coinai calibrate: interrupted by %s during %s; nothing was written\n", signalName(intr.caught()), c.Name)
			return intr.exitCode()
		}
		if err != nil {
			fmt.Fprintf(stderr, "coinai calibrate: case %s: %v\n", c.Name, err)
			return 1
		}
		pass := res.Within()
		if !pass && !res.Informational {
			doc.Pass = false
		}
		doc.Cases = append(doc.Cases, calibrationCase{
			Name: c.Name, Group: c.Group, Source: c.Source,
			Published: finitePtr(res.Published), Measured: finitePtr(res.Measured), StdErr: finitePtr(res.StdErr),
			Tolerance: finitePtr(res.Tolerance), Relative: res.Relative,
			Trials: res.Trials, FairTrials: res.FairTrials, Unit: res.Unit,
			Pass: pass, Informational: res.Informational, Note: res.Note,
			WallS: math.Round(time.Since(began).Seconds()*1000) / 1000,
			X:     finitePtr(res.X), XLabel: res.XLabel, Series: res.Series,
		})
	}
	printCalibration(stdout, &doc)
	if od != nil {
		if err := writeCalibration(od, &doc, curves); err != nil {
			fmt.Fprintf(stderr, "coinai calibrate: %v\n", err)
			return exitCode(err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	if !doc.Pass {
		return 1
	}
	return 0
}

// fmtVal prints a published or measured value compactly.
func fmtVal(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 5, 64)
}

// verdict is the table's last column: pass, FAIL, or for an informational
// case (which cannot fail the calibration) "info: within" or "info:
// outside"; "few trials" when the case ran fewer trials than its tolerance
// needs, so that its verdict rests partly on luck.
func verdict(c *calibrationCase) string {
	v := "pass"
	switch {
	case c.Informational && c.Pass:
		v = "info: within"
	case c.Informational:
		v = "info: outside"
	case !c.Pass:
		v = "FAIL"
	}
	if c.Trials < c.FairTrials {
		v += " (few trials)"
	}
	return v
}

// printCalibration prints the table (deterministic: no wall times), the
// notes, and the overall verdict.
func printCalibration(w io.Writer, doc *calibrationJSON) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tpublished\tmeasured\ttolerance\ttrials\tfair trials\tverdict")
	for i := range doc.Cases {
		c := &doc.Cases[i]
		meas := fmtVal(c.Measured)
		if c.StdErr != nil && *c.StdErr > 0 {
			meas += " ± " + strconv.FormatFloat(*c.StdErr, 'g', 2, 64)
		}
		tol := fmtVal(c.Tolerance)
		if c.Tolerance != nil && c.Relative {
			tol = strconv.FormatFloat(100**c.Tolerance, 'g', 3, 64) + "%"
		} else if c.Tolerance != nil {
			tol = "±" + tol
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", c.Name, fmtVal(c.Published), meas, tol, c.Trials, c.FairTrials, verdict(c))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nmeasured ± one standard error; trials are independent races, runs or blocks; fair trials is how many put two standard errors inside the tolerance")
	for _, c := range doc.Cases {
		if c.Note != "" {
			fmt.Fprintf(w, "  %s: %s\n", c.Name, c.Note)
		}
	}
	failed := 0
	for _, c := range doc.Cases {
		if !c.Pass && !c.Informational {
			failed++
		}
	}
	if doc.Pass {
		fmt.Fprintf(w, "calibration: pass (%d cases)\n", len(doc.Cases))
	} else {
		fmt.Fprintf(w, "calibration: FAIL (%d of %d cases outside their tolerance)\n", failed, len(doc.Cases))
	}
}

// writeCalibration writes calibration.json and the group figures into a
// hidden sibling of the output and renames it into place.
func writeCalibration(od *outDir, doc *calibrationJSON, cases map[string]calibrate.Case) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{"calibration.json": append(b, '\n')}
	figs, err := calibrationFigures(doc, cases)
	if err != nil {
		return err
	}
	enc, err := figures.EncodeAll(figs, figures.Formats)
	if err != nil {
		return err
	}
	for i, f := range figs {
		for j, format := range figures.Formats {
			files[analysis.FiguresDir+"/"+f.Name+"."+format] = enc[i][j]
		}
	}
	if err := od.create(); err != nil {
		return err
	}
	defer od.abandon()
	if err := od.writeFiles(files); err != nil {
		return err
	}
	return od.commit()
}

// calibrationFigures draws one figure per group whose cases have an XLabel:
// the published law of the cases with a Curve (one line per CurveName,
// over the x range of its cases), else the published value of each series
// as a line through its points, and the measured points with bars of ±2
// standard errors. A group whose values span more than two decades is
// drawn on a log scale.
func calibrationFigures(doc *calibrationJSON, cases map[string]calibrate.Case) ([]*figures.Figure, error) {
	var groups []string
	for _, c := range doc.Cases {
		if c.XLabel != "" && c.X != nil && c.Published != nil && c.Measured != nil && !slices.Contains(groups, c.Group) {
			groups = append(groups, c.Group)
		}
	}
	slices.Sort(groups)
	var figs []*figures.Figure
	for _, g := range groups {
		f, err := groupFigure(g, doc, cases)
		if err != nil {
			return nil, fmt.Errorf("figure of %s: %w", g, err)
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// curveSamples is how many points draw a published curve.
const curveSamples = 200

func groupFigure(group string, doc *calibrationJSON, cases map[string]calibrate.Case) (*figures.Figure, error) {
	var cs []calibrationCase
	var series []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range doc.Cases {
		if c.Group != group || c.XLabel == "" || c.X == nil || c.Published == nil || c.Measured == nil {
			continue
		}
		cs = append(cs, c)
		if !slices.Contains(series, c.Series) {
			series = append(series, c.Series)
		}
		lo, hi = min(lo, *c.Published, *c.Measured), max(hi, *c.Published, *c.Measured)
	}
	slices.Sort(series)
	logY := lo > 0 && hi/lo > 100
	unit := cs[0].Unit
	p := figures.NewPlot(group+": published against measured",
		fmt.Sprintf("coinai calibrate, seed %d · line: published · points: measured ± 2 standard errors", doc.Seed),
		cs[0].XLabel, unit)
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	// The published laws, one line each over the x range of its cases.
	var curveNames []string
	curveLo, curveHi := map[string]float64{}, map[string]float64{}
	curveOf := map[string]func(float64) float64{}
	for _, c := range cs {
		k, ok := cases[c.Name]
		if !ok || k.Curve == nil {
			continue
		}
		if _, seen := curveOf[k.CurveName]; !seen {
			curveNames = append(curveNames, k.CurveName)
			curveOf[k.CurveName], curveLo[k.CurveName], curveHi[k.CurveName] = k.Curve, *c.X, *c.X
		}
		curveLo[k.CurveName], curveHi[k.CurveName] = min(curveLo[k.CurveName], *c.X), max(curveHi[k.CurveName], *c.X)
	}
	for i, name := range curveNames {
		lo, hi := curveLo[name], curveHi[name]
		var xy plotter.XYs
		for j := range curveSamples {
			x := lo + (hi-lo)*float64(j)/float64(curveSamples-1)
			if y := curveOf[name](x); !math.IsNaN(y) && !math.IsInf(y, 0) && (!logY || y > 0) {
				xy = append(xy, plotter.XY{X: x, Y: y})
			}
		}
		if len(xy) < 2 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x30}, Width: vg.Points(1.2), Dashes: curveDashes[i%len(curveDashes)]}
		p.Add(l)
		p.Legend.Add("published: "+name, l)
	}
	for n, s := range series {
		var pub, meas plotter.XYs
		var errs plotter.YErrors
		for _, c := range cs {
			if c.Series != s {
				continue
			}
			pub = append(pub, plotter.XY{X: *c.X, Y: *c.Published})
			meas = append(meas, plotter.XY{X: *c.X, Y: *c.Measured})
			se := 0.0
			if c.StdErr != nil {
				se = 2 * *c.StdErr
			}
			low := se
			if logY && *c.Measured-low <= 0 {
				low = *c.Measured * 0.999 // a log axis cannot show zero
			}
			errs = append(errs, struct{ Low, High float64 }{low, se})
		}
		order := func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) }
		slices.SortStableFunc(pub, order)
		var thumbs []plot.Thumbnailer
		if hasCurve(cs, s, cases) {
			// drawn above
		} else if len(pub) > 1 {
			l, err := plotter.NewLine(pub)
			if err != nil {
				return nil, err
			}
			l.LineStyle = figures.LineStyle(n)
			p.Add(l)
			thumbs = append(thumbs, l)
		} else {
			sc, err := plotter.NewScatter(pub)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: figures.GlyphStyle(n).Color, Radius: vg.Points(5), Shape: draw.CrossGlyph{}}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		sc, err := plotter.NewScatter(meas)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = figures.GlyphStyle(n)
		p.Add(sc)
		thumbs = append(thumbs, sc)
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{meas, errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle = draw.LineStyle{Color: figures.GlyphStyle(n).Color, Width: vg.Points(1)}
		eb.CapWidth = vg.Points(6)
		p.Add(eb)
		label := s
		if label == "" {
			label = group
		}
		p.Legend.Add(label, thumbs...)
	}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, c := range cs {
		xlo, xhi = min(xlo, *c.X), max(xhi, *c.X)
	}
	pad := 0.05 * (xhi - xlo)
	if pad == 0 {
		pad = math.Max(0.5, 0.1*math.Abs(xlo))
	}
	p.X.Min, p.X.Max = xlo-pad, xhi+pad
	figures.LegendAt(p, true, true, 0)
	name := "calibration-" + strings.ReplaceAll(group, "/", "-")
	return figures.New(name, group+": published against measured",
		"The published law (grey lines), or each series' published values (a coloured line, or crosses for isolated points), and the simulator's measurements with bars of ±2 standard errors.", p), nil
}

// curveDashes tell the published curves of a group apart (solid, dashed,
// dotted), in grey so that they do not read as a measured series.
var curveDashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}

// hasCurve reports whether the cases of series s are drawn by a published
// curve.
func hasCurve(cs []calibrationCase, s string, cases map[string]calibrate.Case) bool {
	for _, c := range cs {
		if c.Series == s {
			if k, ok := cases[c.Name]; ok && k.Curve != nil {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
