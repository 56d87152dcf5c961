package rundata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// FormatError reports malformed run output with its position, so that a
// researcher can open the file at the offending cell. Line and Column are
// 1-based; Column is a byte offset in the line as reported by encoding/csv
// and is 0 when the error concerns a whole line or file.
type FormatError struct {
	File   string // base name, e.g. "blocks.csv"
	Line   int
	Column int
	Err    error
}

func (e *FormatError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

// table reads a CSV file with a header row, addressing cells by column name
// so that columns may be reordered or added (DESIGN.md: add, never rename).
type table struct {
	file string
	r    *csv.Reader
	cols map[string]int
	rec  []string
}

func newTable(file string, rd io.Reader, required ...string) (*table, error) {
	r := csv.NewReader(rd)
	r.ReuseRecord = true
	r.FieldsPerRecord = 0 // every row as wide as the header
	hdr, err := r.Read()
	if err == io.EOF {
		return nil, &FormatError{File: file, Err: errors.New("empty file, want a header row")}
	}
	if err != nil {
		return nil, wrapCSV(file, err)
	}
	t := &table{file: file, r: r, cols: make(map[string]int, len(hdr))}
	for i, h := range hdr {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := t.cols[h]; dup {
			line, col := r.FieldPos(i)
			return nil, &FormatError{File: file, Line: line, Column: col, Err: fmt.Errorf("duplicate column %q", h)}
		}
		t.cols[h] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return nil, &FormatError{File: file, Line: 1, Err: fmt.Errorf("missing required column %q", c)}
		}
	}
	return t, nil
}

// next advances to the next row; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, wrapCSV(t.file, err)
	}
	t.rec = rec
	return true, nil
}

func wrapCSV(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FormatError{File: file, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &FormatError{File: file, Err: err}
}

func (t *table) errAt(col string, err error) error {
	line, c := t.r.FieldPos(t.cols[col])
	return &FormatError{File: t.file, Line: line, Column: c, Err: fmt.Errorf("column %s: %w", col, err)}
}

// str is the trimmed cell of column col, or "" when the column is absent.
func (t *table) str(col string) string {
	i, ok := t.cols[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

// float parses an optional numeric cell: NaN when the column is absent or the
// cell empty. "NaN" and infinities are rejected: the writer leaves cells
// empty instead.
func (t *table) float(col string) (float64, error) {
	s := t.str(col)
	if s == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, t.errAt(col, err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, t.errAt(col, fmt.Errorf("non-finite value %q", s))
	}
	return v, nil
}

// reqFloat is float for a cell that must not be empty.
func (t *table) reqFloat(col string) (float64, error) {
	if t.str(col) == "" {
		return 0, t.errAt(col, errors.New("empty cell"))
	}
	return t.float(col)
}

// int parses an integer cell; empty gives def.
func (t *table) int(col string, def int64) (int64, error) {
	s := t.str(col)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, t.errAt(col, err)
	}
	return v, nil
}

// reqInt is int for a cell that must not be empty.
func (t *table) reqInt(col string) (int64, error) {
	if t.str(col) == "" {
		return 0, t.errAt(col, errors.New("empty cell"))
	}
	return t.int(col, 0)
}

// hexID parses a block id: lower- or upper-case hex, 1 to 64 digits, or
// empty when allowEmpty (a genesis block has no parent).
func (t *table) hexID(col string, allowEmpty bool) (string, error) {
	s := t.str(col)
	if s == "" {
		if allowEmpty {
			return "", nil
		}
		return "", t.errAt(col, errors.New("empty block id"))
	}
	if len(s) > 64 {
		return "", t.errAt(col, fmt.Errorf("block id of %d characters, want at most 64", len(s)))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", t.errAt(col, fmt.Errorf("block id %q is not hexadecimal", s))
		}
	}
	return strings.ToLower(s), nil
}
