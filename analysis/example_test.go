package analysis_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/coinai/coinai/analysis"
)

// A run directory needs only summary.json; every figure lacking data is
// listed under "Not drawn" in the report.
func ExampleWriteReport() {
	dir, _ := os.MkdirTemp("", "run")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte(`{"protocol":"pow","seed":1,"scenario":"empty"}`), 0o644)
	if err := analysis.WriteReport(dir); err != nil {
		fmt.Println(err)
		return
	}
	_, err := os.Stat(filepath.Join(dir, "report.html"))
	fmt.Println(err == nil)
	// Output: true
}
