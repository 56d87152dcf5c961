package nn

import (
	"strings"
	"testing"
)

func TestParseArchRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		s      string
		layers []LayerSpec
	}{
		{"", nil},
		{"fc100-relu", []LayerSpec{{Kind: Dense, Units: 100, Act: ActReLU}}},
		{"conv8x5-relu,pool2,fc100-tanh", []LayerSpec{
			{Kind: Conv, Filters: 8, Kernel: 5, Act: ActReLU},
			{Kind: MaxPool, Size: 2},
			{Kind: Dense, Units: 100, Act: ActTanh},
		}},
		{"conv3x3-sigmoid,conv4x2-relu", []LayerSpec{
			{Kind: Conv, Filters: 3, Kernel: 3, Act: ActSigmoid},
			{Kind: Conv, Filters: 4, Kernel: 2, Act: ActReLU},
		}},
	} {
		a, err := ParseArch(tc.s, 1, 28, 28, 10)
		if err != nil {
			t.Fatalf("ParseArch(%q): %v", tc.s, err)
		}
		if len(a.Layers) != len(tc.layers) {
			t.Fatalf("ParseArch(%q) = %+v, want %+v", tc.s, a.Layers, tc.layers)
		}
		for i := range a.Layers {
			if a.Layers[i] != tc.layers[i] {
				t.Errorf("ParseArch(%q) layer %d = %+v, want %+v", tc.s, i, a.Layers[i], tc.layers[i])
			}
		}
		if got := a.String(); got != tc.s {
			t.Errorf("String() = %q, want %q", got, tc.s)
		}
	}
}

func TestParseArchErrors(t *testing.T) {
	for _, tc := range []struct {
		s, in string // in: "CxHxW"
		want  string
	}{
		{"fc0-relu", "", "outside"},
		{"fc10", "", "missing -<act>"},
		{"fc10-softmax", "", "unknown activation"},
		{"conv8-relu", "", "conv<filters>x<kernel>"},
		{"pool2-relu", "", "no activation"},
		{"lstm5-relu", "", "want conv, pool or fc"},
		{"fc1x-relu", "", "bad number"},
		{"fc+5-relu", "", "bad number"},
		{"fc99999999-relu", "", `layer 0 "fc99999999-relu": units: 99999999 is above the limit of 16384 (nn.MaxDim)`},
		{"fc64-relu,fc1000000-relu", "", `layer 1 "fc1000000-relu": units: 1000000 is above the limit of 16384 (nn.MaxDim)`},
		{"fc16385-relu", "", "units: 16385 is above the limit of 16384 (nn.MaxDim)"},
		{"fc000000000000000000000000016-relu", "", ""}, // leading zeros: 16
		{"conv8x65-relu", "", "kernel: 65 is above the limit of 64 (nn.MaxKernel)"},
		{"pool100", "", "size: 100 is above the limit of 64 (nn.MaxKernel)"},
		{"conv99999999999999999999999x3-relu", "", "filters: 99999999999999999999999 is above the limit of 16384"},
		{"fc-relu", "", "units: missing number"},
		{"conv4x5-relu,conv4x5-relu", "8x8", "does not fit"}, // 8 -> 4 -> (5 > 4)
		{"pool9", "8x8", "does not fit"},
		{strings.Repeat("fc2-relu,", MaxLayers) + "fc2-relu", "", "at most"},
	} {
		h := 28
		if tc.in == "8x8" {
			h = 8
		}
		_, err := ParseArch(tc.s, 1, h, h, 10)
		if tc.want == "" {
			if err != nil {
				t.Errorf("ParseArch(%.40q): %v", tc.s, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseArch(%.40q) error = %v, want it to contain %q", tc.s, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Arch{InC: 1, InH: 8, InW: 8, Classes: 10}
	for _, tc := range []struct {
		name string
		edit func(a *Arch)
		ok   bool
	}{
		{"softmax regression", func(a *Arch) {}, true},
		{"one class", func(a *Arch) { a.Classes = 1 }, false},
		{"zero width", func(a *Arch) { a.InW = 0 }, false},
		{"huge input", func(a *Arch) { a.InC, a.InH, a.InW = MaxDim, MaxDim, MaxDim }, false},
		{"conv without act", func(a *Arch) { a.Layers = []LayerSpec{{Kind: Conv, Filters: 2, Kernel: 3}} }, false},
		{"pool with act", func(a *Arch) { a.Layers = []LayerSpec{{Kind: MaxPool, Size: 2, Act: ActReLU}} }, false},
		{"unknown kind", func(a *Arch) { a.Layers = []LayerSpec{{Kind: 9}} }, false},
		{"kernel = input", func(a *Arch) { a.Layers = []LayerSpec{{Kind: Conv, Filters: 2, Kernel: 8, Act: ActTanh}} }, true},
		{"kernel > input", func(a *Arch) { a.Layers = []LayerSpec{{Kind: Conv, Filters: 2, Kernel: 9, Act: ActTanh}} }, false},
		{"too many params", func(a *Arch) {
			a.Layers = []LayerSpec{{Kind: Dense, Units: MaxDim, Act: ActReLU}, {Kind: Dense, Units: MaxDim, Act: ActReLU}}
		}, false},
	} {
		a := ok
		tc.edit(&a)
		if err := a.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestOutShape(t *testing.T) {
	a, err := ParseArch("conv2x3-relu,pool2,fc4-tanh", 1, 7, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	// 7x7 -> conv 3x3 VALID -> 5x5x2 -> pool 2 (floor) -> 2x2x2 -> 4 -> 3
	want := []Shape{{1, 7, 7}, {2, 5, 5}, {2, 2, 2}, {4, 1, 1}, {3, 1, 1}}
	for i, w := range want {
		got, err := a.OutShape(i - 1)
		if err != nil || got != w {
			t.Errorf("OutShape(%d) = %v, %v; want %v", i-1, got, err, w)
		}
	}
	if _, err := a.OutShape(4); err == nil {
		t.Error("OutShape(4) succeeded")
	}
}

// TestFLOPsByHand checks the accounting on a network small enough to count
// on paper: input 1x6x6, conv 2 filters 3x3, pool 2, fc 4, 3 classes.
func TestFLOPsByHand(t *testing.T) {
	a, err := ParseArch("conv2x3-relu,pool2,fc4-tanh", 1, 6, 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	// conv: 2x4x4 = 32 outputs x 9 MACs = 288 MACs
	//   forward 2*288+32 = 608; backward dW 576 + db 32 (no dX: first layer)
	// pool: 2x2x2 = 8 values, not counted
	// fc4: 8x4 = 32 MACs: forward 64+4 = 68; backward 64+4 + dX 64 = 132
	// out: 4x3 = 12 MACs: forward 24+3 = 27; backward 24+3 + dX 24 = 51
	f, b := a.FLOPs()
	if f != 703 || b != 791 {
		t.Errorf("FLOPs() = %v, %v; want 703, 791", f, b)
	}
	if got := a.TrainFLOPs(10, 2); got != 20*(703+791) {
		t.Errorf("TrainFLOPs(10, 2) = %v, want %v", got, 20*(703+791))
	}
	if got := a.EvalFLOPs(5); got != 5*703 {
		t.Errorf("EvalFLOPs(5) = %v, want %v", got, 5*703)
	}
	if n, _ := a.NumParams(); n != 20+36+15 {
		t.Errorf("NumParams() = %d, want 71", n)
	}
	// mlp on 28x28: forward 2*784*100+100 + 2*100*10+10.
	m, _ := Preset("mlp", 1, 28, 28, 10)
	if f, b := m.FLOPs(); f != 158910 || b != 160910 {
		t.Errorf("mlp FLOPs() = %v, %v; want 158910, 160910", f, b)
	}
}

func TestPreset(t *testing.T) {
	for name, want := range map[string]int{
		"mlp":  784*100 + 100 + 100*10 + 10,
		"mlp2": 784*256 + 256 + 256*128 + 128 + 128*10 + 10,
		"cnn":  8*25 + 8 + 8*12*12*10 + 10,
	} {
		a, err := Preset(name, 1, 28, 28, 10)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := a.NumParams(); n != want {
			t.Errorf("%s: %d parameters, want %d (the PyTorch peer's)", name, n, want)
		}
	}
	if _, err := Preset("resnet", 1, 28, 28, 10); err == nil {
		t.Error("unknown preset accepted")
	}
}
