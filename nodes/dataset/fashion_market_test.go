package dataset

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestFashionMNISTHead(t *testing.T) {
	if _, err := FashionMNISTHead(t.TempDir(), 10); !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "apt-get install -y dataset-fashion-mnist") {
		t.Errorf("empty dir: %v, want ErrNotInstalled with the install hint", err)
	}
	if _, err := FashionMNISTHead("", 1); errors.Is(err, ErrNotInstalled) {
		t.Skipf("Fashion-MNIST absent: %v", err)
	}
	for _, tc := range []struct {
		n       int
		wantErr bool
	}{{10, false}, {1000, false}, {0, true}, {10001, true}} {
		s, err := FashionMNISTHead("", tc.n)
		if (err != nil) != tc.wantErr {
			t.Errorf("n=%d: err %v, want error %v", tc.n, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if s.Len() != tc.n || s.Classes != 10 || s.H != 28 || s.Name != "fashion-mnist/head"+strconv.Itoa(tc.n) {
			t.Errorf("n=%d: %d samples, %d classes, %dx%d, name %q", tc.n, s.Len(), s.Classes, s.H, s.W, s.Name)
		}
	}
	// The head is the partition's prefix: the first 10 labels of t10k
	// (ankle boot, pullover, trouser, trouser, shirt, trouser, coat, shirt,
	// sandal, sneaker).
	s, _ := FashionMNISTHead("", 10)
	want := []uint8{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}
	for i, y := range s.Y {
		if y != want[i] {
			t.Fatalf("labels %v, want %v", s.Y, want)
		}
	}
}
