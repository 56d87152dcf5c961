package grammar

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/nn"
)

// Each expected architecture below was worked out by hand from the hex
// spelling of the hash (printf %s | sha256sum), following the reading in the
// package documentation. The comments list the digits consumed.
func TestDecodeHandWorked(t *testing.T) {
	for _, c := range []struct {
		preimage string
		inH, inW int
		want     string
	}{
		// 0892eef0...; digits: convs 0%2=0; fcs 1+8%2=1; units [16 32 48 64][9%4=1]=32;
		// act [relu tanh][2%2=0]=relu.
		{"coinai", 8, 8, "fc32-relu"},
		// 9a59c5f8...; convs 9%2=1; filters a=10%4=2 -> 12; kernel 3 (single
		// choice, no digit); act 5%2=1 tanh; pool 9%2=1 -> 2; fcs 1+c=12%2=1;
		// units 5%4=1 -> 32; act f=15%2=1 tanh.
		{"block1", 8, 8, "conv12x3-tanh,pool2,fc32-tanh"},
		// ba7816bf8f...; convs b=11%2=1; filters a%4=2 -> 12; act 7%2=1 tanh;
		// pool 8%2=0 none; fcs 1+1%2=2; units 6%4=2 -> 48, act b%2=1 tanh;
		// units f%4=3 -> 64, act 8%2=0 relu.
		{"abc", 8, 8, "conv12x3-tanh,fc48-tanh,fc64-relu"},
		// 2cf24dba...; convs 2%2=0; fcs 1+c%2=1; units f%4=3 -> 64; act 2%2=0 relu.
		{"hello", 8, 8, "fc64-relu"},
		// e3b0c442...; convs e%2=0; fcs 1+3%2=2; units b%4=3 -> 64, act 0 relu;
		// units c%4=0 -> 16, act 4%2=0 relu.
		{"", 8, 8, "fc64-relu,fc16-relu"},
		// 28x28: convs 0..2, kernels [3 5], units [32 64 96 128].
		// aeebad4a79...; convs a=10%3=1; filters e%4=2 -> 12; kernel e%2=0 -> 3;
		// act b%2=1 tanh; pool a%2=0 none; fcs 1+d%2=2; units 4%4=0 -> 32,
		// act a%2=0 relu; units 7%4=3 -> 128, act 9%2=1 tanh.
		{"genesis", 28, 28, "conv12x3-tanh,fc32-relu,fc128-tanh"},
		// ba7816bf8f01cfea...; convs b=11%3=2; conv1: filters a%4=2 -> 12,
		// kernel 7%2=1 -> 5, act 8%2=0 relu, pool 1%2=1 -> 2; conv2: filters
		// 6%4=2 -> 12, kernel b%2=1 -> 5, act f%2=1 tanh, pool 8%2=0 none;
		// fcs 1+f%2=2; units 0 -> 32, act 1 tanh; units c%4=0 -> 32, act f tanh.
		// Shapes: 28 -> 24 -> 12 -> 8.
		{"abc", 28, 28, "conv12x5-relu,pool2,conv12x5-tanh,fc32-tanh,fc32-tanh"},
		// Flat input: no convolution decision, so digit 0 decides the dense
		// count. 0892...; fcs 1+0%2=1; units 8%4=0 -> 16; act 9%2=1 tanh.
		{"coinai", 1, 64, "fc16-tanh"},
	} {
		h := sha256.Sum256([]byte(c.preimage))
		a, err := Decode(h, DefaultRanges(1, c.inH, c.inW), 1, c.inH, c.inW, 10)
		if err != nil {
			t.Errorf("Decode(sha256(%q), %dx%d): %v", c.preimage, c.inH, c.inW, err)
			continue
		}
		if got := a.String(); got != c.want {
			t.Errorf("Decode(sha256(%q), %dx%d) = %q, want %q", c.preimage, c.inH, c.inW, got, c.want)
		}
		if a.InC != 1 || a.InH != c.inH || a.InW != c.inW || a.Classes != 10 {
			t.Errorf("Decode(sha256(%q)): shape %dx%dx%d classes %d", c.preimage, a.InC, a.InH, a.InW, a.Classes)
		}
	}
}

func TestDecodeWrapsAround(t *testing.T) {
	// 40 dense layers, each reading two digits: layers 32..39 read digits
	// 64..79, which wrap to digits 0..15.
	r := Ranges{MinFCs: 40, MaxFCs: 40, UnitChoices: []int{1, 2}, Activations: []nn.Activation{nn.ActReLU, nn.ActTanh}}
	h := sha256.Sum256([]byte("coinai")) // 0892eef0 ... 2116db
	a, err := Decode(h, r, 1, 1, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Layers) != 40 {
		t.Fatalf("%d layers, want 40", len(a.Layers))
	}
	for _, c := range []struct {
		layer, units int
		act          nn.Activation
	}{
		{0, 1, nn.ActReLU},  // digits 0, 8
		{1, 2, nn.ActReLU},  // digits 9, 2
		{31, 2, nn.ActTanh}, // digits d, b (the last byte, 0xdb)
		{32, 1, nn.ActReLU}, // digits 0, 8 again
		{33, 2, nn.ActReLU}, // digits 9, 2 again
	} {
		l := a.Layers[c.layer]
		if l.Kind != nn.Dense || l.Units != c.units || l.Act != c.act {
			t.Errorf("layer %d = %+v, want fc%d-%v", c.layer, l, c.units, c.act)
		}
	}
}

func TestDecodeSingleChoicesConsumeNothing(t *testing.T) {
	r := Ranges{
		MinConvs: 1, MaxConvs: 1, FilterChoices: []int{6}, KernelChoices: []int{3}, PoolChoices: []int{2},
		MinFCs: 1, MaxFCs: 1, UnitChoices: []int{20}, Activations: []nn.Activation{nn.ActSigmoid},
	}
	for _, pre := range []string{"coinai", "abc", "hello"} {
		a, err := Decode(sha256.Sum256([]byte(pre)), r, 1, 8, 8, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.String(); got != "conv6x3-sigmoid,pool2,fc20-sigmoid" {
			t.Errorf("sha256(%q) -> %q", pre, got)
		}
	}
}

func TestRangesValidate(t *testing.T) {
	small := func(edit func(*Ranges)) Ranges {
		r := DefaultRanges(1, 8, 8)
		edit(&r)
		return r
	}
	for _, c := range []struct {
		name    string
		r       Ranges
		c, h, w int
		want    string // "" for valid
	}{
		{"default digits", DefaultRanges(1, 8, 8), 1, 8, 8, ""},
		{"default fashion", DefaultRanges(1, 28, 28), 1, 28, 28, ""},
		{"default flat", DefaultRanges(1, 1, 64), 1, 1, 64, ""},
		{"default rgb", DefaultRanges(3, 32, 32), 3, 32, 32, ""},
		{"default tiny image", DefaultRanges(1, 5, 5), 1, 5, 5, ""},
		// 8 -(5x5)-> 4 -(pool 2)-> 2, and a second 5x5 kernel does not fit.
		{"two 5x5 on 8x8", small(func(r *Ranges) { r.MaxConvs = 2; r.KernelChoices = []int{3, 5} }), 1, 8, 8, "convolution 2 of up to 2: a 5x5 kernel does not fit the 2x2"},
		// Without pooling: 8 -> 4 -> 0: still does not fit.
		{"two 5x5 no pool", small(func(r *Ranges) { r.MaxConvs = 2; r.KernelChoices = []int{5}; r.PoolChoices = nil }), 1, 8, 8, "convolution 2 of up to 2: a 5x5 kernel does not fit the 4x4"},
		{"kernel 9 on 8x8", small(func(r *Ranges) { r.KernelChoices = []int{3, 9} }), 1, 8, 8, "convolution 1 of up to 1: a 9x9 kernel"},
		// 8 -(7x7)-> 2, pool 4 does not fit.
		{"pool too big", small(func(r *Ranges) { r.KernelChoices = []int{7}; r.PoolChoices = []int{0, 4} }), 1, 8, 8, "pooling after convolution 1"},
		{"conv on flat input", small(func(r *Ranges) {}), 1, 1, 64, "a 3x3 kernel does not fit the 1x64"},
		{"min > max convs", small(func(r *Ranges) { r.MinConvs = 2 }), 1, 8, 8, "convolutions 2..1"},
		{"negative fcs", small(func(r *Ranges) { r.MinFCs = -1 }), 1, 8, 8, "dense layers -1..2"},
		{"no filters", small(func(r *Ranges) { r.FilterChoices = nil }), 1, 8, 8, "no filter choices"},
		{"no filters, no convs", small(func(r *Ranges) { r.FilterChoices = nil; r.MaxConvs = 0 }), 1, 8, 8, ""},
		{"zero filters", small(func(r *Ranges) { r.FilterChoices = []int{0, 4} }), 1, 8, 8, "filter choice 0"},
		{"pool 1", small(func(r *Ranges) { r.PoolChoices = []int{0, 1} }), 1, 8, 8, "pool choice 1"},
		{"no units", small(func(r *Ranges) { r.UnitChoices = nil }), 1, 8, 8, "no unit choices"},
		{"huge units", small(func(r *Ranges) { r.UnitChoices = []int{nn.MaxDim + 1} }), 1, 8, 8, "unit choice 16385"},
		{"no activation", small(func(r *Ranges) { r.Activations = nil }), 1, 8, 8, "no activation choices"},
		{"linear activation", small(func(r *Ranges) { r.Activations = []nn.Activation{nn.ActNone} }), 1, 8, 8, "activation none"},
		{"too many layers", small(func(r *Ranges) { r.MaxFCs = 63 }), 1, 8, 8, "exceed 64 hidden layers"},
		{"bad input", DefaultRanges(1, 8, 8), 0, 8, 8, "input shape 0x8x8"},
		{"softmax only", Ranges{}, 1, 1, 4, ""},
	} {
		err := c.r.Validate(c.c, c.h, c.w)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: no error, want %q", c.name, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	h := sha256.Sum256([]byte("coinai"))
	bad := DefaultRanges(1, 8, 8)
	bad.KernelChoices = []int{9}
	if _, err := Decode(h, bad, 1, 8, 8, 10); err == nil || !strings.Contains(err.Error(), "9x9 kernel") {
		t.Errorf("Decode with unfit kernel: %v", err)
	}
	if _, err := Decode(h, DefaultRanges(1, 8, 8), 1, 8, 8, 1); err == nil || !strings.Contains(err.Error(), "classes") {
		t.Errorf("Decode with 1 class: %v", err)
	}
	// Valid ranges, but 64 layers of 16384 units exceed nn's parameter budget.
	huge := Ranges{MinFCs: 64, MaxFCs: 64, UnitChoices: []int{nn.MaxDim}, Activations: []nn.Activation{nn.ActReLU}}
	if _, err := Decode(h, huge, 1, 1, 4, 2); err == nil || !strings.Contains(err.Error(), "parameters") {
		t.Errorf("Decode over the parameter budget: %v", err)
	}
}

// Over many hashes, DefaultRanges always decode to valid networks and every
// choice occurs.
func TestDecodeCoversChoices(t *testing.T) {
	for _, shape := range [][3]int{{1, 8, 8}, {1, 28, 28}, {1, 1, 64}} {
		r := DefaultRanges(shape[0], shape[1], shape[2])
		seen := map[string]bool{}
		for i := range 2000 {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(i))
			a, err := Decode(sha256.Sum256(b[:]), r, shape[0], shape[1], shape[2], 10)
			if err != nil {
				t.Fatalf("%v hash %d: %v", shape, i, err)
			}
			convs, fcs := 0, 0
			for _, l := range a.Layers {
				switch l.Kind {
				case nn.Conv:
					convs++
					seen["filters "+strconv.Itoa(l.Filters)] = true
					seen["kernel "+strconv.Itoa(l.Kernel)] = true
					seen["conv act "+l.Act.String()] = true
				case nn.MaxPool:
					seen["pool "+strconv.Itoa(l.Size)] = true
				case nn.Dense:
					fcs++
					seen["units "+strconv.Itoa(l.Units)] = true
					seen["fc act "+l.Act.String()] = true
				}
			}
			seen["convs "+strconv.Itoa(convs)] = true
			seen["fcs "+strconv.Itoa(fcs)] = true
		}
		var want []string
		for n := r.MinConvs; n <= r.MaxConvs; n++ {
			want = append(want, "convs "+strconv.Itoa(n))
		}
		for n := r.MinFCs; n <= r.MaxFCs; n++ {
			want = append(want, "fcs "+strconv.Itoa(n))
		}
		if r.MaxConvs > 0 {
			for _, f := range r.FilterChoices {
				want = append(want, "filters "+strconv.Itoa(f))
			}
			for _, k := range r.KernelChoices {
				want = append(want, "kernel "+strconv.Itoa(k))
			}
			for _, p := range r.PoolChoices[1:] {
				want = append(want, "pool "+strconv.Itoa(p))
			}
			for _, act := range r.Activations {
				want = append(want, "conv act "+act.String())
			}
		}
		for _, u := range r.UnitChoices {
			want = append(want, "units "+strconv.Itoa(u))
		}
		for _, act := range r.Activations {
			want = append(want, "fc act "+act.String())
		}
		for _, w := range want {
			if !seen[w] {
				t.Errorf("%v: %q never decoded from 2000 hashes", shape, w)
			}
		}
	}
}
