package scenarios

import (
	"embed"
	"fmt"
)

// The scenario files that code runs by name (`coinai calibrate` runs its
// cases on them), built into the binary so that a calibration runs the
// committed files wherever the binary is started.
//
//go:embed pow-bitcoin.toml attacks/double-spend.toml
var embedded embed.FS

// Embedded parses a scenario file built into the binary, by its path
// below scenarios/ ("pow-bitcoin.toml", "attacks/double-spend.toml"),
// and applies the overrides ("key=value", as --set).
func Embedded(name string, overrides ...string) (*Scenario, error) {
	data, err := embedded.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("embedded scenario %s: %w", name, err)
	}
	s, err := Parse("scenarios/"+name, data)
	if err != nil {
		return nil, err
	}
	if err := s.Apply(overrides...); err != nil {
		return nil, err
	}
	return s, nil
}
