package scenarios

import (
	"strconv"
	"strings"
)

// BurntSushi/toml v1.6.0 records where each key is written but does not
// export it (MetaData has no position accessor; only ParseError carries a
// Position). keyLines recovers the positions with a small scanner over the
// source, which the toml parser has already accepted.

// keyLines maps each key path of a TOML document to the 1-based line where it
// is first written. Paths are keys joined by ".", with the index of each
// array-of-tables entry or array element as a component: "run.seed",
// "group.1.count", "network.download.2". The scanner only needs the document
// to be valid TOML for exact results; on any input it terminates without
// panicking.
func keyLines(src string) map[string]int {
	sc := &lineScanner{s: src, line: 1, lines: map[string]int{}, arrays: map[string]int{}}
	sc.document()
	return sc.lines
}

type lineScanner struct {
	s      string
	i      int
	line   int
	lines  map[string]int
	arrays map[string]int // array-of-tables path -> entries seen so far
}

func (sc *lineScanner) eof() bool  { return sc.i >= len(sc.s) }
func (sc *lineScanner) peek() byte { return sc.s[sc.i] }

func (sc *lineScanner) record(path string, line int) {
	if _, ok := sc.lines[path]; !ok {
		sc.lines[path] = line
	}
}

// skipSpace skips blanks; with newlines it also skips line breaks and
// comments, as allowed inside arrays.
func (sc *lineScanner) skipSpace(newlines bool) {
	for !sc.eof() {
		switch c := sc.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			sc.i++
		case newlines && c == '\n':
			sc.i++
			sc.line++
		case newlines && c == '#':
			sc.skipLine()
		default:
			return
		}
	}
}

// skipLine moves to the next newline (not past it).
func (sc *lineScanner) skipLine() {
	for !sc.eof() && sc.peek() != '\n' {
		sc.i++
	}
}

func (sc *lineScanner) document() {
	var table string
	for !sc.eof() {
		sc.skipSpace(false)
		if sc.eof() {
			return
		}
		switch c := sc.peek(); c {
		case '\n':
			sc.i++
			sc.line++
		case '#':
			sc.skipLine()
		case '[':
			table = sc.header()
			sc.skipLine()
		default:
			start := sc.i
			sc.keyValue(table)
			if sc.i == start { // not a key: give up on this line
				sc.skipLine()
			}
		}
	}
}

// resolve turns header keys into a path, inserting the current index after
// every prefix that is an array of tables.
func (sc *lineScanner) resolve(keys []string) string {
	path := ""
	for _, k := range keys {
		path = join(path, k)
		if n, ok := sc.arrays[path]; ok {
			path = join(path, strconv.Itoa(n-1))
		}
	}
	return path
}

// header reads "[a.b]" or "[[a.b]]" and returns the table's path.
func (sc *lineScanner) header() string {
	sc.i++ // [
	array := !sc.eof() && sc.peek() == '['
	if array {
		sc.i++
	}
	keys := sc.keyPath()
	if len(keys) == 0 {
		return ""
	}
	if !array {
		path := sc.resolve(keys)
		sc.record(path, sc.line)
		return path
	}
	parent := sc.resolve(keys[:len(keys)-1])
	arr := join(parent, keys[len(keys)-1])
	n := sc.arrays[arr]
	sc.arrays[arr] = n + 1
	sc.record(arr, sc.line)
	path := join(arr, strconv.Itoa(n))
	sc.record(path, sc.line)
	return path
}

// keyValue reads "a.b = value" inside the table at path table.
func (sc *lineScanner) keyValue(table string) {
	line := sc.line
	keys := sc.keyPath()
	if len(keys) == 0 {
		return
	}
	path := table
	for _, k := range keys {
		path = join(path, k)
		sc.record(path, line)
	}
	sc.skipSpace(false)
	if sc.eof() || sc.peek() != '=' {
		return
	}
	sc.i++
	sc.skipSpace(false)
	sc.value(path)
}

// keyPath reads a dotted key of bare or quoted parts.
func (sc *lineScanner) keyPath() []string {
	var keys []string
	for {
		sc.skipSpace(false)
		if sc.eof() {
			return keys
		}
		var k string
		switch c := sc.peek(); {
		case c == '"' || c == '\'':
			k = sc.str()
		case isBare(c):
			start := sc.i
			for !sc.eof() && isBare(sc.peek()) {
				sc.i++
			}
			k = sc.s[start:sc.i]
		default:
			return keys
		}
		keys = append(keys, k)
		sc.skipSpace(false)
		if sc.eof() || sc.peek() != '.' {
			return keys
		}
		sc.i++
	}
}

func isBare(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// str reads a basic, literal or multi-line string and returns its raw
// contents (escapes are kept as written: keys in scenario files are bare).
func (sc *lineScanner) str() string {
	q := sc.peek()
	delim := string(q)
	if strings.HasPrefix(sc.s[sc.i:], strings.Repeat(delim, 3)) {
		delim = strings.Repeat(delim, 3)
	}
	sc.i += len(delim)
	start := sc.i
	for !sc.eof() {
		c := sc.peek()
		switch {
		case c == '\\' && q == '"':
			if sc.i+1 < len(sc.s) && sc.s[sc.i+1] == '\n' {
				sc.line++
			}
			sc.i += 2
			continue
		case c == '\n':
			sc.line++
			if len(delim) == 1 { // unterminated single-line string
				return sc.s[start:sc.i]
			}
		case strings.HasPrefix(sc.s[sc.i:], delim):
			end := sc.i
			sc.i += len(delim)
			// A multi-line string may end with up to two extra quotes.
			for n := 0; len(delim) == 3 && n < 2 && !sc.eof() && sc.peek() == q; n++ {
				sc.i++
				end++
			}
			return sc.s[start:end]
		}
		sc.i++
	}
	if sc.i > len(sc.s) {
		sc.i = len(sc.s)
	}
	return sc.s[start:]
}

// value skips one value, recording the lines of array elements and of keys
// inside inline tables under path.
func (sc *lineScanner) value(path string) {
	if sc.eof() {
		return
	}
	switch c := sc.peek(); c {
	case '"', '\'':
		sc.str()
	case '[':
		sc.i++
		for idx := 0; ; idx++ {
			sc.skipSpace(true)
			if sc.eof() {
				return
			}
			if sc.peek() == ']' {
				sc.i++
				return
			}
			elem := join(path, strconv.Itoa(idx))
			sc.record(elem, sc.line)
			start := sc.i
			sc.value(elem)
			sc.skipSpace(true)
			if sc.eof() {
				return
			}
			switch sc.peek() {
			case ',':
				sc.i++
			case ']':
			default:
				if sc.i == start {
					sc.i++ // guarantee progress on malformed input
				}
			}
		}
	case '{':
		sc.i++
		for {
			sc.skipSpace(true)
			if sc.eof() {
				return
			}
			switch sc.peek() {
			case '}':
				sc.i++
				return
			case ',':
				sc.i++
				continue
			}
			start := sc.i
			sc.keyValue(path)
			if sc.i == start {
				sc.i++
			}
		}
	default:
		for !sc.eof() {
			switch sc.peek() {
			case ',', ']', '}', '#', '\n':
				return
			}
			sc.i++
		}
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// KeyLines maps each key path of a TOML document to the 1-based line where
// it is first written, with paths as in Problem.Key ("sweep.param.1.values.0":
// array-of-tables entries and array elements by index). BurntSushi/toml does
// not export positions; other loaders of TOML files (sweep definitions) use
// this to point their problems at a line.
func KeyLines(src string) map[string]int { return keyLines(src) }
