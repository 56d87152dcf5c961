package report_test

import (
	"fmt"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/report"
)

func ExampleDocument_Markdown() {
	d := &report.Document{Title: "Run report", Sections: []report.Section{{
		Heading: "Summary",
		Table:   &report.Table{Header: []string{"key", "value"}, Rows: [][]string{{"seed", "42"}}},
	}}}
	fmt.Print(string(d.Markdown(func(f *figures.Figure) string { return f.Name + ".png" })))
	// Output:
	// # Run report
	//
	// ## Summary
	//
	// | key | value |
	// |---|---|
	// | seed | 42 |
}
