package scenarios

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want Duration
	}{
		{"600s", 600_000_000_000},
		{"1.5h", 5_400_000_000_000},
		{"1h", 3_600_000_000_000},
		{"2m", 120_000_000_000},
		{"250ms", 250_000_000},
		{"3us", 3_000},
		{"7ns", 7},
		{"0s", 0},
		{"0.001s", 1_000_000},
		{"1e3ms", 1_000_000_000},
		{"1.5e-3s", 1_500_000},
		{" 60 s ", 60_000_000_000},
		{"-5s", -5_000_000_000},
		{".5s", 500_000_000},
		{"2.s", 2_000_000_000},
	}
	for _, tt := range tests {
		var d Duration
		if err := d.UnmarshalText([]byte(tt.in)); err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if d != tt.want {
			t.Errorf("%q = %d ns, want %d", tt.in, int64(d), int64(tt.want))
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
	}{
		{"535KB", 535_000},
		{"1KiB", 1024},
		{"4KiB", 4096},
		{"1MB", 1_000_000},
		{"1MiB", 1 << 20},
		{"1.5KiB", 1536},
		{"180B", 180},
		{"2GB", 2_000_000_000},
		{"1GiB", 1 << 30},
		{"4TB", 4_000_000_000_000},
		{"0B", 0},
	}
	for _, tt := range tests {
		var s Size
		if err := s.UnmarshalText([]byte(tt.in)); err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if s != tt.want {
			t.Errorf("%q = %d B, want %d", tt.in, int64(s), int64(tt.want))
		}
	}
}

// floatQuantity is implemented by the pointer of every float unit type.
type floatQuantity interface {
	UnmarshalText([]byte) error
}

// parseAs parses in as a fresh value of the kind of dst and returns it as a
// float64.
func parseAs(dst floatQuantity, in string) (float64, error) {
	err := dst.UnmarshalText([]byte(in))
	switch v := dst.(type) {
	case *BitRate:
		return float64(*v), err
	case *FLOPRate:
		return float64(*v), err
	case *HashRate:
		return float64(*v), err
	case *Power:
		return float64(*v), err
	}
	panic("unknown quantity type")
}

func TestParseFloatQuantities(t *testing.T) {
	tests := []struct {
		in   string
		dst  floatQuantity
		want float64
	}{
		{"19.2Mbps", new(BitRate), 19.2e6},
		{"52Mbps", new(BitRate), 52e6},
		{"22.8Mbps", new(BitRate), 22.8e6},
		{"1Gbps", new(BitRate), 1e9},
		{"100Kbps", new(BitRate), 1e5},
		{"100GFLOPS", new(FLOPRate), 100e9},
		{"80TFLOPS", new(FLOPRate), 80e12},
		{"0.4PFLOPS", new(FLOPRate), 400e12},
		{"14TH/s", new(HashRate), 14e12},
		{"1EH/s", new(HashRate), 1e18},
		{"1e3EH/s", new(HashRate), 1e21},
		{"13.5 TH/s", new(HashRate), 13.5e12},
		{"65W", new(Power), 65},
		{"1.35kW", new(Power), 1350},
		{"0.5W", new(Power), 0.5},
	}
	for _, tt := range tests {
		got, err := parseAs(tt.dst, tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%q = %v, want exactly %v", tt.in, got, tt.want)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	tests := []struct {
		in   string
		dst  interface{ UnmarshalText([]byte) error }
		want string // substring of the error
	}{
		{"600", new(Duration), `"600" has no unit`},
		{"600", new(Duration), "units: ns, us, ms, s, m, h"},
		{"10min", new(Duration), `unknown unit "min"`},
		{"0.5ns", new(Duration), "not a whole number of ns"},
		{"1e30h", new(Duration), "out of range"},
		{"1e99999s", new(Duration), "out of range"},
		{"s", new(Duration), "does not start with a number"},
		{"", new(Duration), "does not start with a number"},
		{"0.5B", new(Size), "not a whole number of B"},
		{"5kb", new(Size), `unknown unit "kb"`},
		{"19.2", new(BitRate), "units: bps, Kbps, Mbps, Gbps, Tbps"},
		{"19.2MB/s", new(BitRate), `unknown unit "MB/s"`},
		{"1e401Tbps", new(BitRate), "exponent"},
		{"1e300Tbps", new(BitRate), "out of range"},
		{"100GFLOP/s", new(FLOPRate), `unknown unit "GFLOP/s"`},
		{"14TH", new(HashRate), `unknown unit "TH"`},
		{"65", new(Power), `"65" has no unit`},
		{"NaNW", new(Power), "does not start with a number"},
		{"InfW", new(Power), "does not start with a number"},
		{"--5W", new(Power), "does not start with a number"},
	}
	for _, tt := range tests {
		err := tt.dst.UnmarshalText([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestFormatQuantities(t *testing.T) {
	tests := []struct {
		v    interface{ MarshalText() ([]byte, error) }
		want string
	}{
		{600 * Second, "600s"},
		{Duration(5_400_000_000_000), "5400s"},
		{250 * Millisecond, "250ms"},
		{Duration(1500), "1500ns"},
		{Duration(0), "0s"},
		{Size(535_000), "535KB"},
		{Size(4096), "4KiB"},
		{Size(1 << 20), "1MiB"},
		{Size(1_000_000), "1MB"},
		{Size(181), "181B"},
		{Size(0), "0B"},
		{BitRate(19.2e6), "19.2Mbps"},
		{BitRate(5.8e6), "5.8Mbps"},
		{BitRate(999), "999bps"},
		{BitRate(0), "0bps"},
		{FLOPRate(100e9), "100GFLOPS"},
		{FLOPRate(400e12), "400TFLOPS"},
		{HashRate(14e12), "14TH/s"},
		{HashRate(2.5e20), "250EH/s"},
		{Power(1350), "1.35kW"},
		{Power(0.25), "0.25W"},
		{Power(-45), "-45W"},
		{BitRate(1.5e300), "1.5e288Tbps"},
	}
	for _, tt := range tests {
		b, err := tt.v.MarshalText()
		if err != nil {
			t.Errorf("%v: %v", tt.v, err)
			continue
		}
		if string(b) != tt.want {
			t.Errorf("MarshalText(%v) = %q, want %q", tt.v, b, tt.want)
		}
	}
	if _, err := BitRate(math.NaN()).MarshalText(); err == nil {
		t.Error("MarshalText(NaN bps) succeeded; want an error")
	}
}

// TestQuantityRoundTrip checks that every value, including awkward floats,
// is written as text that parses back to exactly the same value.
func TestQuantityRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	floats := []float64{0, 1, 0.1, 1e-9, 123456789.123, 5e-324, math.MaxFloat64, 19.2e6, 1 / 3.0}
	for range 2000 {
		floats = append(floats, math.Float64frombits(r.Uint64()&^(0x7ff<<52)|uint64(1023+r.IntN(80)-40)<<52))
	}
	for _, f := range floats {
		for _, v := range []float64{f, -f} {
			var got BitRate
			b, err := BitRate(v).MarshalText()
			if err != nil {
				t.Fatalf("%v: %v", v, err)
			}
			if err := got.UnmarshalText(b); err != nil || float64(got) != v {
				t.Fatalf("%v -> %q -> %v (%v)", v, b, float64(got), err)
			}
		}
	}
	ints := []int64{0, 1, 999, 1000, 1024, 4096, 535_000, 1 << 40, math.MaxInt64, math.MinInt64}
	for range 2000 {
		ints = append(ints, r.Int64N(1<<50)*[]int64{1, 1000, 1024}[r.IntN(3)]%math.MaxInt64)
	}
	for _, n := range ints {
		var d Duration
		if b, _ := Duration(n).MarshalText(); d.UnmarshalText(b) != nil || int64(d) != n {
			t.Fatalf("duration %d -> %q -> %d", n, b, int64(d))
		}
		var s Size
		if b, _ := Size(n).MarshalText(); s.UnmarshalText(b) != nil || int64(s) != n {
			t.Fatalf("size %d -> %q -> %d", n, b, int64(s))
		}
	}
}
