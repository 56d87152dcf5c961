package dataset

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

// The two small tabular sets of the problem market, embedded like digits
// (see data/PROVENANCE.md): each is a header row "n,features,class names..."
// and n rows of features then the label.
var (
	//go:embed data/iris.csv
	irisCSV []byte
	//go:embed data/wine_data.csv
	wineCSV []byte
)

type tabularCache struct {
	once sync.Once
	set  *Set
	err  error
}

var irisCache, wineCache tabularCache

// Iris returns Fisher's iris set: 150 samples of 4 measurements (C=1, H=1,
// W=4), 3 classes, each feature scaled to [0,1] by its minimum and maximum
// over the whole set. It is embedded, parsed once per process, and each call
// returns a fresh copy that the caller owns. CC BY 4.0 (UCI); see
// data/PROVENANCE.md.
func Iris() (*Set, error) { return tabular(&irisCache, "iris", irisCSV, 150, 4, 3) }

// Wine returns the UCI wine recognition set: 178 samples of 13 chemical
// measurements (C=1, H=1, W=13), 3 classes, scaled as Iris. CC BY 4.0 (UCI);
// see data/PROVENANCE.md.
func Wine() (*Set, error) { return tabular(&wineCache, "wine", wineCSV, 178, 13, 3) }

func tabular(c *tabularCache, name string, data []byte, n, features, classes int) (*Set, error) {
	c.once.Do(func() { c.set, c.err = parseTabular(name, data, n, features, classes) })
	if c.err != nil {
		return nil, c.err
	}
	return c.set.clone(), nil
}

// parseTabular decodes a scikit-learn style CSV: the header "n,features,
// names..." (checked against the expected shape), then one sample a line.
// Features are min-max scaled per column to [0,1] (a constant column
// becomes 0), in float64 then rounded once to float32, so the values do
// not depend on the order of anything but the file.
func parseTabular(name string, data []byte, n, features, classes int) (*Set, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty data", name)
	}
	hdr := strings.Split(strings.TrimSpace(sc.Text()), ",")
	if len(hdr) != 2+classes || hdr[0] != strconv.Itoa(n) || hdr[1] != strconv.Itoa(features) {
		return nil, fmt.Errorf("%s: header %q, want %d,%d and %d class names", name, sc.Text(), n, features, classes)
	}
	raw := make([]float64, 0, n*features)
	s := &Set{Name: name, C: 1, H: 1, W: features, Classes: classes, Y: make([]uint8, 0, n)}
	line := 1
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != features+1 {
			return nil, fmt.Errorf("%s: line %d: %d fields, want %d", name, line, len(fields), features+1)
		}
		for i := range features {
			v, err := strconv.ParseFloat(strings.TrimSpace(fields[i]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: line %d field %d: %q is not a finite number", name, line, i+1, fields[i])
			}
			raw = append(raw, v)
		}
		y, err := strconv.Atoi(strings.TrimSpace(fields[features]))
		if err != nil || y < 0 || y >= classes {
			return nil, fmt.Errorf("%s: line %d: label %q not in 0..%d", name, line, fields[features], classes-1)
		}
		s.Y = append(s.Y, uint8(y))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: reading embedded data: %w", name, err)
	}
	if s.Len() != n {
		return nil, fmt.Errorf("%s: %d samples, want %d", name, s.Len(), n)
	}
	s.X = make([]float32, len(raw))
	for f := range features {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := f; i < len(raw); i += features {
			lo, hi = min(lo, raw[i]), max(hi, raw[i])
		}
		for i := f; i < len(raw); i += features {
			if hi > lo {
				s.X[i] = float32((raw[i] - lo) / (hi - lo))
			}
		}
	}
	return s, nil
}
