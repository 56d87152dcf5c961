package runner

import (
	"fmt"

	"github.com/coinai/coinai/scenarios"
)

func coinaiNodes(s *scenarios.Scenario, cfg *Config) error {
	return fmt.Errorf("%s: protocol coinai is not wired yet", s.File)
}
