package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDigits(t *testing.T) {
	s, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1797 || s.C != 1 || s.H != 8 || s.W != 8 || s.Classes != 10 || s.Name != "digits" {
		t.Fatalf("digits: len %d shape %dx%dx%d classes %d name %q", s.Len(), s.C, s.H, s.W, s.Classes, s.Name)
	}
	if len(s.X) != 1797*64 {
		t.Fatalf("len(X) = %d, want %d", len(s.X), 1797*64)
	}
	// Counted with awk on the shipped CSV's last column.
	want := []int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}
	if got := s.ClassCounts(); !slices.Equal(got, want) {
		t.Errorf("class counts %v, want %v", got, want)
	}
	// First line of the CSV: 0,0,5,13,9,1,0,0, 0,0,13,15,... label 0.
	// Last line: 0,0,10,14,8,1,0,0, ... label 8.
	for _, c := range []struct {
		sample, pixel int
		raw           float32
		label         uint8
	}{
		{0, 2, 5, 0}, {0, 3, 13, 0}, {0, 10, 13, 0}, {0, 0, 0, 0},
		{1796, 2, 10, 8}, {1796, 3, 14, 8}, {1796, 9, 2, 8},
	} {
		x, y := s.Sample(c.sample)
		if x[c.pixel] != c.raw/16 || y != c.label {
			t.Errorf("sample %d pixel %d = %v label %d, want %v label %d", c.sample, c.pixel, x[c.pixel], y, c.raw/16, c.label)
		}
	}
	for i, v := range s.X {
		if v < 0 || v > 1 {
			t.Fatalf("X[%d] = %v outside [0,1]", i, v)
		}
	}
}

func TestDigitsCopies(t *testing.T) {
	a, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	a.X[2] = 42
	a.Y[0] = 7
	b, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	if b.X[2] != 5.0/16 || b.Y[0] != 0 {
		t.Errorf("mutating one Digits result changed another: X[2]=%v Y[0]=%d", b.X[2], b.Y[0])
	}
}

func TestSplitSizes(t *testing.T) {
	for _, c := range []struct {
		n                   int
		val, test           float64
		wTrain, wVal, wTest int
	}{
		{1797, 0.1, 0.2, 1258, 180, 359}, // 179.7 -> 180, 359.4 -> 359
		{10, 0, 0, 10, 0, 0},
		{10, 0.5, 0.5, 0, 5, 5},
		{3, 0.5, 0.5, 0, 1, 2}, // 1.5 and 1.5 both round up; validation gives way
		{1, 0.25, 0.25, 1, 0, 0},
		{70000, 0, 1.0 / 7, 60000, 0, 10000},
	} {
		tr, va, te := SplitSizes(c.n, c.val, c.test)
		if tr != c.wTrain || va != c.wVal || te != c.wTest {
			t.Errorf("SplitSizes(%d, %v, %v) = %d,%d,%d want %d,%d,%d", c.n, c.val, c.test, tr, va, te, c.wTrain, c.wVal, c.wTest)
		}
	}
}

func TestCheckFractions(t *testing.T) {
	for _, c := range []struct {
		val, test float64
		ok        bool
	}{
		{0.1, 0.2, true}, {0, 0, true}, {0.5, 0.5, true}, {1, 0, true},
		{-0.1, 0.2, false}, {0.1, 1.2, false}, {0.6, 0.5, false},
		{nan(), 0.1, false}, {0.1, inf(), false},
	} {
		if err := CheckFractions(c.val, c.test); (err == nil) != c.ok {
			t.Errorf("CheckFractions(%v, %v) = %v, want ok=%v", c.val, c.test, err, c.ok)
		}
	}
}

func nan() float64 { z := 0.0; return z / z }
func inf() float64 { z := 0.0; return 1 / z }

// The expected permutations were computed by an independent Python
// implementation of PCG-DXSM (checked against Go's published test vector
// 0xc4f5a58656eef510 for NewPCG(1, 2)), Lemire's bounded draw and the
// Fisher-Yates loop documented on Permutation.
func TestPermutationKnown(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		n    int
		head []int
		tail []int
	}{
		{1, 10, []int{8, 1, 7, 4, 5, 9, 0, 3, 6, 2}, nil},
		{2, 10, []int{5, 1, 8, 0, 6, 4, 7, 3, 9, 2}, nil},
		{1, 1797, []int{571, 306, 674, 213, 692, 465, 915, 731}, []int{220, 776, 1288, 481}},
		{1, 1, []int{0}, nil},
		{1, 0, []int{}, nil},
	} {
		p := Permutation(c.seed, c.n)
		if len(p) != c.n {
			t.Fatalf("Permutation(%d, %d) has length %d", c.seed, c.n, len(p))
		}
		if got := p[:len(c.head)]; !slices.Equal(got, c.head) {
			t.Errorf("Permutation(%d, %d) starts %v, want %v", c.seed, c.n, got, c.head)
		}
		if got := p[len(p)-len(c.tail):]; !slices.Equal(got, c.tail) {
			t.Errorf("Permutation(%d, %d) ends %v, want %v", c.seed, c.n, got, c.tail)
		}
		sorted := slices.Sorted(slices.Values(p))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("Permutation(%d, %d) is not a permutation", c.seed, c.n)
			}
		}
	}
}

func TestSplit(t *testing.T) {
	s, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, val, test := s.Split(1, 0.1, 0.2)
	if train.Len() != 1258 || val.Len() != 180 || test.Len() != 359 {
		t.Fatalf("split sizes %d/%d/%d, want 1258/180/359", train.Len(), val.Len(), test.Len())
	}
	if train.Name != "digits/train" || val.Name != "digits/val" || test.Name != "digits/test" {
		t.Errorf("names %q %q %q", train.Name, val.Name, test.Name)
	}
	// Permutation(1, 1797) starts 571, 306 and ends 1288, 481.
	for _, c := range []struct {
		part *Set
		i    int
		src  int
	}{{train, 0, 571}, {train, 1, 306}, {test, 357, 1288}, {test, 358, 481}} {
		x, y := c.part.Sample(c.i)
		wx, wy := s.Sample(c.src)
		if !slices.Equal(x, wx) || y != wy {
			t.Errorf("%s sample %d is not digits sample %d", c.part.Name, c.i, c.src)
		}
	}
	// The parts partition the set: class counts add up.
	sum := make([]int, 10)
	for _, p := range []*Set{train, val, test} {
		for k, n := range p.ClassCounts() {
			sum[k] += n
		}
	}
	if !slices.Equal(sum, s.ClassCounts()) {
		t.Errorf("class counts of parts sum to %v, want %v", sum, s.ClassCounts())
	}
	// Same seed, same split; other seed, other split.
	train2, _, _ := s.Split(1, 0.1, 0.2)
	if !slices.Equal(train.X, train2.X) || !slices.Equal(train.Y, train2.Y) {
		t.Error("Split(1) is not deterministic")
	}
	train3, _, _ := s.Split(2, 0.1, 0.2)
	if slices.Equal(train.Y, train3.Y) {
		t.Error("Split(2) equals Split(1)")
	}
	// Parts share nothing with the source.
	train.X[0] = 9
	if x, _ := s.Sample(571); x[0] == 9 {
		t.Error("Split part aliases the source")
	}
}

func TestSplitPanicsOnBadFractions(t *testing.T) {
	s := &Set{C: 1, H: 1, W: 1, Classes: 1, X: []float32{0}, Y: []uint8{0}}
	defer func() {
		if recover() == nil {
			t.Error("Split(0.7, 0.7) did not panic")
		}
	}()
	s.Split(1, 0.7, 0.7)
}

func TestSubset(t *testing.T) {
	s := &Set{Name: "t", C: 1, H: 1, W: 2, Classes: 3,
		X: []float32{0, 0.1, 1, 1.1, 2, 2.1}, Y: []uint8{0, 1, 2}}
	got := s.Subset([]int{2, 0, 2})
	if !slices.Equal(got.X, []float32{2, 2.1, 0, 0.1, 2, 2.1}) || !slices.Equal(got.Y, []uint8{2, 0, 2}) {
		t.Errorf("Subset = %v %v", got.X, got.Y)
	}
	if got.W != 2 || got.Classes != 3 || got.Name != "t" {
		t.Errorf("Subset lost shape: %+v", got)
	}
}

// tinyImages is a hand-made IDX image file: 2 images of 2x3 pixels.
var tinyImages = []byte{
	0, 0, 0x08, 3, // magic: unsigned bytes, 3 dimensions
	0, 0, 0, 2, // 2 images
	0, 0, 0, 2, // 2 rows
	0, 0, 0, 3, // 3 columns
	0, 51, 102, 153, 204, 255,
	255, 0, 0, 0, 0, 17,
}

// tinyLabels is the matching label file: labels 1 and 4, so the inferred
// class count is 5.
var tinyLabels = []byte{0, 0, 0x08, 1, 0, 0, 0, 2, 1, 4}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestLoadIDXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name     string
		img, lab []byte
	}{
		{"plain", tinyImages, tinyLabels},
		{"gzip", gz(tinyImages), gz(tinyLabels)},
		{"mixed", tinyImages, gz(tinyLabels)},
	} {
		ip := filepath.Join(dir, c.name+"-images-idx3-ubyte")
		lp := filepath.Join(dir, c.name+"-labels-idx1-ubyte")
		if err := os.WriteFile(ip, c.img, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lp, c.lab, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := LoadIDX(ip, lp)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		wantX := []float32{0, 51.0 / 255, 102.0 / 255, 153.0 / 255, 204.0 / 255, 1, 1, 0, 0, 0, 0, 17.0 / 255}
		if s.Name != c.name || s.Len() != 2 || s.C != 1 || s.H != 2 || s.W != 3 || s.Classes != 5 {
			t.Errorf("%s: got %q len %d shape %dx%dx%d classes %d", c.name, s.Name, s.Len(), s.C, s.H, s.W, s.Classes)
		}
		if !slices.Equal(s.X, wantX) || !slices.Equal(s.Y, []uint8{1, 4}) {
			t.Errorf("%s: X %v Y %v", c.name, s.X, s.Y)
		}
	}
}

func TestLoadIDXErrorsNameFile(t *testing.T) {
	dir := t.TempDir()
	ip := filepath.Join(dir, "imgs")
	lp := filepath.Join(dir, "labs")
	os.WriteFile(ip, tinyImages, 0o644)
	os.WriteFile(lp, tinyLabels[:9], 0o644) // one label short
	_, err := LoadIDX(ip, lp)
	if err == nil || !strings.Contains(err.Error(), lp) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated labels: error %v should name %s and say truncated", err, lp)
	}
	_, err = LoadIDX(filepath.Join(dir, "missing"), lp)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v does not wrap ErrNotExist", err)
	}
}

func TestDecodeIDXHostile(t *testing.T) {
	with := func(b []byte, edits map[int]byte) []byte {
		c := slices.Clone(b)
		for i, v := range edits {
			c[i] = v
		}
		return c
	}
	badCRC := gz(tinyImages)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer
	for _, c := range []struct {
		name     string
		img, lab []byte
		classes  int
		want     string
	}{
		{"empty images", nil, tinyLabels, 0, "images: reading magic"},
		{"bad magic", with(tinyImages, map[int]byte{0: 1}), tinyLabels, 0, "not an IDX file"},
		{"float type", with(tinyImages, map[int]byte{2: 0x0d}), tinyLabels, 0, "0x0d not supported"},
		{"zero dims", []byte{0, 0, 8, 0}, tinyLabels, 0, "zero dimensions"},
		{"short header", tinyImages[:10], tinyLabels, 0, "dimension sizes"},
		{"zero size", with(tinyImages, map[int]byte{11: 0}), tinyLabels, 0, "size 0"},
		{"huge dims", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1}, tinyLabels, 0, "more than"},
		{"truncated", tinyImages[:len(tinyImages)-1], tinyLabels, 0, "truncated"},
		{"trailing", append(slices.Clone(tinyImages), 0), tinyLabels, 0, "trailing"},
		{"count mismatch", tinyImages, []byte{0, 0, 8, 1, 0, 0, 0, 3, 0, 0, 0}, 0, "2 samples but labels file has 3"},
		{"labels 2-d", tinyImages, []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0}, 0, "labels: 2 dimensions"},
		{"images 1-d", []byte{0, 0, 8, 1, 0, 0, 0, 2, 9, 9}, tinyLabels, 0, "images: 1 dimensions"},
		{"label range", tinyImages, tinyLabels, 4, "label 4 of sample 1 not below 4"},
		{"classes arg", tinyImages, tinyLabels, -1, "classes -1"},
		{"gzip garbage", []byte{0x1f, 0x8b, 1, 2, 3}, tinyLabels, 0, "images:"},
		{"gzip bad crc", badCRC, tinyLabels, 0, "checksum"},
	} {
		s, err := DecodeIDX(bytes.NewReader(c.img), bytes.NewReader(c.lab), c.classes)
		if err == nil {
			t.Errorf("%s: no error, got set of %d", c.name, s.Len())
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}

func TestFashionMNISTNotInstalled(t *testing.T) {
	_, _, err := FashionMNIST(t.TempDir())
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("error %v does not wrap ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y dataset-fashion-mnist") {
		t.Errorf("error %q does not say how to install", err)
	}
}

func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	if testing.Short() {
		t.Skip("loading 30 MB of IDX in -short mode")
	}
	train, test, err := ByName("fashion-mnist", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    *Set
		name string
		n    int
	}{{train, "fashion-mnist/train", 60000}, {test, "fashion-mnist/test", 10000}} {
		if c.s.Name != c.name || c.s.Len() != c.n || c.s.Dim() != 784 || c.s.Classes != 10 {
			t.Errorf("%s: name %q len %d dim %d classes %d", c.name, c.s.Name, c.s.Len(), c.s.Dim(), c.s.Classes)
		}
		// Fashion-MNIST is balanced: 6000 and 1000 samples per class.
		for k, n := range c.s.ClassCounts() {
			if n != c.n/10 {
				t.Errorf("%s: class %d has %d samples, want %d", c.name, k, n, c.n/10)
			}
		}
		// The first sample of both partitions is an ankle boot (label 9).
		if c.s.Y[0] != 9 {
			t.Errorf("%s: first label %d, want 9", c.name, c.s.Y[0])
		}
	}
}

func TestByName(t *testing.T) {
	train, test, err := ByName("digits", "/nonexistent")
	if err != nil || train.Len() != 1797 || test != nil {
		t.Errorf("ByName(digits) = %v, %v, %v", train, test, err)
	}
	if _, _, err := ByName("cifar", ""); err == nil || !strings.Contains(err.Error(), "unknown data set") {
		t.Errorf("ByName(cifar) error %v", err)
	}
	if _, _, err := ByName("fashion-mnist", t.TempDir()); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("ByName(fashion-mnist, empty dir) error %v", err)
	}
}

func FuzzLoadIDX(f *testing.F) {
	f.Add(tinyImages, tinyLabels)
	f.Add(gz(tinyImages), gz(tinyLabels))
	f.Add(tinyImages[:12], tinyLabels)
	f.Add([]byte{0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7}, []byte{0, 0, 8, 1, 0, 0, 0, 1, 0})
	f.Add([]byte{0, 0, 8, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 200}, []byte{0, 0, 8, 1, 0, 0, 0, 1, 255})
	f.Add([]byte{0x1f, 0x8b}, []byte{})
	f.Fuzz(func(t *testing.T, img, lab []byte) {
		s, err := DecodeIDX(bytes.NewReader(img), bytes.NewReader(lab), 0)
		if err != nil {
			return
		}
		if s.Len() == 0 || len(s.X) != s.Len()*s.Dim() || s.Dim() == 0 {
			t.Fatalf("inconsistent set: len %d dim %d len(X) %d", s.Len(), s.Dim(), len(s.X))
		}
		for _, y := range s.Y {
			if int(y) >= s.Classes {
				t.Fatalf("label %d not below %d classes", y, s.Classes)
			}
		}
		for _, v := range s.X {
			if v < 0 || v > 1 {
				t.Fatalf("value %v outside [0,1]", v)
			}
		}
	})
}
