// Package attacks builds the attack × variant report of `coinai attacks`
// (issues #12 and #13): for every case of a manifest (an attack or fault,
// a protocol variant, a scenario file), replications of the scenario and
// of its honest twin at the same seeds (scenarios.HonestTwin), and one
// table of the attack's success, the fairness of rewards, the cost of
// verification, the block interval and the stale rate, with 95% intervals
// and the paired effect against the twin, plus figures.
//
// The manifest (scenarios/reports/attacks.toml), not the code, lists the cases, so that a scenario added to
// scenarios/attacks/ joins the report by a [[case]] entry.
package attacks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// DefaultReps is the number of replications when neither the manifest nor
// the command line sets one.
const DefaultReps = 8

// Manifest is an attacks manifest (scenarios/reports/attacks.toml).
type Manifest struct {
	// File is the manifest's path; scenario paths are relative to its
	// directory.
	File string `toml:"-"`
	// Reps is the number of replications per case (seeds 1..Reps) when
	// the command line does not set --reps; 0 means DefaultReps.
	Reps int `toml:"reps"`
	// Cases are the table's rows, in the order the report lists them.
	Cases []Case `toml:"case"`
}

// Case is one [[case]] of a manifest: one row of the table.
type Case struct {
	// Attack names the attack, fault or finding (rows of one attack are
	// grouped, and its figures drawn together), e.g. "model-reuse".
	Attack string `toml:"attack"`
	// Variant names the protocol variant or defence the scenario runs
	// under: "baseline" for today's rules, else e.g. "label-permutation".
	Variant string `toml:"variant"`
	// Scenario is the scenario file, relative to the manifest.
	Scenario string `toml:"scenario"`
	// Issue is the issue the case answers ("12", "13"), informational.
	Issue string `toml:"issue"`
	// Twin runs the honest twin of each replication (default true): the
	// same scenario and seed with every attacker role mining honestly and
	// no faults.
	Twin *bool `toml:"twin"`
	// Set are overrides (key=value, as --set) applied to the scenario
	// and its twin.
	Set []string `toml:"set"`
	// Note is a sentence for the report, optional.
	Note string `toml:"note"`
	// Line is the line of the case's [[case]] header in the manifest.
	Line int `toml:"-"`
}

// WantTwin reports whether the case runs honest twins.
func (c *Case) WantTwin() bool { return c.Twin == nil || *c.Twin }

// Path is the case's scenario path, resolved against the manifest.
func (m *Manifest) Path(c *Case) string {
	if filepath.IsAbs(c.Scenario) {
		return c.Scenario
	}
	return filepath.Join(filepath.Dir(m.File), filepath.FromSlash(c.Scenario))
}

// ManifestError is a problem with a manifest: its file, line and key.
type ManifestError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *ManifestError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": %s", e.Key)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// LoadManifest reads and checks a manifest: known keys only, every case
// with an attack, a variant and a scenario, names usable in file names,
// (attack, variant) pairs unique, reps >= 0. It does not open the
// scenarios (the caller loads them, naming the case's line on error).
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	return ParseManifest(path, data)
}

// ParseManifest is LoadManifest on data read from path.
func ParseManifest(path string, data []byte) (*Manifest, error) {
	m := &Manifest{File: path}
	md, err := toml.Decode(string(data), m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ManifestError{File: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
		}
		return nil, &ManifestError{File: path, Msg: err.Error()}
	}
	caseLines := headerLines(data, "[[case]]")
	for i := range m.Cases {
		if i < len(caseLines) {
			m.Cases[i].Line = caseLines[i]
		}
	}
	if u := md.Undecoded(); len(u) > 0 {
		k := u[0].String()
		return nil, &ManifestError{File: path, Line: keyLine(data, m, u[0]), Key: k,
			Msg: "unknown key (a manifest has reps and [[case]] tables of attack, variant, scenario, issue, twin, set, note)"}
	}
	if m.Reps < 0 {
		return nil, &ManifestError{File: path, Line: firstLine(data, "reps"), Key: "reps", Msg: fmt.Sprintf("%d: want >= 0", m.Reps)}
	}
	if len(m.Cases) == 0 {
		return nil, &ManifestError{File: path, Key: "case", Msg: "no [[case]] tables: nothing to report"}
	}
	seen := map[string]int{}
	for i, c := range m.Cases {
		key := fmt.Sprintf("case.%d", i)
		bad := func(field, format string, args ...any) error {
			return &ManifestError{File: path, Line: c.Line, Key: key + "." + field, Msg: fmt.Sprintf(format, args...)}
		}
		switch {
		case !nameRE.MatchString(c.Attack):
			return nil, bad("attack", "%q: want a name of lower-case letters, digits, '.', '_' and '-'", c.Attack)
		case !nameRE.MatchString(c.Variant):
			return nil, bad("variant", "%q: want a name of lower-case letters, digits, '.', '_' and '-'", c.Variant)
		case c.Scenario == "":
			return nil, bad("scenario", "missing: the scenario file, relative to the manifest")
		}
		for _, s := range c.Set {
			if !strings.Contains(s, "=") {
				return nil, bad("set", "%q: want key=value", s)
			}
		}
		id := c.Attack + "/" + c.Variant
		if j, dup := seen[id]; dup {
			return nil, bad("variant", "attack %q, variant %q is also case %d (line %d)", c.Attack, c.Variant, j, m.Cases[j].Line)
		}
		seen[id] = i
	}
	return m, nil
}

// headerLines are the 1-based lines of the headers equal to header.
func headerLines(data []byte, header string) []int {
	var out []int
	for i, l := range bytes.Split(data, []byte("\n")) {
		if strings.TrimSpace(string(l)) == header {
			out = append(out, i+1)
		}
	}
	return out
}

// firstLine is the first line that assigns key at the top of a table.
func firstLine(data []byte, key string) int {
	for i, l := range bytes.Split(data, []byte("\n")) {
		t := strings.TrimSpace(string(l))
		if rest, ok := strings.CutPrefix(t, key); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
			return i + 1
		}
	}
	return 0
}

// keyLine finds the line of an unknown key: within its [[case]] when it
// is in one, else the first assignment of its last component.
func keyLine(data []byte, m *Manifest, k toml.Key) int {
	last := k[len(k)-1]
	lines := bytes.Split(data, []byte("\n"))
	from := 0
	if len(k) > 1 && k[0] == "case" {
		// BurntSushi reports array-of-tables keys without the index;
		// search from the first case.
		if len(m.Cases) > 0 {
			from = m.Cases[0].Line
		}
	}
	for i := max(from-1, 0); i < len(lines); i++ {
		t := strings.TrimSpace(string(lines[i]))
		if rest, ok := strings.CutPrefix(t, last); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
			return i + 1
		}
	}
	return 0
}
