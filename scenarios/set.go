package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// TOML writes the resolved scenario: every key, with defaults and overrides
// applied, in the layout of reference.toml. Parsing the result gives back an
// equal scenario, so a run directory's scenario.toml reproduces the run.
// The [regression] section is left out: it configures `coinai regress`,
// not the run, and a run directory, its digest and a regression baseline
// must not change with a tolerance.
func (s *Scenario) TOML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Resolved scenario: every key, defaults and overrides applied.\n")
	if s.File != "" {
		fmt.Fprintf(&b, "# Loaded from %s.\n", s.File)
	}
	b.WriteString("\n")
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	run := *s
	run.Regression = nil // configures `coinai regress`, not the run
	if err := enc.Encode(&run); err != nil {
		return nil, fmt.Errorf("encoding scenario: %w", err)
	}
	return b.Bytes(), nil
}

// Set overrides one key, as the command line's --set key=value does, and
// revalidates the whole scenario; on error the scenario is unchanged. See
// Apply.
func (s *Scenario) Set(key, value string) error {
	return s.apply([][2]string{{key, value}})
}

// Apply applies overrides written "key=value" in order and validates once
// at the end, so that keys which must change together (network.regions and
// its per-region tables) can be overridden together. Keys are dotted paths
// into the resolved scenario: "run.seed", "pow.interval",
// "network.latency_ms.0.1"; entries of [[group]] and [[hardware]] are
// addressed by index or by name ("group.0.count", "hardware.asic.hashrate";
// "groups" is accepted for "group"). A value takes the type of the value it
// replaces: quantities and other strings are written bare ("60s", "pareto"),
// numbers and booleans as in TOML, arrays and tables as TOML inline values
// (`["NA","EU"]`); "fault" may be set whole in a scenario without [[fault]]
// tables (`fault=[{kind="crash", nodes=["3"], down="60s", state="lost"}]`).
// On error the scenario is unchanged.
func (s *Scenario) Apply(overrides ...string) error {
	kvs := make([][2]string, len(overrides))
	for i, o := range overrides {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return fmt.Errorf("override %q: want key=value", o)
		}
		kvs[i] = [2]string{strings.TrimSpace(k), strings.TrimSpace(v)}
	}
	return s.apply(kvs)
}

// overrideFile is the Problem.File of problems caused by an override.
const overrideFile = "--set"

func (s *Scenario) apply(kvs [][2]string) error {
	text, err := s.TOML()
	if err != nil {
		return err
	}
	var tree map[string]any
	if _, err := toml.Decode(string(text), &tree); err != nil {
		return fmt.Errorf("re-reading resolved scenario: %w", err)
	}
	var set []string // resolved paths of the overridden keys
	for _, kv := range kvs {
		parts := strings.Split(kv[0], ".")
		if parts[0] == "groups" {
			parts[0] = "group"
		}
		if parts[0] == "regression" {
			return &Errors{Problems: []Problem{{File: overrideFile, Key: kv[0],
				Msg: "the [regression] section configures coinai regress, not the run: give --alpha or --reps to coinai regress, or edit the scenario file"}}}
		}
		if _, ok := tree["fault"]; !ok && parts[0] == "fault" {
			// A scenario without [[fault]] tables writes none: an
			// override may add them whole (fault=[{kind="crash",...}]).
			tree["fault"] = []map[string]any{}
		}
		path, err := setIn(tree, parts, kv[1], "")
		if err != nil {
			return &Errors{Problems: []Problem{{File: overrideFile, Key: kv[0], Msg: err.Error()}}}
		}
		set = append(set, path)
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(tree); err != nil {
		return fmt.Errorf("encoding overridden scenario: %w", err)
	}
	ns, problems := decode(s.File, b.Bytes())
	if ns != nil {
		// Validate against the original file's positions (for hints about
		// keys the file leaves to defaults), remembering what failed here.
		failed := ns.src.failed
		ns.src = &source{failed: failed}
		if s.src != nil {
			ns.src.lines = s.src.lines
		}
		if err := ns.Validate(); err != nil {
			var errs *Errors
			if !errors.As(err, &errs) {
				return err
			}
			for _, p := range errs.Problems {
				if !ns.src.failedAt(p.Key) {
					problems = append(problems, p)
				}
			}
		}
	}
	// Lines in the re-encoded text mean nothing to the user: point problems
	// at the override, or at the key in the original file.
	for i := range problems {
		p := &problems[i]
		p.Line = 0
		if slices.ContainsFunc(set, func(k string) bool { return p.Key == k || strings.HasPrefix(p.Key, k+".") }) || s.src.overridden(p.Key) {
			p.File = overrideFile
		} else {
			p.File = s.File
			p.Line = s.src.lineOf(p.Key)
		}
	}
	if err := errorsOrNil(problems); err != nil {
		return err
	}
	file, src, reg := s.File, &source{}, s.Regression
	if s.src != nil {
		*src = *s.src
	}
	src.set = append(slices.Clone(src.set), set...)
	*s = *ns
	s.File, s.src, s.Regression = file, src, reg
	return nil
}

// setIn sets the value at parts below node (a table) and returns the
// resolved path, with entries named by index.
func setIn(node map[string]any, parts []string, value, path string) (string, error) {
	k := parts[0]
	old, ok := node[k]
	if !ok {
		keys := make([]string, 0, len(node))
		for name := range node {
			keys = append(keys, name)
		}
		slices.Sort(keys)
		return "", fmt.Errorf("unknown key %q (valid keys here: %s)", join(path, k), strings.Join(keys, ", "))
	}
	path = join(path, k)
	if len(parts) == 1 {
		v, err := convert(old, value)
		if err != nil {
			return "", err
		}
		node[k] = v
		return path, nil
	}
	switch x := old.(type) {
	case map[string]any:
		return setIn(x, parts[1:], value, path)
	case []map[string]any:
		i, err := entryIndex(x, parts[1], path)
		if err != nil {
			return "", err
		}
		path = join(path, strconv.Itoa(i))
		if len(parts) == 2 {
			return "", fmt.Errorf("%s is a table; set one of its keys", path)
		}
		return setIn(x[i], parts[2:], value, path)
	case []any:
		i, err := strconv.Atoi(parts[1])
		if err != nil || i < 0 || i >= len(x) {
			return "", fmt.Errorf("%s has %d elements; %q is not an index", path, len(x), parts[1])
		}
		// Reuse the table logic on a one-element view of the array.
		elem := map[string]any{parts[1]: x[i]}
		p, err := setIn(elem, parts[1:], value, path)
		if err != nil {
			return "", err
		}
		x[i] = elem[parts[1]]
		return p, nil
	default:
		return "", fmt.Errorf("%s is not a table or array", path)
	}
}

// entryIndex finds an array-of-tables entry by index or by name.
func entryIndex(entries []map[string]any, part, path string) (int, error) {
	if i, err := strconv.Atoi(part); err == nil {
		if i < 0 || i >= len(entries) {
			return 0, fmt.Errorf("%s has %d entries; index %d is out of range", path, len(entries), i)
		}
		return i, nil
	}
	for i, e := range entries {
		if e["name"] == part {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s has no entry named %q", path, part)
}

// convert parses value to the TOML type of old.
func convert(old any, value string) (any, error) {
	if _, ok := old.(string); ok && !strings.HasPrefix(value, `"`) && !strings.HasPrefix(value, "'") {
		return value, nil
	}
	var m map[string]any
	if _, err := toml.Decode("v = "+value, &m); err != nil || len(m) != 1 || m["v"] == nil {
		return nil, fmt.Errorf("%q is not a TOML value of type %s", value, TypeName(old))
	}
	v := m["v"]
	switch old.(type) {
	case float64:
		if n, ok := v.(int64); ok {
			return float64(n), nil
		}
	case []any, []map[string]any:
		switch v.(type) {
		case []any, []map[string]any:
			return v, nil
		}
	}
	if fmt.Sprintf("%T", v) != fmt.Sprintf("%T", old) {
		return nil, fmt.Errorf("%q is a %s; want the type of %s", value, TypeName(v), TypeName(old))
	}
	return v, nil
}
