package dataset

import (
	"slices"
	"testing"
)

// TestTabularSets pins the shape, class counts, first sample and scaling of
// the embedded iris and wine sets (values from the files: iris row 1 is
// 5.1,3.5,1.4,0.2 with column ranges 4.3-7.9, 2.0-4.4, 1.0-6.9, 0.1-2.5).
func TestTabularSets(t *testing.T) {
	for _, tt := range []struct {
		name           string
		n, w           int
		counts         []int
		first0, first1 float32
	}{
		{"iris", 150, 4, []int{50, 50, 50}, float32((5.1 - 4.3) / (7.9 - 4.3)), float32((3.5 - 2.0) / (4.4 - 2.0))},
		{"wine", 178, 13, []int{59, 71, 48}, float32((14.23 - 11.03) / (14.83 - 11.03)), float32((1.71 - 0.74) / (5.80 - 0.74))},
	} {
		s, _, err := ByName(tt.name, "")
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != tt.n || s.C != 1 || s.H != 1 || s.W != tt.w || s.Classes != 3 {
			t.Fatalf("%s: %d samples %dx%dx%d, %d classes", tt.name, s.Len(), s.C, s.H, s.W, s.Classes)
		}
		if got := s.ClassCounts(); !slices.Equal(got, tt.counts) {
			t.Errorf("%s: class counts %v, want %v", tt.name, got, tt.counts)
		}
		x, _ := s.Sample(0)
		if x[0] != tt.first0 || x[1] != tt.first1 {
			t.Errorf("%s: first sample starts %v %v, want %v %v", tt.name, x[0], x[1], tt.first0, tt.first1)
		}
		for i, v := range s.X {
			if v < 0 || v > 1 {
				t.Fatalf("%s: value %d = %v outside [0,1]", tt.name, i, v)
			}
		}
		s.X[0] = 9 // the caller owns its copy
		if again, _, _ := ByName(tt.name, ""); again.X[0] == 9 {
			t.Errorf("%s: a returned set shares memory with the cache", tt.name)
		}
	}
	if _, err := parseTabular("bad", []byte("2,1,a,b\n0.5,0\n0.7,2\n"), 2, 1, 2); err == nil {
		t.Error("a label out of range was accepted")
	}
}
