package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks that no input makes the loader panic, that it returns
// either a valid scenario or an *Errors with at least one problem, and that
// a scenario it accepts round-trips through TOML.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("*.toml")
	bad, _ := filepath.Glob("testdata/*.toml")
	for _, p := range append(files, bad...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[run]\nstop_time = \"1e3EH/s\"\n[[group]]\ncount = 9\nhardware = \"asic\"\n"))
	f.Add([]byte("group = [{count = 20, hardware = \"asic\"}]\nrun = {seed = -1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.toml", data)
		if err != nil {
			var errs *Errors
			if s != nil || !errors.As(err, &errs) || len(errs.Problems) == 0 {
				t.Fatalf("Parse returned %v, %T %v", s, err, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted scenario is invalid: %v", err)
		}
		out, err := s.TOML()
		if err != nil {
			t.Fatalf("TOML: %v", err)
		}
		back, err := Parse("resolved.toml", out)
		if err != nil {
			t.Fatalf("resolved scenario does not load: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(value(s), value(back)) {
			t.Fatalf("round trip changed the scenario:\n%s", out)
		}
	})
}

// FuzzQuantity checks that quantity parsing never panics and that whatever
// parses is written back as text that parses to the same value.
func FuzzQuantity(f *testing.F) {
	for _, s := range []string{"600s", "1.5h", "535KB", "4KiB", "19.2Mbps", "100GFLOPS", "14TH/s", "65W", "1e3EH/s", "-.5e-3ms", "0.1kW"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var d Duration
		if d.UnmarshalText([]byte(in)) == nil {
			var back Duration
			if err := back.UnmarshalText([]byte(d.String())); err != nil || back != d {
				t.Fatalf("duration %q -> %s -> %v (%v)", in, d, back, err)
			}
		}
		var z Size
		if z.UnmarshalText([]byte(in)) == nil {
			var back Size
			if err := back.UnmarshalText([]byte(z.String())); err != nil || back != z {
				t.Fatalf("size %q -> %s -> %v (%v)", in, z, back, err)
			}
		}
		var r BitRate
		if r.UnmarshalText([]byte(in)) == nil {
			var back BitRate
			if err := back.UnmarshalText([]byte(r.String())); err != nil || back != r {
				t.Fatalf("bit rate %q -> %s -> %v (%v)", in, r, back, err)
			}
		}
		var h HashRate
		if h.UnmarshalText([]byte(in)) == nil {
			var back HashRate
			if err := back.UnmarshalText([]byte(h.String())); err != nil || back != h {
				t.Fatalf("hash rate %q -> %s -> %v (%v)", in, h, back, err)
			}
		}
	})
}
