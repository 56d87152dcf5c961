package rundata_test

import (
	"fmt"

	"github.com/coinai/coinai/analysis/rundata"
)

// Keys added by a later simulator are kept; absent float keys are NaN.
func ExampleParseSummary() {
	s, err := rundata.ParseSummary([]byte(`{"protocol":"pow","seed":42,"scenario":"baseline","stale_rate":0.02,"new_metric":3}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Protocol, s.Seed, s.StaleRate, s.ThresholdFinal, s.ExtraKeys())
	// Output: pow 42 0.02 NaN [new_metric]
}
