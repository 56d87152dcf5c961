package scenarios

import (
	"testing"

	"github.com/BurntSushi/toml"
)

func TestKeyLines(t *testing.T) {
	src := `# comment [not.a.table]
top = 1 # trailing comment
"quoted key" = 'x = 1'
[a]
b.c = """
multi
line "" = 3
"""
d = [
  1, # comment ]
  [2, 3],
  {e = 4, f = [5]},
]
g = 'literal \'
[[arr]]
h = 1
[[arr]]
h = 2
[arr.sub]
i = { j = 1,
  k = 2 }
[ "x y" . z ]
w = "esc \" [q]"
`
	// The scanner assumes valid TOML: check the fixture is.
	var m map[string]any
	if _, err := toml.Decode(src, &m); err != nil {
		t.Fatalf("fixture is not TOML: %v", err)
	}
	want := map[string]int{
		"top":           2,
		"quoted key":    3,
		"a":             4,
		"a.b":           5,
		"a.b.c":         5,
		"a.d":           9,
		"a.d.0":         10,
		"a.d.1":         11,
		"a.d.1.1":       11,
		"a.d.2":         12,
		"a.d.2.e":       12,
		"a.d.2.f":       12,
		"a.d.2.f.0":     12,
		"a.g":           14,
		"arr":           15,
		"arr.0":         15,
		"arr.0.h":       16,
		"arr.1":         17,
		"arr.1.h":       18,
		"arr.1.sub":     19,
		"arr.1.sub.i":   20,
		"arr.1.sub.i.j": 20,
		"arr.1.sub.i.k": 21,
		"x y.z":         22,
		"x y.z.w":       23,
		"arr.1.sub.i.":  0, // no such path
	}
	got := keyLines(src)
	for k, line := range want {
		if got[k] != line {
			t.Errorf("line of %q = %d, want %d", k, got[k], line)
		}
	}
	for _, k := range []string{"a.b.c.multi", "a.d.1.0.x", "not.a.table", "a.line"} {
		if _, ok := got[k]; ok {
			t.Errorf("phantom key %q", k)
		}
	}
}

// TestKeyLinesTerminates feeds the scanner malformed text, which the loader
// never gives it, to check that it stops without panicking.
func TestKeyLinesTerminates(t *testing.T) {
	for _, src := range []string{"", "[", "[[", "a = [", "a = {", `a = "`, `a = """`, "a = [1,,]", "= = =", "a = {,}", `a = "\`, "a.", "[a.]\nb"} {
		keyLines(src)
	}
}
