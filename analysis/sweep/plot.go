package sweep

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/report"
	"github.com/coinai/coinai/scenarios"
)

// Level is the confidence level of the intervals the figures and tables
// show: ensemble.json's.
const Level = 0.95

// metricClass says how a metric is shown.
type metricClass int

const (
	varying  metricClass = iota // a table and a figure per parameter
	constant                    // one line: the same mean at every point with a value
	empty                       // no point has a value: listed only
)

// metricInfo is a metric of the merge and how it is shown.
type metricInfo struct {
	name  string
	class metricClass
	value float64 // the mean of a constant metric
	// lacking are the ids of points present without a value.
	lacking []string
}

// metric is the point's entry for name, or nil.
func (p *Point) metric(name string) *Metric {
	for i := range p.Metrics {
		if p.Metrics[i].Metric == name {
			return &p.Metrics[i]
		}
	}
	return nil
}

// meanOf is the point's mean of the metric, and whether it has one.
func (p *Point) meanOf(name string) (float64, bool) {
	mt := p.metric(name)
	if mt == nil || mt.Mean == nil || !finite(*mt.Mean) {
		return 0, false
	}
	return *mt.Mean, true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// metrics lists the metrics of the points, in the order they first appear
// (ensemble.json order), classified.
func (m *Merge) metrics() []metricInfo {
	var names []string
	seen := map[string]bool{}
	for _, p := range m.Points {
		for _, mt := range p.Metrics {
			if !seen[mt.Metric] {
				seen[mt.Metric] = true
				names = append(names, mt.Metric)
			}
		}
	}
	out := make([]metricInfo, 0, len(names))
	for _, name := range names {
		mi := metricInfo{name: name, class: empty}
		var vals []float64
		for _, p := range m.Points {
			if v, ok := p.meanOf(name); ok {
				vals = append(vals, v)
			} else {
				mi.lacking = append(mi.lacking, p.ID)
			}
		}
		if len(vals) > 0 {
			mi.class, mi.value = constant, vals[0]
			for _, v := range vals[1:] {
				if v != vals[0] {
					mi.class = varying
					break
				}
			}
		}
		out = append(out, mi)
	}
	return out
}

// FigureName is the file stem of the figure of metric against the
// parameter key: "<metric>--<key>", with characters that have no place in
// a file name replaced by '_'.
func FigureName(metric, key string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return '_'
		}, s)
	}
	return clean(metric) + "--" + clean(key)
}

// Figures draws every metric that varies between the points against every
// swept parameter, in metric then parameter order. Metrics without a value,
// or with the same value at every point, get no figure (the index says
// which they are).
func (m *Merge) Figures() ([]*figures.Figure, error) {
	byIndex := make(map[int]*Point, len(m.Points))
	for _, p := range m.Points {
		byIndex[p.Index] = p
	}
	axes := make([]axis, len(m.Def.Params))
	for i, p := range m.Def.Params {
		axes[i] = axisOf(p.Values)
	}
	var out []*figures.Figure
	for _, mi := range m.metrics() {
		if mi.class != varying {
			continue
		}
		for i := range m.Def.Params {
			f, err := m.figure(mi, i, axes[i], byIndex)
			if err != nil {
				return nil, fmt.Errorf("drawing %s against %s: %w", mi.name, m.Def.Params[i].Key, err)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// axis is how a parameter's values are placed on the x axis: at their
// numeric value (a number, or a quantity such as "10s" or "8MB" in its
// base unit, on a logarithmic axis when the values span a factor of 20 or
// more), else as categories in the declared order. Either way the ticks are
// labelled with the values as typed.
type axis struct {
	pos         []float64 // position of each value on the drawn axis (log10 of it on a log axis)
	kind        string    // "number", "duration", ... or "" for categories
	log         bool
	span        float64 // largest / smallest value, on a log axis
	categorical bool
}

// quantities are the parsers tried on a parameter's values, each giving
// the value in its base unit; the first that parses every value wins.
var quantities = []struct {
	kind  string
	parse func(string) (float64, error)
}{
	{"number", func(s string) (float64, error) { return strconv.ParseFloat(strings.TrimSpace(s), 64) }},
	{"duration", func(s string) (float64, error) {
		var d scenarios.Duration
		err := d.UnmarshalText([]byte(s))
		return d.Seconds(), err
	}},
	{"size", func(s string) (float64, error) {
		var v scenarios.Size
		err := v.UnmarshalText([]byte(s))
		return float64(v), err
	}},
	{"bit rate", func(s string) (float64, error) {
		var v scenarios.BitRate
		err := v.UnmarshalText([]byte(s))
		return float64(v), err
	}},
	{"compute rate", func(s string) (float64, error) {
		var v scenarios.FLOPRate
		err := v.UnmarshalText([]byte(s))
		return float64(v), err
	}},
	{"hash rate", func(s string) (float64, error) {
		var v scenarios.HashRate
		err := v.UnmarshalText([]byte(s))
		return float64(v), err
	}},
	{"power", func(s string) (float64, error) {
		var v scenarios.Power
		err := v.UnmarshalText([]byte(s))
		return float64(v), err
	}},
}

// logSpan is the ratio of the largest to the smallest positive value from
// which a numeric axis is logarithmic: sweeps such as 10s..600s or
// 100KB..8MB are usually spaced geometrically, and would crowd the small
// values on a linear axis.
const logSpan = 20

func axisOf(values []string) axis {
	for _, q := range quantities {
		xs := make([]float64, 0, len(values))
		for _, v := range values {
			x, err := q.parse(v)
			if err != nil || !finite(x) {
				break
			}
			xs = append(xs, x)
		}
		if len(xs) < len(values) {
			continue
		}
		a := axis{pos: xs, kind: q.kind}
		lo, hi := slices.Min(xs), slices.Max(xs)
		if lo > 0 && hi/lo >= logSpan {
			a.log, a.span = true, hi/lo
			for i, x := range xs {
				a.pos[i] = math.Log10(x)
			}
		}
		return a
	}
	a := axis{categorical: true, pos: make([]float64, len(values))}
	for i := range values {
		a.pos[i] = float64(i)
	}
	return a
}

// ticks labels the declared values as typed; of many values, every k-th,
// so that labels do not run into each other.
func (a axis) ticks(values []string) plot.ConstantTicks {
	step := (len(values) + 11) / 12
	ts := make(plot.ConstantTicks, len(values))
	for i, v := range values {
		ts[i] = plot.Tick{Value: a.pos[i]}
		if i%step == 0 {
			ts[i].Label = v
		}
	}
	return ts
}

// errPoints are a series' means with their t intervals, for YErrorBars.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

// lineRow is the height of a legend row, for making room for the legend.
const lineRow = 13 // points

// figure draws metric mi against parameter i: one series per combination
// of the other parameters' values.
func (m *Merge) figure(mi metricInfo, i int, ax axis, byIndex map[int]*Point) (*figures.Figure, error) {
	d := &m.Def
	param := d.Params[i]
	var others []int
	combos := 1
	for j := range d.Params {
		if j != i {
			others = append(others, j)
			combos *= len(d.Params[j].Values)
		}
	}
	type series struct {
		label string
		xy    plotter.XYs
		errs  errPoints
	}
	var all []series
	idx := make([]int, len(d.Params))
	for c := range combos {
		// The other parameters' value indices, the last varying fastest.
		r := c
		var label []string
		for o := len(others) - 1; o >= 0; o-- {
			j := others[o]
			idx[j] = r % len(d.Params[j].Values)
			r /= len(d.Params[j].Values)
		}
		for _, j := range others {
			label = append(label, d.Params[j].Key+"="+d.Params[j].Values[idx[j]])
		}
		s := series{label: strings.Join(label, ", ")}
		for v := range param.Values {
			idx[i] = v
			k := 0
			for j := range d.Params {
				k = k*len(d.Params[j].Values) + idx[j]
			}
			p, ok := byIndex[k]
			if !ok {
				continue
			}
			y, ok := p.meanOf(mi.name)
			if !ok {
				continue
			}
			x := ax.pos[v]
			s.xy = append(s.xy, plotter.XY{X: x, Y: y})
			if mt := p.metric(mi.name); mt.TLo != nil && mt.THi != nil && finite(*mt.TLo) && finite(*mt.THi) {
				s.errs.XYs = append(s.errs.XYs, plotter.XY{X: x, Y: y})
				s.errs.YErrors = append(s.errs.YErrors, struct{ Low, High float64 }{y - *mt.TLo, *mt.THi - y})
			}
		}
		if len(s.xy) > 0 {
			all = append(all, s)
		}
	}
	// Categories: series side by side around each value, so that their
	// error bars do not hide each other.
	if ax.categorical && len(all) > 1 {
		step := math.Min(0.1, 0.5/float64(len(all)))
		for n := range all {
			off := (float64(n) - float64(len(all)-1)/2) * step
			for q := range all[n].xy {
				all[n].xy[q].X += off
			}
			for q := range all[n].errs.XYs {
				all[n].errs.XYs[q].X += off
			}
		}
	}

	// Large or small values in units of a power of 1000, named on the
	// axis, rather than tick labels of nine digits.
	ylabel := mi.name
	var big float64
	for _, s := range all {
		for q, xy := range s.errs.XYs {
			big = math.Max(big, math.Abs(xy.Y)+s.errs.YErrors[q].High)
		}
		for _, xy := range s.xy {
			big = math.Max(big, math.Abs(xy.Y))
		}
	}
	if exp := 3 * math.Floor(math.Log10(big)/3); big > 0 && (exp >= 6 || exp <= -6) {
		f := math.Pow(10, exp)
		ylabel = fmt.Sprintf("%s (× 1e%+03d)", mi.name, int(exp))
		for _, s := range all {
			for q := range s.xy {
				s.xy[q].Y /= f
			}
			for q := range s.errs.XYs {
				s.errs.XYs[q].Y /= f
				s.errs.YErrors[q].Low /= f
				s.errs.YErrors[q].High /= f
			}
		}
	}

	sub := fmt.Sprintf("sweep %s · mean of %d replications per point, %g%% t interval", d.Name, d.Reps, 100*Level)
	p := figures.NewPlot(mi.name+" against "+param.Key, sub, param.Key, ylabel)
	p.X.Tick.Marker = ax.ticks(param.Values)
	for n, s := range all {
		var thumbs []plot.Thumbnailer
		if len(s.xy) > 1 {
			l, err := plotter.NewLine(s.xy)
			if err != nil {
				return nil, err
			}
			l.LineStyle = figures.LineStyle(n)
			p.Add(l)
			thumbs = append(thumbs, l)
		}
		sc, err := plotter.NewScatter(s.xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = figures.GlyphStyle(n)
		p.Add(sc)
		thumbs = append(thumbs, sc)
		if len(s.errs.XYs) > 0 {
			eb, err := plotter.NewYErrorBars(s.errs)
			if err != nil {
				return nil, err
			}
			eb.LineStyle = draw.LineStyle{Color: figures.GlyphStyle(n).Color, Width: vg.Points(1)}
			eb.CapWidth = vg.Points(6)
			p.Add(eb)
		}
		if len(all) > 1 {
			p.Legend.Add(s.label, thumbs...)
		}
	}
	lo, hi := slices.Min(ax.pos), slices.Max(ax.pos)
	if ax.categorical {
		p.X.Min, p.X.Max = lo-0.5, hi+0.5
	} else {
		pad := 0.05 * (hi - lo)
		if pad == 0 {
			pad = math.Max(0.5, 0.1*math.Abs(lo))
		}
		p.X.Min, p.X.Max = lo-pad, hi+pad
	}
	if p.Y.Min == p.Y.Max {
		p.Y.Min, p.Y.Max = p.Y.Min-1, p.Y.Max+1
	}
	name := FigureName(mi.name, param.Key)
	f := figures.New(name, mi.name+" against "+param.Key, m.caption(mi, i, ax, len(all)), p)
	if len(all) > 1 {
		// Room for the legend above the data: the figure grows with many
		// series, and the y range by the legend's share of the data area.
		rows := vg.Length(len(all) * lineRow)
		f.Height += max(0, rows-6*lineRow)
		area := f.Height - 90 // title and x axis
		figures.LegendAt(p, true, false, float64(rows/max(area-rows, area/4)))
	}
	return f, nil
}

// caption says what the figure draws and how to read it.
func (m *Merge) caption(mi metricInfo, i int, ax axis, nSeries int) string {
	d := &m.Def
	param := d.Params[i]
	var b strings.Builder
	fmt.Fprintf(&b, "Mean of %s over the %d replications of each point (seeds %s) against %s, with the %g%% Student-t interval of the mean as error bars",
		mi.name, d.Reps, seedRange(d.Seeds), param.Key, 100*Level)
	var others []string
	for j, p := range d.Params {
		if j != i {
			others = append(others, p.Key)
		}
	}
	if len(others) > 0 {
		fmt.Fprintf(&b, "; one line per combination of %s (%d drawn)", strings.Join(others, ", "), nSeries)
	}
	b.WriteString(". ")
	switch {
	case ax.categorical:
		b.WriteString("The values are categories, in the order the sweep declares them; lines of several combinations are set side by side at each value. ")
	case ax.log:
		fmt.Fprintf(&b, "The x axis is logarithmic: the %s span a factor of %s. ", plural(ax.kind), report.Num(ax.span))
	default:
		fmt.Fprintf(&b, "The values (%s) are placed at their numeric value. ", plural(ax.kind))
	}
	if len(mi.lacking) > 0 {
		fmt.Fprintf(&b, "No value at %s. ", listIDs(mi.lacking))
	}
	b.WriteString("A point without a bar has fewer than two replications with a value.")
	if len(m.Missing) > 0 {
		fmt.Fprintf(&b, " Partial merge: the missing points %s are absent.", listIDs(idsOf(m.Missing)))
	}
	return b.String()
}

func plural(kind string) string {
	if kind == "number" {
		return "numbers"
	}
	return kind + "s"
}

// seedRange writes seeds as "1..5" when consecutive, else listed.
func seedRange(s []int64) string {
	if len(s) == 0 {
		return "none"
	}
	consecutive := true
	for i := 1; i < len(s); i++ {
		consecutive = consecutive && s[i] == s[i-1]+1
	}
	if consecutive && len(s) > 2 {
		return fmt.Sprintf("%d..%d", s[0], s[len(s)-1])
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(parts, ", ")
}

func idsOf(ps []*Point) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// listIDs joins ids, eliding the middle of a long list.
func listIDs(ids []string) string {
	const n = 12
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:n], ", ") + fmt.Sprintf(" and %d more", len(ids)-n)
}
