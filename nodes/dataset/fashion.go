package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotInstalled is wrapped by the errors of loaders whose data is not on
// this machine, so that a command can tell "install it" apart from "it is
// corrupt" with errors.Is.
var ErrNotInstalled = errors.New("dataset not installed")

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs
// the four gzipped IDX files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// fashionHint tells the user how to get Fashion-MNIST.
const fashionHint = "install it with `apt-get install -y dataset-fashion-mnist` or point --data-dir at a directory holding the IDX files"

// FashionMNIST reads Zalando's Fashion-MNIST (28x28 grey images of 10 kinds of
// clothing, 60000 training and 10000 test samples; MIT licence) from dir,
// or from FashionMNISTDir when dir is "". The directory must hold
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each either as is or with a ".gz" suffix. If a
// file is missing the error wraps ErrNotInstalled and says how to install
// the data. The sets are named "fashion-mnist/train" and "fashion-mnist/test".
func FashionMNIST(dir string) (train, test *Set, err error) {
	if dir == "" {
		dir = FashionMNISTDir
	}
	load := func(prefix, name string) (*Set, error) {
		img, err := findFile(dir, prefix+"-images-idx3-ubyte")
		if err != nil {
			return nil, err
		}
		lab, err := findFile(dir, prefix+"-labels-idx1-ubyte")
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
		s.Name = name
		return s, nil
	}
	if train, err = load("train", "fashion-mnist/train"); err != nil {
		return nil, nil, err
	}
	if test, err = load("t10k", "fashion-mnist/test"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// findFile returns dir/base.gz or dir/base, whichever exists (the gzipped
// name first, as Debian ships it).
func findFile(dir, base string) (string, error) {
	for _, name := range []string{base + ".gz", base} {
		p := filepath.Join(dir, name)
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("fashion-mnist: %w", err)
		}
	}
	return "", fmt.Errorf("fashion-mnist: %s(.gz) not found in %s: %w; %s", base, dir, ErrNotInstalled, fashionHint)
}

// Names lists the data sets ByName knows, in a fixed order.
func Names() []string { return []string{"digits", "fashion-mnist", "iris", "wine"} }

// ByName loads a data set by the name a scenario or command line uses:
// "digits", "iris", "wine" (embedded; dir is ignored) or "fashion-mnist" (from dir, or
// FashionMNISTDir when dir is ""). A set that ships with a test partition
// returns it as test; digits has none, so test is nil and the caller makes
// one with Split.
func ByName(name, dir string) (train, test *Set, err error) {
	switch name {
	case "digits":
		train, err = Digits()
		return train, nil, err
	case "fashion-mnist":
		return FashionMNIST(dir)
	case "iris":
		train, err = Iris()
		return train, nil, err
	case "wine":
		train, err = Wine()
		return train, nil, err
	}
	return nil, nil, fmt.Errorf("unknown data set %q (known: %q)", name, Names())
}
