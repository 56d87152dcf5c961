package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a scenario, located as precisely as the
// loader can: the file, the 1-based line where the offending key is written
// (0 when the key is not in the file, e.g. a default or a --set override),
// and the dotted key path, with array-of-table indices
// ("group.1.count", "network.latency_ms").
type Problem struct {
	File string
	Line int
	Key  string
	Msg  string
}

// String formats the problem as "file:line: key: message", dropping the parts
// that are unknown, so that editors and terminals can jump to the line.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Errors collects every problem found in a scenario. The loader reports all
// of them at once, rather than stopping at the first, so that a user fixes a
// file in one pass.
type Errors struct {
	Problems []Problem
}

// Error prints one problem per line, in file order.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by line (problems without a line last), then
// key, keeping the collection order among equals; the result is deterministic
// because collection itself is.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		la, lb := a.Line, b.Line
		if la == 0 {
			la = int(^uint(0) >> 1)
		}
		if lb == 0 {
			lb = int(^uint(0) >> 1)
		}
		if c := cmp.Compare(la, lb); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
}

// errorsOrNil returns nil for an empty list so that callers can compare the
// result against nil, as for any error.
func errorsOrNil(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	sortProblems(ps)
	return &Errors{Problems: ps}
}

// NewErrors returns the problems as an *Errors, sorted by line (problems
// without a line last) then key, or nil when there are none. Loaders of
// other files that build on scenarios (sweep definitions) use it so that
// their problems print, sort and compare like a scenario's.
func NewErrors(ps []Problem) error { return errorsOrNil(ps) }
