package scenarios

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// source is what the loader remembers of a scenario's text.
type source struct {
	lines  map[string]int  // key path -> line
	failed map[string]bool // key paths whose value could not be decoded
	set    []string        // key paths overridden by Set or Apply
}

// overridden reports whether path, or a key above it, was overridden.
func (src *source) overridden(path string) bool {
	if src == nil {
		return false
	}
	return slices.ContainsFunc(src.set, func(k string) bool { return path == k || strings.HasPrefix(path, k+".") })
}

// lineOf returns the line of path, or of its nearest ancestor written in the
// file, or 0.
func (src *source) lineOf(path string) int {
	if src == nil {
		return 0
	}
	for {
		if l, ok := src.lines[path]; ok {
			return l
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

// Load reads and parses the scenario file at path; see Parse.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading scenario: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a scenario from TOML text over Default() and validates it.
// name is used in error messages. Every problem is reported at once in an
// *Errors: syntax errors (with the line the parser stopped at), unknown keys,
// values of the wrong type, quantities without or with unknown units, a file
// that does not set run.protocol (the one required key), and everything
// Validate rejects, each with file, line and key.
func Parse(name string, data []byte) (*Scenario, error) {
	s, problems := decode(name, data)
	if s == nil {
		return nil, errorsOrNil(problems)
	}
	if _, ok := s.src.lines[requiredKey]; !ok && !s.src.failedAt(requiredKey) {
		// Every other key has a default, so an empty file (or one that
		// names no protocol) would silently run the 100-node default.
		problems = append(problems, Problem{File: name, Line: s.src.lineOf(requiredKey), Key: requiredKey,
			Msg: `missing: a scenario must set run.protocol to "pow" or "coinai" (every other key has a default; see scenarios/reference.toml)`})
	}
	if err := s.Validate(); err != nil {
		var errs *Errors
		if !errors.As(err, &errs) {
			return nil, err
		}
		for _, p := range errs.Problems {
			if !s.src.failedAt(p.Key) {
				problems = append(problems, p)
			}
		}
	}
	if err := errorsOrNil(problems); err != nil {
		return nil, err
	}
	return s, nil
}

// requiredKey is the one key every scenario file must set.
const requiredKey = "run.protocol"

// failedAt reports whether key, or a key above it, failed to decode: its
// value kept the default, so validation problems about it would be noise.
func (src *source) failedAt(key string) bool {
	for {
		if src.failed[key] {
			return true
		}
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			return false
		}
		key = key[:i]
	}
}

// decode parses and decodes data without validating. It returns a nil
// scenario only when the text is not TOML at all.
func decode(name string, data []byte) (*Scenario, []Problem) {
	text := string(data)
	var tree map[string]any
	if _, err := toml.Decode(text, &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, []Problem{{File: name, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}}
		}
		return nil, []Problem{{File: name, Msg: err.Error()}}
	}
	s := Default()
	s.File = name
	s.src = &source{lines: keyLines(text), failed: map[string]bool{}}
	d := &decoder{file: name, src: s.src}
	d.table(reflect.ValueOf(&s).Elem(), tree, "")
	s.Hardware = mergeHardware(s.Hardware)

	if len(d.problems) == 0 {
		// Cross-check with the library's own decoder: every key must have
		// been decoded into the typed scenario (this catches any divergence
		// between the walker below and the struct tags).
		check := Default()
		md, err := toml.Decode(text, &check)
		if err != nil {
			d.add("", "%v", err)
		} else {
			for _, k := range md.Undecoded() {
				d.add(k.String(), "unknown key")
			}
		}
	}
	return &s, d.problems
}

// decoder walks the parsed TOML tree into the typed scenario, field by field,
// so that it can keep going after a bad value and report every problem. (The
// library's typed decoder stops at the first error.)
type decoder struct {
	file     string
	src      *source
	problems []Problem
}

func (d *decoder) add(path, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: d.src.lineOf(path), Key: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) fail(path, format string, args ...any) {
	d.src.failed[path] = true
	d.add(path, format, args...)
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	tomlUnmarshaler = reflect.TypeFor[toml.Unmarshaler]()
	regressionType  = reflect.TypeFor[Regression]()
	hardwareType    = reflect.TypeFor[Hardware]()
	groupType       = reflect.TypeFor[Group]()
)

// fields lists a struct's TOML keys and field indices in declaration order.
func fields(t reflect.Type) (keys []string, index map[string]int) {
	index = map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",") // ",omitempty" is for the encoder
		if !f.IsExported() || tag == "-" || tag == "" {
			continue
		}
		keys = append(keys, tag)
		index[tag] = i
	}
	return keys, index
}

// table decodes a TOML table into the struct rv, whose fields already hold
// their defaults.
func (d *decoder) table(rv reflect.Value, m map[string]any, path string) {
	keys, index := fields(rv.Type())
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names) // deterministic order of problems
	for _, k := range names {
		p := join(path, k)
		i, ok := index[k]
		if !ok {
			d.fail(p, "unknown key (valid keys here: %s)", strings.Join(keys, ", "))
			continue
		}
		d.value(rv.Field(i), m[k], p)
	}
}

// value decodes one TOML value into rv.
func (d *decoder) value(rv reflect.Value, v any, path string) {
	t := rv.Type()
	if reflect.PointerTo(t).Implements(tomlUnmarshaler) {
		// A value of more than one TOML type (a tolerance: 0.5 or "5%").
		if err := rv.Addr().Interface().(toml.Unmarshaler).UnmarshalTOML(v); err != nil {
			d.fail(path, "%v", err)
		}
		return
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		help := "a string"
		if q, ok := rv.Interface().(quantity); ok {
			help = q.help()
		}
		switch v := v.(type) {
		case string:
			if err := rv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(v)); err != nil {
				d.fail(path, "%v", err)
			}
		case int64, float64:
			d.fail(path, "bare number %v: want %s", v, help)
		default:
			d.fail(path, "%s: want %s", TypeName(v), help)
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		if s, ok := v.(string); ok {
			rv.SetString(s)
			return
		}
		d.fail(path, "%s: want a string", TypeName(v))
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			rv.SetBool(b)
			return
		}
		d.fail(path, "%s: want true or false", TypeName(v))
	case reflect.Int, reflect.Int64:
		n, ok := v.(int64)
		if !ok {
			d.fail(path, "%s: want an integer", TypeName(v))
			return
		}
		if rv.OverflowInt(n) {
			d.fail(path, "%d is out of range", n)
			return
		}
		rv.SetInt(n)
	case reflect.Float64:
		switch x := v.(type) {
		case int64:
			rv.SetFloat(float64(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				d.fail(path, "%v: want a finite number", x)
				return
			}
			rv.SetFloat(x)
		default:
			d.fail(path, "%s: want a number", TypeName(v))
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			d.fail(path, "%s: want a table", TypeName(v))
			return
		}
		d.table(rv, m, path)
	case reflect.Slice:
		d.slice(rv, v, path)
	case reflect.Pointer:
		// An optional section (nil when absent), decoded over its
		// defaults.
		p := reflect.New(t.Elem())
		if t.Elem() == regressionType {
			p.Elem().Set(reflect.ValueOf(DefaultRegression()))
		}
		d.value(p.Elem(), v, path)
		rv.Set(p)
	default:
		// Unreachable for the Scenario type; kept as a problem rather than a
		// panic.
		d.fail(path, "cannot decode into %s", t)
	}
}

// slice decodes an array (or array of tables) into rv, replacing its
// default.
func (d *decoder) slice(rv reflect.Value, v any, path string) {
	var elems []any
	switch x := v.(type) {
	case []any:
		elems = x
	case []map[string]any:
		elems = make([]any, len(x))
		for i := range x {
			elems[i] = x[i]
		}
	default:
		d.fail(path, "%s: want an array", TypeName(v))
		return
	}
	t := rv.Type()
	out := reflect.MakeSlice(t, len(elems), len(elems))
	for i, e := range elems {
		ev := out.Index(i)
		switch t.Elem() {
		case hardwareType:
			name, _ := mapValue(e, "name").(string)
			ev.Set(reflect.ValueOf(baseHardware(name)))
		case groupType:
			ev.Set(reflect.ValueOf(defaultGroup()))
		}
		d.value(ev, e, join(path, strconv.Itoa(i)))
	}
	rv.Set(out)
}

func mapValue(v any, key string) any {
	if m, ok := v.(map[string]any); ok {
		return m[key]
	}
	return nil
}

// TypeName names a decoded TOML value's type for error messages, so that
// every loader of the project's TOML files (scenarios, sweeps) says the same
// of a value of the wrong type.
func TypeName(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("string %q", v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case []any, []map[string]any:
		return "array"
	case map[string]any:
		return "table"
	default:
		return fmt.Sprintf("%T", v)
	}
}
