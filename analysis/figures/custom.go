package figures

import (
	"bytes"
	"runtime"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The building blocks below let figures drawn outside this package (the
// merge of a parameter sweep, analysis/sweep) share the house style —
// palette, dash patterns, markers, legend placement, size — and the
// deterministic encoding, instead of copying them.

// New returns a figure of the given panels (plots made with NewPlot),
// stacked vertically, at the size of a run's figures.
func New(name, title, caption string, panels ...*plot.Plot) *Figure {
	return figure(name, title, caption, panels...)
}

// LineStyle is the line of series i: the colours of Palette in turn, then
// the same colours dashed, so that many series stay apart.
func LineStyle(i int) draw.LineStyle { return lineStyle(i) }

// GlyphStyle is the marker of series i: its colour, and a circle,
// triangle, box or cross in turn, so that series stay apart in print
// without colour too.
func GlyphStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: colorOf(i), Radius: vg.Points(2.6), Shape: shapeOf(i)}
}

// LegendAt places p's legend in a corner and grows the y range by headroom
// (a fraction of the span) so that the legend covers no data.
func LegendAt(p *plot.Plot, top, left bool, headroom float64) { legendAt(p, top, left, headroom) }

// EncodeAll encodes every figure in every format (figs[i] in formats[j] is
// out[i][j]) on all processors. Each figure is encoded by a fixed worker
// (figure i on worker i mod w) and collected by index, so the bytes do not
// depend on scheduling or GOMAXPROCS.
func EncodeAll(figs []*Figure, formats []string) ([][][]byte, error) {
	out := make([][][]byte, len(figs))
	errs := make([]error, len(figs))
	w := max(1, min(runtime.GOMAXPROCS(0), len(figs)))
	var wg sync.WaitGroup
	for k := range w {
		wg.Go(func() {
			for i := k; i < len(figs); i += w {
				out[i] = make([][]byte, len(formats))
				for j, format := range formats {
					var b bytes.Buffer
					if errs[i] = figs[i].Encode(&b, format); errs[i] != nil {
						break
					}
					out[i][j] = b.Bytes()
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
