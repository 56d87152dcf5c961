package figures_test

import (
	"fmt"
	"io"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/rundata"
)

// Figures are drawn from loaded run data and encoded as PNG or SVG.
func ExampleBlockIntervals() {
	run := &rundata.Run{Dir: "demo"}
	for h, gap := range []float64{420, 610, 95, 1300, 580} {
		run.Blocks = append(run.Blocks, rundata.Block{Height: int64(h + 1), Main: true, IntervalS: gap})
	}
	fig, note := figures.BlockIntervals([]*rundata.Run{run})
	if note != nil {
		fmt.Println("skipped:", note)
		return
	}
	fmt.Println(fig.Name, fig.Encode(io.Discard, "svg"))
	// Output: block_intervals <nil>
}
