package nn

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// TestEncodingByHand pins the byte layout and the commitment of a model
// small enough to write out: softmax regression from 2 inputs to 2 classes.
// The expected bytes and SHA-256 were produced independently with Python's
// struct and hashlib.
func TestEncodingByHand(t *testing.T) {
	a := Arch{InC: 1, InH: 1, InW: 2, Classes: 2}
	m, err := NewModel(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	copy(m.Params, []float32{1, -2, 0.5, 0, 0.25, -1})
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	const want = "4341494d" + "0100" + "01000000" + "01000000" + "02000000" + "02000000" + "0000" + "06000000" +
		"0000803f" + "000000c0" + "0000003f" + "00000000" + "0000803e" + "000080bf"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("encoding\n got %s\nwant %s", got, want)
	}
	c := m.Commitment()
	if got := hex.EncodeToString(c[:]); got != "7c6035b8692556f596048fed80876a99f0b62db28c3f483a561d201afc9956bc" {
		t.Errorf("Commitment() = %s", got)
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	for _, s := range []string{"", "fc7-sigmoid", "conv3x3-relu,pool2,fc5-tanh", "pool2,conv2x2-tanh"} {
		a, err := ParseArch(s, 2, 8, 9, 4)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewModel(a, 99)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := UnmarshalModel(b)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		b2, _ := m2.MarshalBinary()
		if !bytes.Equal(b, b2) || m2.Arch.String() != s || m2.Commitment() != m.Commitment() {
			t.Errorf("%q: round trip changed the model", s)
		}
	}
}

func TestUnmarshalHostile(t *testing.T) {
	a, _ := ParseArch("conv2x3-relu,fc3-relu", 1, 5, 5, 2)
	m, _ := NewModel(a, 1)
	good, _ := m.MarshalBinary()
	patch := func(off int, bs ...byte) []byte {
		b := bytes.Clone(good)
		copy(b[off:], bs)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"magic", patch(0, 'X'), "magic"},
		{"version", patch(4, 2), "version"},
		{"layers > max", patch(22, 0xff, 0xff), "layers"},
		{"layers truncated", good[:30], "truncated"},
		{"one class", patch(18, 1, 0, 0, 0), "classes"},
		{"huge input", patch(6, 0, 0, 0, 0x7f), "input shape"},
		{"huge units", patch(24+10+2, 0, 0, 0, 0x10), "units"},
		{"bad kind", patch(24, 7), "unknown kind"},
		{"bad act", patch(25, 9), "activation"},
		{"unused field", patch(24+10+6, 1), "unused"},
		{"param count", patch(44, 1), "declares"},
		{"short params", good[:len(good)-1], "bytes of parameters"},
		{"trailing", append(bytes.Clone(good), 0), "bytes of parameters"},
	} {
		_, err := UnmarshalModel(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// FuzzUnmarshalModel: decoding never panics, and whatever decodes
// re-encodes to the same bytes and can be evaluated.
func FuzzUnmarshalModel(f *testing.F) {
	for _, s := range []string{"", "fc3-relu", "conv2x2-tanh,pool2", "pool2,conv1x2-sigmoid,fc2-relu"} {
		a, _ := ParseArch(s, 1, 4, 5, 3)
		m, _ := NewModel(a, 1)
		b, _ := m.MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte("CAIM"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalModel(b)
		if err != nil {
			return
		}
		b2, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("re-encoding differs (err %v)", err)
		}
		if sz := m.Arch.InC * m.Arch.InH * m.Arch.InW; sz <= 1<<12 {
			x := make([]float32, sz)
			acc, _ := Evaluate(m, x, []uint8{0}, 1)
			if acc < 0 || acc > 1 {
				t.Fatalf("accuracy %v", acc)
			}
		}
	})
}
