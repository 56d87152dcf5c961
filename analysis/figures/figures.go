// Package figures draws the figures a researcher looks at after a run:
// energy, block time, rewards, propagation and storage. It reads loaded run
// outputs (analysis/rundata) and returns Figures that encode to PNG or SVG
// with gonum/plot.
//
// The same functions draw one run or several overlaid (ForRuns), so a
// comparison looks exactly like a report. Colours follow the Okabe–Ito
// palette, which stays distinguishable under the common colour-vision
// deficiencies; lines of different series also differ in dash pattern when
// there are more series than colours. Each figure's title carries a caption
// line naming scenario and seed, so a PNG lifted out of a report still says
// where it came from. Figures that a run lacks data for are skipped with a
// Note saying why, instead of being drawn empty.
package figures

import (
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/coinai/coinai/analysis/rundata"
)

// Figure is one drawable figure of one or more vertically stacked panels.
type Figure struct {
	Name    string // file stem, e.g. "block_intervals"
	Title   string // short human title
	Caption string // what is drawn and how to read it, for reports
	Width   vg.Length
	Height  vg.Length
	panels  []*plot.Plot
}

// Note records a figure that was not drawn and why.
type Note struct {
	Figure string
	Reason string
}

func (n Note) String() string { return n.Figure + ": " + n.Reason }

// DPI is the resolution of PNG output: 7×4.5 in figures come out at
// 1050×675 pixels, legible on screen and in print.
const DPI = 150

// Formats lists the encodings Encode accepts.
var Formats = []string{"png", "svg"}

// Encode draws f in format ("png" or "svg") to w.
func (f *Figure) Encode(w io.Writer, format string) error {
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		c = fastPNG{vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DPI))}
	case "svg":
		c = vgsvg.New(f.Width, f.Height)
	default:
		return fmt.Errorf("figure %s: unknown format %q (want png or svg)", f.Name, format)
	}
	dc := draw.New(c)
	if len(f.panels) == 1 {
		f.panels[0].Draw(dc)
	} else {
		grid := make([][]*plot.Plot, len(f.panels))
		for i, p := range f.panels {
			grid[i] = []*plot.Plot{p}
		}
		t := draw.Tiles{Rows: len(f.panels), Cols: 1, PadY: vg.Points(6)}
		canvases := plot.Align(grid, t, dc)
		for i, p := range f.panels {
			p.Draw(canvases[i][0])
		}
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("encoding figure %s as %s: %w", f.Name, format, err)
	}
	return nil
}

// fastPNG encodes with the fastest zlib level: PNG compression dominated
// report time at the default level, for files only ~25% smaller.
type fastPNG struct{ *vgimg.Canvas }

func (c fastPNG) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(cw, c.Image())
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ForRun draws every figure that run has data for.
func ForRun(run *rundata.Run) ([]*Figure, []Note) {
	return ForRuns([]*rundata.Run{run})
}

// ForRuns draws every figure the runs have data for, with the runs
// overlaid (one colour per run, legend by Run.Label) when there are several.
// Figures that only make sense for one run (per-hardware breakdowns, the
// interval histogram) are replaced by their overlay counterparts.
func ForRuns(runs []*rundata.Run) ([]*Figure, []Note) {
	var figs []*Figure
	var notes []Note
	for _, mk := range []func([]*rundata.Run) (*Figure, *Note){
		ChainOverHeight, AttemptOutcomes,
		BlockIntervals, IntervalQQ,
		EnergyCumulative, EnergyPerBlock,
		RewardLorenz, RewardByHardware, RewardVsCompute, RewardShareVsComputeShare,
		Propagation,
		StorageAvailability, StorageProofs, StorageRewards,
		RewardComputeByHardware, EnergyPerBlockByRun,
		ProblemWait, ProblemFees, TxConfirm,
	} {
		f, n := mk(runs)
		if f != nil {
			figs = append(figs, f)
		}
		if n != nil {
			notes = append(notes, *n)
		}
	}
	return figs, notes
}

// Palette is the Okabe–Ito colour-blind-safe palette, reordered so that the
// first colours have good contrast on white (yellow last).
var Palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xFF}, // black
	color.RGBA{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

var dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}}

func colorOf(i int) color.Color { return Palette[i%len(Palette)] }

// lineStyle for series i: colour cycles first, dash pattern after a cycle.
func lineStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: colorOf(i), Width: vg.Points(1.6), Dashes: dashes[(i/len(Palette))%len(dashes)]}
}

var grey = color.Gray{Y: 0x70}

// subtitle names what the figure shows data of: one run's protocol,
// scenario and seed, or the number of runs compared.
func subtitle(runs []*rundata.Run) string {
	if len(runs) == 1 {
		r := runs[0]
		s := r.Summary
		var parts []string
		if s.Protocol != "" {
			parts = append(parts, s.Protocol)
		}
		if s.Scenario != "" {
			parts = append(parts, "scenario "+s.Scenario)
		} else {
			parts = append(parts, "run "+r.Label())
		}
		if s.Has("seed") {
			parts = append(parts, fmt.Sprintf("seed %d", s.Seed))
		}
		return strings.Join(parts, " · ")
	}
	return fmt.Sprintf("comparison of %d runs", len(runs))
}

// newPlot returns a plot with the house style: two-line title (what, then
// which run), grid, labelled axes.
func newPlot(title string, runs []*rundata.Run, xlabel, ylabel string) *plot.Plot {
	return NewPlot(title, subtitle(runs), xlabel, ylabel)
}

// NewPlot returns a plot in the house style: two-line title (what, then
// where the data come from), grid, labelled axes with round tick values.
// It is exported so that figures drawn outside this package (a sweep's
// merge) look like a run's.
func NewPlot(title, subtitle, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title + "\n" + subtitle
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(12)
		a.Tick.Label.Font.Size = vg.Points(10.5)
		a.Label.Padding = vg.Points(4)
		a.Tick.Marker = niceTicks{}
	}
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Padding = vg.Points(2)
	p.Legend.ThumbnailWidth = vg.Points(22)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = color.Gray{Y: 0xE0}, color.Gray{Y: 0xE0}
	p.Add(g)
	return p
}

// legendAt places the legend in a corner, inset from the axes, and grows
// the y range by headroom (a fraction of the span) so that, for curves that
// leave that corner empty, the legend covers no data.
func legendAt(p *plot.Plot, top, left bool, headroom float64) {
	p.Legend.Top, p.Legend.Left = top, left
	p.Legend.XOffs = vg.Points(-6)
	if left {
		p.Legend.XOffs = vg.Points(6)
	}
	p.Legend.YOffs = vg.Points(-4)
	if !top {
		p.Legend.YOffs = vg.Points(4)
	}
	if headroom > 0 {
		span := p.Y.Max - p.Y.Min
		if top {
			p.Y.Max += headroom * span
		} else {
			p.Y.Min -= headroom * span
		}
	}
}

func figure(name, title, caption string, panels ...*plot.Plot) *Figure {
	h := vg.Inch * 4.5
	if len(panels) > 1 {
		h = vg.Inch * (1.2 + 2.6*vg.Length(len(panels)))
	}
	return &Figure{Name: name, Title: title, Caption: caption, Width: vg.Inch * 7, Height: h, panels: panels}
}

// unit is a display unit: value shown = raw / Scale.
type unit struct {
	Scale float64
	Name  string
}

// timeUnit picks seconds, minutes, hours or days for a span in seconds.
func timeUnit(maxS float64) unit {
	switch {
	case maxS >= 3*86400:
		return unit{86400, "d"}
	case maxS >= 3*3600:
		return unit{3600, "h"}
	case maxS >= 300:
		return unit{60, "min"}
	}
	return unit{1, "s"}
}

// energyUnit picks J, kJ, MJ, GJ, TJ or PJ so that maxJ shows as 1..1000.
func energyUnit(maxJ float64) unit {
	names := []string{"J", "kJ", "MJ", "GJ", "TJ", "PJ"}
	u := unit{1, "J"}
	for i := 1; i < len(names) && maxJ >= 1000*u.Scale; i++ {
		u = unit{u.Scale * 1000, names[i]}
	}
	return u
}

func line(xys plotter.XYs, style draw.LineStyle) *plotter.Line {
	l, err := plotter.NewLine(xys)
	if err != nil { // only for NaN/Inf, which callers filter
		panic(fmt.Sprintf("figures: %v", err))
	}
	l.LineStyle = style
	return l
}

func scatter(xys plotter.XYs, c color.Color, radius vg.Length, shape draw.GlyphDrawer) *plotter.Scatter {
	s, err := plotter.NewScatter(xys)
	if err != nil {
		panic(fmt.Sprintf("figures: %v", err))
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: radius, Shape: shape}
	return s
}

// fmtG formats a float compactly for legends and captions.
func fmtG(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.3g", v)
}

// fmtDuration writes seconds in the unit that reads best: "60 s",
// "10 min", "1.5 h".
func fmtDuration(sec float64) string {
	switch {
	case math.IsNaN(sec):
		return "n/a"
	case sec >= 2*86400:
		return fmtG(sec/86400) + " d"
	case sec >= 2*3600:
		return fmtG(sec/3600) + " h"
	case sec >= 120:
		return fmtG(sec/60) + " min"
	case sec >= 1 || sec == 0:
		return fmtG(sec) + " s"
	}
	return fmtG(sec*1000) + " ms"
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func finiteXY(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, 0, len(xs))
	for i := range xs {
		if isFinite(xs[i]) && isFinite(ys[i]) {
			out = append(out, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	return out
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// labelFor is a legend entry for run i: its label, or the series name
// alone when there is only one run.
func labelFor(runs []*rundata.Run, i int, series string) string {
	if len(runs) == 1 {
		return series
	}
	if series == "" {
		return runs[i].Label()
	}
	return runs[i].Label() + " " + series
}

// plotColor is an opaque RGB colour.
type plotColor struct{ R, G, B uint8 }

func (c plotColor) RGBA() (r, g, b, a uint32) {
	return uint32(c.R) * 0x101, uint32(c.G) * 0x101, uint32(c.B) * 0x101, 0xFFFF
}

// niceTicks labels about six round values (steps of 1, 2, 2.5 or 5 times a
// power of ten) with minor ticks between them; gonum's default ticker
// labels as few as two values on some ranges.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !isFinite(lo) || !isFinite(hi) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	exp := math.Floor(math.Log10(step) + 1e-9)
	dec := -int(exp)
	if math.Abs(step/math.Pow(10, exp)-2.5) < 1e-9 {
		dec++ // 2.5, 0.25: one more digit
	}
	dec = max(dec, 0)
	var ts []plot.Tick
	minor := step / 2
	start := math.Ceil(lo/minor-1e-9) * minor
	for k := 0; ; k++ {
		v := start + float64(k)*minor
		if v > hi+1e-9*(hi-lo) {
			break
		}
		if math.Abs(v) < 1e-12*step {
			v = 0
		}
		t := plot.Tick{Value: v}
		if r := math.Remainder(v, step); math.Abs(r) < 1e-6*step {
			t.Label = strconv.FormatFloat(v, 'f', dec, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// scaled maps y to y/s, for display units.
func scaled(s float64) func(float64) (float64, bool) {
	return func(v float64) (float64, bool) { return v / s, true }
}

// log10Of maps y to log10(y) for a logarithmic axis drawn with log10Ticks;
// non-positive values have no place on it and are dropped.
func log10Of(v float64) (float64, bool) {
	if !(v > 0) {
		return 0, false
	}
	return math.Log10(v), true
}

// mapY applies f to the y values of xy, dropping points f rejects.
func mapY(xy plotter.XYs, f func(float64) (float64, bool)) plotter.XYs {
	out := make(plotter.XYs, 0, len(xy))
	for _, q := range xy {
		if y, ok := f(q.Y); ok {
			out = append(out, plotter.XY{X: q.X, Y: y})
		}
	}
	return out
}

// log10Ticks labels an axis whose data are log10 of the values: major ticks
// at powers of ten labelled with the value (1, 10, 100, 1e+06), minor ticks
// at 2..9 times them, and 2 and 5 labelled too when the range spans less
// than two decades. Plotting log10 on a linear axis, rather than gonum's
// LogScale, keeps stacked panels aligned: gonum sizes the y label of a log
// axis as if it were centred on the arithmetic mean of the range.
type log10Ticks struct{}

func (log10Ticks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !isFinite(lo) || !isFinite(hi) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	few := hi-lo < 2
	var ts []plot.Tick
	for k := math.Floor(lo); k <= math.Ceil(hi); k++ {
		for m := 1.0; m <= 9; m++ {
			v := k + math.Log10(m)
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (few && (m == 2 || m == 5)) {
				t.Label = fmtPow(m, k)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// fmtPow writes m·10^k plainly between 0.001 and 100000, else as 1e+06.
func fmtPow(m, k float64) string {
	switch {
	case k >= 0 && k <= 5:
		return strconv.FormatFloat(m*math.Pow(10, k), 'f', -1, 64)
	case k < 0 && k >= -3:
		return strconv.FormatFloat(m/math.Pow(10, -k), 'f', -1, 64) // 3/10, not 3*0.1
	}
	return fmt.Sprintf("%ge%+03d", m, int(k))
}
