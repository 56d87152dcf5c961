package dataset

import "fmt"

// FashionMNISTHead returns the first n images of Fashion-MNIST's 10000-image
// test partition (t10k files) from dir, or FashionMNISTDir when dir is "",
// named "fashion-mnist/head<n>". The problem market trains on such a fixed
// prefix: reading the 10000-image partition takes a sixth of the time and
// memory of the 60000-image one, and a market attempt trains on a few
// hundred images anyway. The partition is in the publisher's (shuffled)
// order, so a prefix holds every class. A missing file wraps
// ErrNotInstalled with the install hint, as FashionMNIST.
func FashionMNISTHead(dir string, n int) (*Set, error) {
	if dir == "" {
		dir = FashionMNISTDir
	}
	img, err := findFile(dir, "t10k-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lab, err := findFile(dir, "t10k-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	s, err := loadIDX(img, lab, 10)
	if err != nil {
		return nil, fmt.Errorf("fashion-mnist: %w", err)
	}
	if s.C != 1 || s.H != 28 || s.W != 28 {
		return nil, fmt.Errorf("fashion-mnist: %s holds %dx%dx%d images, want 1x28x28", img, s.C, s.H, s.W)
	}
	if n < 1 || n > s.Len() {
		return nil, fmt.Errorf("fashion-mnist: want the first n images with 1 <= n <= %d, got %d", s.Len(), n)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	h := s.Subset(idx)
	h.Name = fmt.Sprintf("fashion-mnist/head%d", n)
	return h, nil
}
