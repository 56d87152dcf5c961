package rundata

import (
	"math"
	"time"

	"github.com/BurntSushi/toml"
)

// TargetIntervalS is the block interval the protocol's adjustment rule
// (PoW difficulty retarget, Coin.AI threshold rule) aims at, in seconds:
// scenario.toml's "interval" key in the section named by summary.json's
// protocol ([pow] or [coinai]). Figures draw it as the reference the
// observed intervals should approach. It is NaN when the scenario file is
// absent, malformed or lacks the key, or the value is not a positive
// duration ("600s", "1.5h"; units ns us ms s m h as in DESIGN.md).
func (r *Run) TargetIntervalS() float64 {
	if len(r.Scenario) == 0 || r.Summary.Protocol == "" {
		return math.NaN()
	}
	var doc map[string]any
	if _, err := toml.Decode(string(r.Scenario), &doc); err != nil {
		return math.NaN()
	}
	sec, ok := doc[r.Summary.Protocol].(map[string]any)
	if !ok {
		return math.NaN()
	}
	s, ok := sec["interval"].(string)
	if !ok {
		return math.NaN()
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return math.NaN()
	}
	return d.Seconds()
}
