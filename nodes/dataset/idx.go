package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// IDX is the container format of MNIST and Fashion-MNIST: a 4-byte magic
// (two zero bytes, a type code, the number of dimensions), one big-endian
// uint32 per dimension, then the values in row-major order. Only the type code
// 0x08 (unsigned byte) is used by image data sets, and only it is accepted.
const idxTypeUint8 = 0x08

// MaxIDXValues bounds the number of values an IDX file may declare (a
// quarter of a billion bytes, 1 GiB once converted to float32; Fashion-MNIST's
// training images are 47 million). The header of a hostile file could
// otherwise make the decoder attempt an enormous allocation.
const MaxIDXValues = 1 << 28

// idxArray is a decoded IDX file.
type idxArray struct {
	dims []int
	data []byte
}

// readIDX decodes one IDX file of unsigned bytes from r, gunzipping it first
// if it starts with the gzip magic. It reads exactly what the header promises
// and rejects files that are shorter or longer, without allocating more than
// the input actually holds.
func readIDX(r io.Reader) (idxArray, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return idxArray{}, fmt.Errorf("opening gzip stream: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return idxArray{}, fmt.Errorf("reading magic: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return idxArray{}, fmt.Errorf("bad magic % x: not an IDX file", head)
	}
	if head[2] != idxTypeUint8 {
		return idxArray{}, fmt.Errorf("value type 0x%02x not supported (want 0x08, unsigned byte)", head[2])
	}
	nd := int(head[3])
	if nd == 0 {
		return idxArray{}, errors.New("zero dimensions")
	}
	raw := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, raw); err != nil {
		return idxArray{}, fmt.Errorf("reading %d dimension sizes: %w", nd, noEOF(err))
	}
	a := idxArray{dims: make([]int, nd)}
	total := 1
	for i := range a.dims {
		d := int(binary.BigEndian.Uint32(raw[4*i:]))
		if d == 0 {
			return idxArray{}, fmt.Errorf("dimension %d has size 0", i)
		}
		if d > MaxIDXValues/total {
			return idxArray{}, fmt.Errorf("dimensions %v declare more than %d values", a.dims[:i+1], MaxIDXValues)
		}
		a.dims[i] = d
		total *= d
	}
	// Read at most one byte more than promised: it tells trailing data apart
	// from a clean end, and a gzip stream's checksum is verified at its end.
	data, err := io.ReadAll(io.LimitReader(r, int64(total)+1))
	if err != nil {
		return idxArray{}, fmt.Errorf("reading values: %w", err)
	}
	switch {
	case len(data) < total:
		return idxArray{}, fmt.Errorf("truncated: header %v promises %d values, file holds %d", a.dims, total, len(data))
	case len(data) > total:
		return idxArray{}, fmt.Errorf("trailing data after the %d values that header %v promises", total, a.dims)
	}
	a.data = data
	return a, nil
}

// noEOF turns a clean EOF into ErrUnexpectedEOF: inside a header, running
// out of input is always a truncation.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// DecodeIDX builds a Set from an IDX image file and an IDX label file, each
// gzipped or not. The image file has 2, 3 or 4 dimensions: (n, features) is
// read as C=1, H=1, W=features; (n, H, W) as C=1; (n, C, H, W) as given. The
// label file has the single dimension n. Pixels are divided by 255.
//
// If classes > 0 every label must be below it; if classes == 0 the set's
// Classes is the largest label plus one. The input is treated as hostile:
// every inconsistency is an error, never a panic, and memory use is bounded
// by the input's actual size and MaxIDXValues.
func DecodeIDX(images, labels io.Reader, classes int) (*Set, error) {
	if classes < 0 || classes > 256 {
		return nil, fmt.Errorf("classes %d not in 0..256", classes)
	}
	img, err := readIDX(images)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	lab, err := readIDX(labels)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return assemble(img, lab, classes)
}

// assemble checks that an image array and a label array form a data set and
// converts them into a Set.
func assemble(img, lab idxArray, classes int) (*Set, error) {
	s := &Set{C: 1, H: 1}
	switch len(img.dims) {
	case 2:
		s.W = img.dims[1]
	case 3:
		s.H, s.W = img.dims[1], img.dims[2]
	case 4:
		s.C, s.H, s.W = img.dims[1], img.dims[2], img.dims[3]
	default:
		return nil, fmt.Errorf("images: %d dimensions, want 2, 3 or 4", len(img.dims))
	}
	if len(lab.dims) != 1 {
		return nil, fmt.Errorf("labels: %d dimensions, want 1", len(lab.dims))
	}
	if n, m := img.dims[0], lab.dims[0]; n != m {
		return nil, fmt.Errorf("images file has %d samples but labels file has %d", n, m)
	}
	maxLabel := 0
	for i, y := range lab.data {
		if classes > 0 && int(y) >= classes {
			return nil, fmt.Errorf("labels: label %d of sample %d not below %d classes", y, i, classes)
		}
		maxLabel = max(maxLabel, int(y))
	}
	s.Classes = classes
	if classes == 0 {
		s.Classes = maxLabel + 1
	}
	s.Y = lab.data
	s.X = make([]float32, len(img.data))
	for i, v := range img.data {
		s.X[i] = float32(v) / 255
	}
	return s, nil
}

// LoadIDX reads a Set from an IDX image file and an IDX label file, each
// gzipped or not (detected from the gzip magic, whatever the file name). The
// number of classes is the largest label plus one. The Set is named after the
// image file, without its "-images-idx3-ubyte.gz" style suffix. Errors name
// the offending file.
func LoadIDX(imagesPath, labelsPath string) (*Set, error) {
	return loadIDX(imagesPath, labelsPath, 0)
}

func loadIDX(imagesPath, labelsPath string, classes int) (*Set, error) {
	img, err := readIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	lab, err := readIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	s, err := assemble(img, lab, classes)
	if err != nil {
		return nil, fmt.Errorf("loading IDX pair %s and %s: %w", imagesPath, labelsPath, err)
	}
	s.Name = idxName(imagesPath)
	return s, nil
}

// readIDXFile decodes one IDX file, naming it in any error.
func readIDXFile(path string) (idxArray, error) {
	f, err := os.Open(path)
	if err != nil {
		return idxArray{}, fmt.Errorf("loading IDX file: %w", err)
	}
	defer f.Close()
	a, err := readIDX(f)
	if err != nil {
		return idxArray{}, fmt.Errorf("loading IDX file %s: %w", path, err)
	}
	return a, nil
}

// idxName strips the directory and conventional suffixes from an IDX path:
// "/d/train-images-idx3-ubyte.gz" becomes "train".
func idxName(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), ".gz")
	if i := strings.Index(name, "-images"); i > 0 {
		return name[:i]
	}
	if i := strings.Index(name, "-idx"); i > 0 {
		return name[:i]
	}
	return name
}
