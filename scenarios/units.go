package scenarios

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Quantities in scenario files are strings with a unit ("600s", "535KB",
// "19.2Mbps"). A bare number is rejected: a block interval of 600 could be
// seconds or milliseconds, and a silent factor of 1000 ruins a run. Parsing is
// exact: decimal mantissas are scaled by powers of ten in decimal, so
// "19.2Mbps" is the float64 nearest to 19.2e6 and "1.5h" is exactly 5400e9 ns.
// MarshalText writes a string that parses back to the identical value.

// Duration is a span of virtual time in nanoseconds, the simulator's unit of
// time. Units: ns, us, ms, s, m, h.
type Duration int64

// Common durations, for building scenarios in Go.
const (
	Nanosecond  Duration = 1
	Microsecond          = 1000 * Nanosecond
	Millisecond          = 1000 * Microsecond
	Second               = 1000 * Millisecond
	Minute               = 60 * Second
	Hour                 = 60 * Minute
)

// Size is an amount of data in bytes. Units: B, KB, MB, GB, TB (powers of
// 1000) and KiB, MiB, GiB, TiB (powers of 1024).
type Size int64

// BitRate is a link bandwidth in bits per second. Units: bps, Kbps, Mbps,
// Gbps, Tbps (powers of 1000).
type BitRate float64

// FLOPRate is an effective compute rate in floating-point operations per
// second. Units: FLOPS, KFLOPS, MFLOPS, GFLOPS, TFLOPS, PFLOPS.
type FLOPRate float64

// HashRate is a proof-of-work hashing rate in hashes per second. Units: H/s,
// KH/s, MH/s, GH/s, TH/s, PH/s, EH/s.
type HashRate float64

// Power is an electrical power draw in watts. Units: W, kW, MW.
type Power float64

// Frequency is a rate of events per hour (crashes of a node). Units: /h,
// /m, /s ("0.5/h" is one crash every two hours on average).
type Frequency float64

// unit is a suffix and its multiplier: 10^exp10 times mult.
type unit struct {
	name  string
	exp10 int
	mult  int64
}

var (
	durationUnits = []unit{{"ns", 0, 1}, {"us", 3, 1}, {"ms", 6, 1}, {"s", 9, 1}, {"m", 9, 60}, {"h", 9, 3600}}
	sizeUnits     = []unit{{"B", 0, 1}, {"KB", 3, 1}, {"MB", 6, 1}, {"GB", 9, 1}, {"TB", 12, 1},
		{"KiB", 0, 1 << 10}, {"MiB", 0, 1 << 20}, {"GiB", 0, 1 << 30}, {"TiB", 0, 1 << 40}}
	bitRateUnits  = []unit{{"bps", 0, 1}, {"Kbps", 3, 1}, {"Mbps", 6, 1}, {"Gbps", 9, 1}, {"Tbps", 12, 1}}
	flopRateUnits = []unit{{"FLOPS", 0, 1}, {"KFLOPS", 3, 1}, {"MFLOPS", 6, 1}, {"GFLOPS", 9, 1}, {"TFLOPS", 12, 1}, {"PFLOPS", 15, 1}}
	hashRateUnits = []unit{{"H/s", 0, 1}, {"KH/s", 3, 1}, {"MH/s", 6, 1}, {"GH/s", 9, 1}, {"TH/s", 12, 1}, {"PH/s", 15, 1}, {"EH/s", 18, 1}}
	powerUnits    = []unit{{"W", 0, 1}, {"kW", 3, 1}, {"MW", 6, 1}}
	// Frequencies are counted per hour: per minute and per second are
	// whole multiples of it.
	frequencyUnits = []unit{{"/h", 0, 1}, {"/m", 0, 60}, {"/s", 0, 3600}}
)

// quantity is implemented by every unit type so that the loader can say what
// it expected when a file gives a bare number.
type quantity interface {
	help() string
}

func (Duration) help() string { return "a duration " + unitNames(durationUnits, `"600s"`) }
func (Size) help() string     { return "a size " + unitNames(sizeUnits, `"535KB"`) }
func (BitRate) help() string  { return "a bit rate " + unitNames(bitRateUnits, `"19.2Mbps"`) }
func (FLOPRate) help() string { return "a compute rate " + unitNames(flopRateUnits, `"100GFLOPS"`) }
func (HashRate) help() string { return "a hash rate " + unitNames(hashRateUnits, `"14TH/s"`) }
func (Power) help() string    { return "a power " + unitNames(powerUnits, `"65W"`) }
func (Frequency) help() string {
	return "a rate of events " + unitNames(frequencyUnits, `"0.5/h"`)
}

func unitNames(us []unit, example string) string {
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.name
	}
	return "like " + example + " (units: " + strings.Join(names, ", ") + ")"
}

// maxExp10 bounds the exponent a quantity may be written with, so that a
// hostile "1e999999999s" cannot make the exact parser allocate huge numbers.
const maxExp10 = 400

// splitQuantity splits "1.5e3 Mbps" into the mantissa "1.5", the decimal
// exponent 3 and the unit "Mbps". The number is [+-]digits[.digits][e[+-]digits];
// an 'e' or 'E' only starts an exponent when a digit follows, so that "1EH/s"
// is one exa-hash per second.
func splitQuantity(s string) (mant string, exp int, unitName string, err error) {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return "", 0, "", fmt.Errorf("%q does not start with a number", s)
	}
	mant = s[:i]
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			if k-j > 4 {
				return "", 0, "", fmt.Errorf("exponent of %q out of range", s)
			}
			e, _ := strconv.Atoi(s[i+1 : k]) // at most 4 digits and a sign: cannot fail
			exp = e
			i = k
		}
	}
	if exp > maxExp10 || exp < -maxExp10 {
		return "", 0, "", fmt.Errorf("exponent of %q out of range", s)
	}
	return mant, exp, strings.TrimSpace(s[i:]), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// lookupUnit finds the unit of a quantity, with an error that lists the
// accepted units.
func lookupUnit(s, name string, us []unit, help string) (unit, error) {
	if name == "" {
		return unit{}, fmt.Errorf("%q has no unit: want %s", s, help)
	}
	for _, u := range us {
		if u.name == name {
			return u, nil
		}
	}
	return unit{}, fmt.Errorf("unknown unit %q in %q: want %s", name, s, help)
}

// parseInt parses a quantity into an exact integer count of base units.
func parseInt(text []byte, us []unit, help string) (int64, error) {
	s := string(text)
	mant, exp, name, err := splitQuantity(s)
	if err != nil {
		return 0, fmt.Errorf("%w: want %s", err, help)
	}
	u, err := lookupUnit(s, name, us, help)
	if err != nil {
		return 0, err
	}
	r, ok := new(big.Rat).SetString(mant)
	if !ok {
		return 0, fmt.Errorf("%q is not a number: want %s", s, help)
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp+u.exp10))), nil))
	if exp+u.exp10 >= 0 {
		r.Mul(r, scale)
	} else {
		r.Quo(r, scale)
	}
	r.Mul(r, new(big.Rat).SetInt64(u.mult))
	if !r.IsInt() {
		return 0, fmt.Errorf("%q is not a whole number of %s", s, us[0].name)
	}
	n := r.Num()
	if !n.IsInt64() {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return n.Int64(), nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// parseFloat parses a quantity into the float64 nearest to its exact value.
func parseFloat(text []byte, us []unit, help string) (float64, error) {
	s := string(text)
	mant, exp, name, err := splitQuantity(s)
	if err != nil {
		return 0, fmt.Errorf("%w: want %s", err, help)
	}
	u, err := lookupUnit(s, name, us, help)
	if err != nil {
		return 0, err
	}
	if strings.HasSuffix(mant, ".") {
		mant += "0"
	}
	if strings.HasPrefix(mant, ".") || strings.HasPrefix(mant, "-.") || strings.HasPrefix(mant, "+.") {
		mant = strings.Replace(mant, ".", "0.", 1)
	}
	v, err := strconv.ParseFloat(mant+"e"+strconv.Itoa(exp+u.exp10), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	// u.mult is 1 for every float unit; keep the general form for safety.
	return v * float64(u.mult), nil
}

// formatInt writes n in the largest unit that divides it exactly; units are
// tried in the order given, from the end.
func formatInt(n int64, us []unit, prefer []string) string {
	for _, name := range prefer {
		for _, u := range us {
			if u.name != name {
				continue
			}
			m := u.mult
			for range u.exp10 {
				m *= 10
			}
			if n%m == 0 {
				return strconv.FormatInt(n/m, 10) + u.name
			}
		}
	}
	return strconv.FormatInt(n, 10) + us[0].name
}

// formatFloat writes v in the largest unit not above |v|, as the shortest
// decimal that parses back to v.
func formatFloat(v float64, us []unit) string {
	u := us[0]
	for _, c := range us {
		if c.mult == 1 && math.Abs(v) >= math.Pow10(c.exp10) {
			u = c
		}
	}
	return shiftDecimal(v, u.exp10) + u.name
}

// shiftDecimal returns the shortest decimal representation of v/10^k, built
// from v's own shortest representation by moving the decimal point, so that
// parsing it with the exponent k restored gives back exactly v.
func shiftDecimal(v float64, k int) string {
	if v == 0 {
		return "0"
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	e := strconv.FormatFloat(v, 'e', -1, 64) // "-1.92e+07"
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	ePos := strings.IndexByte(e, 'e')
	digits := strings.Replace(e[:ePos], ".", "", 1)
	exp, _ := strconv.Atoi(e[ePos+1:]) // FormatFloat's exponent always parses
	exp -= k
	if exp > 20 || exp < -20 {
		return sign + digits[:1] + dotRest(digits[1:]) + "e" + strconv.Itoa(exp)
	}
	p := exp + 1 // digits before the decimal point
	switch {
	case p >= len(digits):
		return sign + digits + strings.Repeat("0", p-len(digits))
	case p <= 0:
		return sign + "0." + strings.Repeat("0", -p) + digits
	default:
		return sign + digits[:p] + "." + digits[p:]
	}
}

func dotRest(s string) string {
	if s == "" {
		return ""
	}
	return "." + s
}

// UnmarshalText parses a duration such as "600s" or "1.5h".
func (d *Duration) UnmarshalText(text []byte) error {
	n, err := parseInt(text, durationUnits, Duration(0).help())
	if err != nil {
		return err
	}
	*d = Duration(n)
	return nil
}

// MarshalText writes the duration in seconds when it is a whole number of
// seconds (the unit scenario files use most), else in ms, us or ns.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String is the MarshalText form.
func (d Duration) String() string {
	return formatInt(int64(d), durationUnits, []string{"s", "ms", "us"})
}

// Seconds is the duration in seconds.
func (d Duration) Seconds() float64 { return float64(d) / 1e9 }

// UnmarshalText parses a size such as "535KB" or "4KiB".
func (s *Size) UnmarshalText(text []byte) error {
	n, err := parseInt(text, sizeUnits, Size(0).help())
	if err != nil {
		return err
	}
	*s = Size(n)
	return nil
}

// MarshalText writes the size in the largest decimal unit that divides it,
// else the largest binary one, else bytes.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// String is the MarshalText form.
func (s Size) String() string {
	if s == 0 {
		return "0B"
	}
	return formatInt(int64(s), sizeUnits, []string{"TB", "GB", "MB", "KB", "TiB", "GiB", "MiB", "KiB"})
}

// UnmarshalText parses a bit rate such as "19.2Mbps".
func (r *BitRate) UnmarshalText(text []byte) error {
	v, err := parseFloat(text, bitRateUnits, BitRate(0).help())
	*r = BitRate(v)
	return err
}

// MarshalText writes the rate in the largest unit not above it.
func (r BitRate) MarshalText() ([]byte, error) { return marshalFloat(float64(r), r.String()) }

// String is the MarshalText form.
func (r BitRate) String() string { return formatFloat(float64(r), bitRateUnits) }

// BytesPerSecond converts the rate to bytes per second.
func (r BitRate) BytesPerSecond() float64 { return float64(r) / 8 }

// UnmarshalText parses a compute rate such as "100GFLOPS".
func (r *FLOPRate) UnmarshalText(text []byte) error {
	v, err := parseFloat(text, flopRateUnits, FLOPRate(0).help())
	*r = FLOPRate(v)
	return err
}

// MarshalText writes the rate in the largest unit not above it.
func (r FLOPRate) MarshalText() ([]byte, error) { return marshalFloat(float64(r), r.String()) }

// String is the MarshalText form.
func (r FLOPRate) String() string { return formatFloat(float64(r), flopRateUnits) }

// UnmarshalText parses a hash rate such as "14TH/s".
func (r *HashRate) UnmarshalText(text []byte) error {
	v, err := parseFloat(text, hashRateUnits, HashRate(0).help())
	*r = HashRate(v)
	return err
}

// MarshalText writes the rate in the largest unit not above it.
func (r HashRate) MarshalText() ([]byte, error) { return marshalFloat(float64(r), r.String()) }

// String is the MarshalText form.
func (r HashRate) String() string { return formatFloat(float64(r), hashRateUnits) }

// UnmarshalText parses a power such as "65W" or "1.35kW".
func (p *Power) UnmarshalText(text []byte) error {
	v, err := parseFloat(text, powerUnits, Power(0).help())
	*p = Power(v)
	return err
}

// MarshalText writes the power in the largest unit not above it.
func (p Power) MarshalText() ([]byte, error) { return marshalFloat(float64(p), p.String()) }

// String is the MarshalText form.
func (p Power) String() string { return formatFloat(float64(p), powerUnits) }

// marshalFloat refuses values that no scenario file can express, so that a
// resolved scenario always loads back.
func marshalFloat(v float64, s string) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("cannot write non-finite quantity %s", s)
	}
	return []byte(s), nil
}

// UnmarshalText parses a frequency such as "0.5/h" or "2/m".
func (f *Frequency) UnmarshalText(text []byte) error {
	v, err := parseFloat(text, frequencyUnits, Frequency(0).help())
	*f = Frequency(v)
	return err
}

// MarshalText writes the frequency per hour.
func (f Frequency) MarshalText() ([]byte, error) { return marshalFloat(float64(f), f.String()) }

// String is the MarshalText form.
func (f Frequency) String() string { return formatFloat(float64(f), frequencyUnits) }

// PerSecond is the frequency in events per second.
func (f Frequency) PerSecond() float64 { return float64(f) / 3600 }
