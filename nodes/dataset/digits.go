package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/digits.csv.gz
var digitsGz []byte

// Shape of the embedded digits set.
const (
	digitsSamples = 1797
	digitsSide    = 8
	digitsMax     = 16 // pixel values are counts 0..16 of a 4x4 block
	digitsClasses = 10
)

var (
	digitsOnce sync.Once
	digitsSet  *Set
	digitsErr  error
)

// Digits returns the UCI handwritten digits set: 1797 grey 8x8 images of the
// digits 0..9 (C=1, H=W=8, Classes=10), pixels 0..16 divided by 16, in the
// file's order. It is embedded in the binary, parsed once per process, and
// each call returns a fresh copy that the caller owns.
//
// The data is CC BY 4.0 (Alpaydin and Kaynak, UCI ML repository); see
// data/PROVENANCE.md.
func Digits() (*Set, error) {
	digitsOnce.Do(func() {
		digitsSet, digitsErr = parseDigits(digitsGz)
	})
	if digitsErr != nil {
		return nil, digitsErr
	}
	return digitsSet.clone(), nil
}

// clone returns a deep copy of s.
func (s *Set) clone() *Set {
	c := *s
	c.X = append([]float32(nil), s.X...)
	c.Y = append([]uint8(nil), s.Y...)
	return &c
}

// parseDigits decodes the gzipped CSV: one sample a line, 64 integer pixels
// 0..16 then the label 0..9, no header.
func parseDigits(gz []byte) (*Set, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("digits: opening embedded data: %w", err)
	}
	const d = digitsSide * digitsSide
	s := &Set{
		Name: "digits", C: 1, H: digitsSide, W: digitsSide, Classes: digitsClasses,
		X: make([]float32, 0, digitsSamples*d),
		Y: make([]uint8, 0, digitsSamples),
	}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != d+1 {
			return nil, fmt.Errorf("digits: line %d: %d fields, want %d", line, len(fields), d+1)
		}
		for i, f := range fields {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return nil, fmt.Errorf("digits: line %d field %d: %w", line, i+1, err)
			}
			if i == d {
				if v < 0 || v >= digitsClasses {
					return nil, fmt.Errorf("digits: line %d: label %d not in 0..%d", line, v, digitsClasses-1)
				}
				s.Y = append(s.Y, uint8(v))
				break
			}
			if v < 0 || v > digitsMax {
				return nil, fmt.Errorf("digits: line %d field %d: pixel %d not in 0..%d", line, i+1, v, digitsMax)
			}
			s.X = append(s.X, float32(v)/digitsMax)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("digits: reading embedded data: %w", err)
	}
	if s.Len() != digitsSamples {
		return nil, fmt.Errorf("digits: %d samples, want %d", s.Len(), digitsSamples)
	}
	return s, nil
}
